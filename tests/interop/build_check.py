"""TFDS and tf.data load what `sds build` writes, value for value.

Usage: build_check.py OUTPUT_DIR   (a dataset version folder, e.g. out/wearable/1.0.0)
Prints 'N passed, 0 failed' and exits 0, or names the failed check and exits 1.
"""
import json
import os
import sys

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

d = sys.argv[1]
info = json.load(open(os.path.join(d, "dataset_info.json")))
builder = tfds.builder_from_directory(d)
spec = builder.info.features.tf_example_spec
checks = 0
for split in info["splits"]:
    lengths = [int(n) for n in split["shardLengths"]]
    raw = []
    for i, n in enumerate(lengths):
        f = os.path.join(d, f"{info['name']}-{split['name']}.tfrecord-{i:05d}-of-{len(lengths):05d}")
        records = list(tf.data.TFRecordDataset(f))
        assert len(records) == n, (f, len(records), n)
        raw += [tf.io.parse_single_example(r, spec) for r in records]
    checks += 1
    if sum(lengths) == 0:
        continue  # TFDS refuses to read an empty split ("corresponds to no data"); the files are checked above.
    # TFDS reads the same examples (interleaved across shards): compare as a set keyed by example.
    loaded = list(tfds.as_numpy(builder.as_dataset(split=split["name"], shuffle_files=False)))
    assert len(loaded) == sum(lengths), (split["name"], len(loaded), sum(lengths))
    by_key = {(e["subject_id"], e["date"]): e for e in loaded}
    for r in raw:
        e = by_key[(r["subject_id"].numpy(), r["date"].numpy())]
        assert e["sensor"].shape == (1440, 2) and e["sensor"].dtype == np.float32
        assert np.array_equal(e["sensor"].view(np.uint32), r["sensor"].numpy().view(np.uint32))
        assert np.array_equal(e["mask"], r["mask"].numpy())
        assert e["caption"] == r["caption"].numpy() and e["caption"].startswith(b"Day " + e["date"])
        assert e["label/has_sleep"] in (0, 1)
        assert (e["label/minutes_asleep"] == -1.0) == (e["label/has_sleep"] == 0)
    checks += 1
print(f"{checks} passed, 0 failed")
