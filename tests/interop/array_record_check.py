"""PyPI's array-record and TFDS read the ArrayRecord shards `sds build` writes, and sds reads
what the library writes; both refuse the same damage.

Usage: array_record_check.py --sds SDS --both DIR --single DIR [DIR ...] --damage DIR
                             --identical DIR --work DIR
  --both:      a version folder built with formats [tfrecord, array_record] (the twins)
  --single:    folders built with format array_record only (other compressions), same inputs
  --identical: a folder built with the default options (group_size 1, uncompressed): every
               shard must be byte for byte what the library writes for the same records
Prints 'N passed, 0 failed' and exits 0, or stops at the failed check.
"""
import argparse
import json
import os
import random
import subprocess
import sys

import tensorflow as tf
import tensorflow_datasets as tfds
from array_record.python import array_record_module
from array_record.python.array_record_data_source import ArrayRecordDataSource

p = argparse.ArgumentParser()
p.add_argument("--sds", required=True)
p.add_argument("--both", required=True)
p.add_argument("--single", nargs="+", required=True)
p.add_argument("--damage", required=True, help="a --single folder written uncompressed")
p.add_argument("--identical", required=True, help="a --single folder written with the default options")
p.add_argument("--work", required=True)
args = p.parse_args()
checks = 0
rng = random.Random(19)


def shards(d, fmt):
    info = json.load(open(os.path.join(d, "dataset_info.json")))
    for split in info["splits"]:
        lengths = [int(n) for n in split["shardLengths"]]
        for i, n in enumerate(lengths):
            yield split["name"], n, os.path.join(d, f"{info['name']}-{split['name']}.{fmt}-{i:05d}-of-{len(lengths):05d}")


def sds(*argv):
    return subprocess.run([args.sds, *argv], capture_output=True, text=True)


# The TFRecord twins: the reference bytes of every record.
twins = {}
for split, n, f in shards(args.both, "tfrecord"):
    twins[(split, os.path.basename(f).split(".tfrecord-")[1])] = [r.numpy() for r in tf.data.TFRecordDataset(f)]

# 1. Every ArrayRecord shard opens in the library, holds shardLengths records, and random
#    indices give the TFRecord twin's bytes (all indices, then a shuffled sample via __getitems__).
for d in [args.both] + args.single:
    info = json.load(open(os.path.join(d, "dataset_info.json")))
    formats = [info["fileFormat"]] + info.get("alternativeFileFormats", [])
    assert "array_record" in formats, (d, formats)
    for split, n, f in shards(d, "array_record"):
        twin = twins[(split, os.path.basename(f).split(".array_record-")[1])]
        source = ArrayRecordDataSource([f])
        assert len(source) == n == len(twin), (f, len(source), n, len(twin))
        sample = rng.sample(range(n), min(n, 5))
        assert [source[i] for i in sample] == [twin[i] for i in sample], f
        if sample:  # the library refuses an empty batch
            assert source.__getitems__(sample) == [twin[i] for i in sample], f
        checks += 1

# 2. TFDS: random access through as_data_source() on every non-empty split, and (for the
#    folder with both formats) iteration through tf.data as before, from a fresh builder.
for d in [args.both] + args.single:
    info = json.load(open(os.path.join(d, "dataset_info.json")))
    for split in info["splits"]:
        total = sum(int(n) for n in split["shardLengths"])
        if total == 0:
            continue  # TFDS refuses an empty split ("Paths sequence can not be of 0 length")
        source = tfds.builder_from_directory(d).as_data_source(split=split["name"])
        assert len(source) == total, (d, split["name"], len(source), total)
        e = source[rng.randrange(total)]
        assert e["sensor"].shape == (1440, 2) and e["caption"].startswith(b"Day "), e.keys()
        if d == args.both:
            iterated = list(tfds.builder_from_directory(d).as_dataset(split=split["name"]))
            assert len(iterated) == total
        checks += 1

