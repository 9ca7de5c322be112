"""TFDS and tf.data load what `sds build` writes for a general ('studies:') spec.

Usage: frames_check.py OUTPUT_DIR EXPECTED_EXAMPLES [FEATURE=LENGTH ...]
Loads the folder with tfds.builder_from_directory, reads every split both through TFDS and
through tf.data + the declared example spec, and checks that they agree value for value,
that the example count is EXPECTED_EXAMPLES, and that each FEATURE has LENGTH values.
Prints 'N passed, 0 failed' and exits 0, or fails with the check that broke.
"""
import json
import os
import sys

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

d, expected = sys.argv[1], int(sys.argv[2])
lengths_wanted = dict(a.split("=") for a in sys.argv[3:])
info = json.load(open(os.path.join(d, "dataset_info.json")))
builder = tfds.builder_from_directory(d)
spec = builder.info.features.tf_example_spec
checks, total = 0, 0
for split in info["splits"]:
    lengths = [int(n) for n in split.get("shardLengths", [])]
    raw = []
    for i, n in enumerate(lengths):
        f = os.path.join(d, f"{info['name']}-{split['name']}.tfrecord-{i:05d}-of-{len(lengths):05d}")
        records = list(tf.data.TFRecordDataset(f))
        assert len(records) == n, (f, len(records), n)
        raw += [tf.io.parse_single_example(r, spec) for r in records]
    total += sum(lengths)
    checks += 1
    if sum(lengths) == 0:
        continue
    loaded = list(tfds.as_numpy(builder.as_dataset(split=split["name"], shuffle_files=False)))
    assert len(loaded) == sum(lengths), (split["name"], len(loaded), sum(lengths))
    by_key = {(e["partition"], int(e["window_start"])): e for e in loaded}
    assert len(by_key) == len(loaded), "duplicate (partition, window_start) keys"
    for r in raw:
        e = by_key[(r["partition"].numpy(), int(r["window_start"].numpy()))]
        for name, value in r.items():
            a, b = np.asarray(e[name]), value.numpy()
            if a.dtype == np.float32:
                assert np.array_equal(a.view(np.uint32), b.view(np.uint32)), name
            else:
                assert np.array_equal(a, b), name
        for name, n in lengths_wanted.items():
            assert np.asarray(e[name]).size == int(n), (name, np.asarray(e[name]).size, n)
        assert "caption" not in e or e["caption"], "empty caption"
    checks += 1
assert total == expected, f"{total} examples, expected {expected}"
checks += 1
print(f"{checks} passed, 0 failed")