# 3. Files the library writes, in each compression sds reads, are read by `sds inspect`:
#    every record counted and checked, record k at random equal to what was written.
name, n, f = max(shards(args.both, "tfrecord"), key=lambda s: s[1])
records = twins[(name, os.path.basename(f).split(".tfrecord-")[1])]
for compression in ["uncompressed", "zstd:3", "brotli:6", "zstd:19,window_log:24"]:
    path = os.path.join(args.work, "python-" + compression.replace(":", "").replace(",", "-") + ".array_record")
    writer = array_record_module.ArrayRecordWriter(path, f"group_size:3,{compression}")
    for r in records:
        writer.write(r)
    writer.close()
    out = sds("inspect", path, "--json", "--limit", "0")
    assert out.returncode == 0, (compression, out.stderr)
    report = json.loads(out.stdout)["files"][0]
    assert report["ok"] and report["records"] == len(records) and report["format"] == "array_record", report
    k = rng.randrange(len(records))
    out = sds("inspect", path, "--json", "--record", str(k))
    assert out.returncode == 0, out.stderr
    shown = json.loads(out.stdout)["examples"][0]
    example = tf.train.Example.FromString(records[k])
    assert shown["size"] == len(records[k]), (shown["size"], len(records[k]))
    assert shown["features"]["date"]["values"][0] == example.features.feature["date"].bytes_list.value[0].decode()
    checks += 1


# 4. Damage: a byte flipped in a block header, in a chunk and in the footer of an sds shard
#    (uncompressed, so the data runs across a block boundary). sds names the offset; the
#    library refuses to read it.
def varint(b, i):
    v = s = 0
    while True:
        v |= (b[i] & 0x7F) << s
        i += 1
        if b[i - 1] < 0x80:
            return v, i
        s += 7


def footer_offset(b):
    # Postscript: block header (24), chunk header (40), compression byte 0, sizes length, sizes, values.
    i = len(b) - 65536 + 64
    assert b[i] == 0
    sizes_len, i = varint(b, i + 1)
    first, _ = varint(b, i)
    msg = b[i + sizes_len:i + sizes_len + first]
    assert msg[0] == 0x08
    return varint(msg, 1)[0]


_, n, shard = max(shards(args.damage, "array_record"), key=lambda s: s[1])
good = open(shard, "rb").read()
assert len(good) >= 3 * 65536, len(good)
footer = footer_offset(good)
assert footer > 65536, footer
for what, at, offset in [("block header", 65536 + 3, 65536), ("chunk", 64 + 40 + 500, 64), ("footer", footer + 20, footer)]:
    bad = bytearray(good)
    bad[at] ^= 0x5A
    path = os.path.join(args.work, "damaged.array_record")
    open(path, "wb").write(bad)
    out = sds("inspect", path, "--limit", "0")
    assert out.returncode == 65, (what, out.returncode, out.stdout, out.stderr)
    assert f"byte {offset}:" in out.stderr, (what, out.stderr)
    try:
        source = ArrayRecordDataSource([path])
        [source[i] for i in range(len(source))]
        refused = None
    except Exception as e:  # the library raises RuntimeError (or ValueError) naming the hash that failed
        refused = str(e)
    assert refused and "hash mismatch" in refused, (what, refused)
    checks += 1


# 5. The default options are TFDS's group_size:1, uncompressed: the library, given the same
#    records and "group_size:1,uncompressed", writes the very bytes of each sds shard (block
#    headers, padding, footer and all). With zstd (TFDS's own default) the bytes depend on the
#    zstd build, so the --both shards are only compared for information.
def library_bytes(records, options):
    path = os.path.join(args.work, "library.array_record")
    writer = array_record_module.ArrayRecordWriter(path, options)
    for r in records:
        writer.write(r)
    writer.close()
    return open(path, "rb").read()


for split, n, f in shards(args.identical, "array_record"):
    twin = twins[(split, os.path.basename(f).split(".array_record-")[1])]
    mine = open(f, "rb").read()
    theirs = library_bytes(twin, "group_size:1,uncompressed")
    assert mine == theirs, (f, len(mine), len(theirs), next((i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b), None))
    checks += 1
same = sum(open(f, "rb").read() == library_bytes(twins[(split, os.path.basename(f).split(".array_record-")[1])], "group_size:1")
           for split, n, f in shards(args.both, "array_record") if n > 0)
print(f"zstd:3 shards byte-identical to the library's (group_size:1): {same} of "
      f"{sum(1 for s in shards(args.both, 'array_record') if s[1] > 0)}", file=sys.stderr)

print(f"{checks} passed, 0 failed")
