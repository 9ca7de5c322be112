#!/usr/bin/env python3
"""Checks sds's TFRecord/TFDS output against real TensorFlow and TFDS, value for value.

Run by tests/interop/run.sh after `sds write-test-dataset`. Every value in expected.json
is compared with what TFDS and tf.io decode (floats by bit pattern). Then the checker is
shown to fail on a copy with a wrong shardLengths and on one with a flipped byte, and
sds is shown to read files written by tf.io.TFRecordWriter. Prints `N passed, M failed`.
"""
import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import traceback

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

GZIP_HEADER = bytes.fromhex("1f8b0800000000000003")


class CheckFailed(Exception):
    pass


def require(condition, message):
    if not condition:
        raise CheckFailed(message)


def expected_bytes(value):
    """expected.json / sds JSON form of one bytes value -> bytes."""
    if isinstance(value, str):
        return value.encode("utf-8")
    return base64.b64decode(value["base64"])


def float_bits(values):
    return np.asarray(values, dtype=np.float32).reshape(-1).view(np.uint32).tolist()


# ---------------------------------------------------------------- dataset checks

def shard_path(directory, name, split, index, count):
    return os.path.join(directory, f"{name}-{split}.tfrecord-{index:05d}-of-{count:05d}")


def check_metadata(directory, expected):
    builder = tfds.builder_from_directory(directory)
    info = builder.info
    require(info.name == expected["name"], f"name {info.name!r}")
    require(str(info.version) == expected["version"], f"version {info.version}")
    require(sorted(info.features.keys()) == sorted(expected["features"]), f"features {sorted(info.features.keys())}")
    for name, spec in expected["features"].items():
        feature = info.features[name]
        if spec["type"] == "classLabel":
            require(feature.names == spec["names"], f"{name} labels {feature.names}")
        if spec["type"] == "tensor":
            want = tuple(None if d == -1 else d for d in spec["shape"])
            require(tuple(feature.shape) == want, f"{name} shape {feature.shape}")
            require(np.dtype(feature.np_dtype) == np.dtype(spec["dtype"]), f"{name} dtype {feature.np_dtype}")
    for split, shards in expected["splits"].items():
        got = list(info.splits[split].shard_lengths)
        require(got == [len(s) for s in shards], f"{split} shard_lengths {got}")
    return builder


def compare_decoded(name, spec, got, want, where):
    """Compare one TFDS-decoded feature with its expected.json entry."""
    kind = spec["type"]
    if kind == "tensor":
        array = np.asarray(got)
        columns = spec["shape"][1:]
        rows = len(want["bits"]) // int(np.prod(columns)) if columns else None
        require(array.dtype == np.float32, f"{where}: {name} dtype {array.dtype}")
        require(list(array.shape) == [rows] + columns, f"{where}: {name} shape {array.shape}")
        require(float_bits(array) == want["bits"], f"{where}: {name} values differ")
    elif kind == "scalar" and spec["dtype"] == "float32":
        require(float_bits([got]) == want["bits"], f"{where}: {name} {got!r} bits differ")
    elif kind == "text":
        require(bytes(got) == expected_bytes(want["values"][0]), f"{where}: {name} {got!r}")
    else:  # int64 scalar, class label
        require(int(got) == want["values"][0], f"{where}: {name} {got!r} != {want['values'][0]}")


def check_tfds_split(builder, expected, split):
    """tfds.builder_from_directory(...).as_dataset: every value of every record."""
    wanted = {rec["id"]["values"][0]: rec for shard in expected["splits"][split] for rec in shard}
    seen = set()
    for example in tfds.as_numpy(builder.as_dataset(split=split, shuffle_files=False)):
        key = int(example["id"])
        require(key in wanted and key not in seen, f"{split}: unexpected or repeated id {key}")
        seen.add(key)
        for name, spec in expected["features"].items():
            compare_decoded(name, spec, example[name], wanted[key][name], f"{split} id {key}")
    require(seen == set(wanted), f"{split}: {len(seen)} of {len(wanted)} examples read")


def check_tfrecord_split(directory, expected, split, spec):
    """tf.data.TFRecordDataset + tf.io.parse_single_example, shard by shard, in order."""
    shards = expected["splits"][split]
    info = json.load(open(os.path.join(directory, "dataset_info.json")))
    [split_info] = [s for s in info["splits"] if s["name"] == split]
    total = 0
    raw_spec = {name: tf.io.VarLenFeature({"float": tf.float32, "int64": tf.int64, "bytes": tf.string}[v["kind"]])
                for name, v in shards[0][0].items()}
    for index, records in enumerate(shards):
        path = shard_path(directory, expected["name"], split, index, len(shards))
        serialized = [r.numpy() for r in tf.data.TFRecordDataset(path)]  # checks both CRCs
        require(len(serialized) == len(records), f"{path}: {len(serialized)} records, expected {len(records)}")
        for position, (data, want) in enumerate(zip(serialized, records)):
            where = f"{os.path.basename(path)} record {position}"
            total += len(data)
            # The spec TFDS itself parses with (FixedLenSequenceFeature for [-1, 2], ...).
            parsed = tf.io.parse_single_example(data, spec)
            for name, feature_spec in expected["features"].items():
                value = parsed[name].numpy()
                if feature_spec["type"] == "tensor":
                    compare_decoded(name, feature_spec, value, want[name], where)
                else:
                    compare_decoded(name, feature_spec, value, want[name], where)
            # Raw lists, shape-free: exact values of every feature.
            flat = tf.io.parse_single_example(data, raw_spec)
            for name, value in want.items():
                got = flat[name].values.numpy()
                if value["kind"] == "float":
                    require(float_bits(got) == value["bits"], f"{where}: {name} raw floats differ")
                elif value["kind"] == "int64":
                    require(got.tolist() == value["values"], f"{where}: {name} raw ints differ")
                else:
                    require(list(got) == [expected_bytes(v) for v in value["values"]], f"{where}: {name} raw bytes differ")
            # sds writes the canonical form: what TF's deterministic serializer produces.
            canonical = tf.train.Example.FromString(data).SerializeToString(deterministic=True)
            require(canonical == data, f"{where}: bytes differ from TF's deterministic serialization")
    require(int(split_info["numBytes"]) == total, f"{split}: numBytes {split_info['numBytes']} != {total}")


def tf_reads(directory):
    """What TF/TFDS alone say, trusting only dataset_info.json: counts, CRCs, parsing."""
    info = json.load(open(os.path.join(directory, "dataset_info.json")))
    builder = tfds.builder_from_directory(directory)
    spec = builder.info.features.tf_example_spec
    for split in info["splits"]:
        lengths = [int(n) for n in split["shardLengths"]]
        for index, count in enumerate(lengths):
            path = shard_path(directory, info["name"], split["name"], index, len(lengths))
            records = list(tf.data.TFRecordDataset(path))  # CRC + framing
            require(len(records) == count, f"{path}: {len(records)} records, shardLengths says {count}")
            for record in records:
                tf.io.parse_single_example(record, spec)
        read = sum(1 for _ in builder.as_dataset(split=split["name"]))
        require(read == sum(lengths), f"{split['name']}: as_dataset gave {read} of {sum(lengths)}")


def full_check(directory, expected):
    """Everything TF/TFDS can say about the dataset folder; raises on the first problem."""
    tf_reads(directory)
    builder = check_metadata(directory, expected)
    spec = builder.info.features.tf_example_spec
    for split in expected["splits"]:
        check_tfds_split(builder, expected, split)
        check_tfrecord_split(directory, expected, split, spec)


# ---------------------------------------------------------------- sds reads TF

def tf_examples():
    """Awkward examples written by TF: NaN/Inf/-0, prefix and non-ASCII keys, empty lists."""
    first = tf.train.Example()
    f = first.features.feature
    f["a"].int64_list.value.extend([1, -1, -2**63, 2**63 - 1, 0])
    f["ab"].float_list.value.extend([float("nan"), float("inf"), float("-inf"), -0.0, 1e-45, 3.4028235e38, 0.1])
    f["abc"].bytes_list.value.extend([b"", b"\xff\xfe\x00", "日本語".encode()])
    f["ключ"].float_list.value.extend([])
    f["ключ"].float_list.SetInParent()
    f["z"].int64_list.SetInParent()
    f["kindless"].CopyFrom(tf.train.Feature())
    second = tf.train.Example()
    rng = np.random.default_rng(7)
    third = tf.train.Example()
    third.features.feature["sensor"].float_list.value.extend(rng.standard_normal(2880).astype(np.float32).tolist())
    third.features.feature["label"].bytes_list.value.append("gehen/😀".encode())
    return [first, second, third]


def expected_sds_json(example):
    """What `sds inspect --json` must say for one tf.train.Example."""
    out = {}
    for name, feature in example.features.feature.items():
        kind = feature.WhichOneof("kind")
        if kind == "float_list":
            values = []
            for v in np.asarray(feature.float_list.value, dtype=np.float32):
                values.append("nan" if np.isnan(v) else ("inf" if v == np.inf else "-inf" if v == -np.inf else int(np.array([v]).view(np.uint32)[0])))
            out[name] = ("float", values)
        elif kind == "int64_list":
            out[name] = ("int64", list(feature.int64_list.value))
        else:
            out[name] = ("bytes", list(feature.bytes_list.value) if kind else [])
    return out


def sds_json_values(kind, values):
    if kind == "float":
        return [v if isinstance(v, str) else int(np.array([v], dtype=np.float32).view(np.uint32)[0]) for v in values]
    if kind == "bytes":
        return [expected_bytes(v) for v in values]
    return values


def check_sds_reads_tf(sds, work, compression):
    path = os.path.join(work, f"from-tf-{compression or 'none'}.tfrecord")
    examples = tf_examples()
    with tf.io.TFRecordWriter(path, options=compression) as writer:
        for example in examples:
            writer.write(example.SerializeToString())
    args = [sds, "inspect", "--json", "--limit", "100", path]
    if compression:
        args += ["--compression", compression.lower()]
    run = subprocess.run(args, capture_output=True, text=True)
    require(run.returncode == 0, f"sds inspect exited {run.returncode}: {run.stderr.strip()}")
    report = json.loads(run.stdout)
    require(report["files"][0]["records"] == len(examples), f"sds counted {report['files'][0]['records']} records")
    require(len(report["examples"]) == len(examples), "sds showed too few examples")
    for index, (example, shown) in enumerate(zip(examples, report["examples"])):
        want = expected_sds_json(example)
        got = shown["features"]
        require(sorted(got) == sorted(want), f"record {index}: names {sorted(got)} != {sorted(want)}")
        for name, (kind, values) in want.items():
            if not values and not got[name]["values"]:
                continue  # an empty list has no kind to compare (TF: "empty list of any type")
            require(got[name]["kind"] == kind, f"record {index} {name}: kind {got[name]['kind']} != {kind}")
            require(got[name]["length"] == len(values), f"record {index} {name}: length")
            require(sds_json_values(kind, got[name]["values"]) == values, f"record {index} {name}: values differ")


def check_compressed_file(expected, work, kind):
    """TF reads sds's GZIP/ZLIB file, and TF writing the same records gives the same bytes."""
    gz = expected[kind.lower() + "File"]
    stored = open(gz["path"], "rb").read()
    if kind == "GZIP":
        require(stored[:10] == GZIP_HEADER, "GZIP header is not TF's fixed header")
    else:
        require(stored[:2] == b"\x78\x9c", "not a default-level zlib stream")
    records = [r.numpy() for r in tf.data.TFRecordDataset(gz["path"], compression_type=kind)]
    require(len(records) == len(gz["records"]), f"{len(records)} GZIP records, expected {len(gz['records'])}")
    for index, (data, want) in enumerate(zip(records, gz["records"])):
        example = tf.train.Example.FromString(data)
        for name, value in want.items():
            feature = example.features.feature[name]
            if value["kind"] == "float":
                require(float_bits(list(feature.float_list.value)) == value["bits"], f"{kind} record {index}: {name}")
            elif value["kind"] == "int64":
                require(list(feature.int64_list.value) == value["values"], f"{kind} record {index}: {name}")
            else:
                require(list(feature.bytes_list.value) == [expected_bytes(v) for v in value["values"]],
                        f"{kind} record {index}: {name}")
    again = os.path.join(work, "tf-rewrite." + kind)
    with tf.io.TFRecordWriter(again, options=kind) as writer:
        for record in records:
            writer.write(record)
    require(open(again, "rb").read() == stored, f"TF's {kind} bytes for the same records differ from sds's")


# ---------------------------------------------------------------- negative checks

def corrupt_copy(directory, work, label, mutate):
    copy = os.path.join(work, "corrupt-" + label, os.path.relpath(directory, work))
    shutil.copytree(directory, copy)
    mutate(copy)
    return copy


def wrong_shard_lengths(copy):
    path = os.path.join(copy, "dataset_info.json")
    info = json.load(open(path))
    [train] = [s for s in info["splits"] if s["name"] == "train"]
    train["shardLengths"][0] = str(int(train["shardLengths"][0]) + 1)
    with open(path, "w") as handle:
        json.dump(info, handle, indent=2, sort_keys=True)


def flipped_byte(copy, name):
    path = shard_path(copy, name, "train", 1, 3)
    data = bytearray(open(path, "rb").read())
    data[12 + 20] ^= 0x10  # inside the first record's data
    open(path, "wb").write(bytes(data))


def expect_failure(directory, expected):
    try:
        full_check(directory, expected)
    except Exception as error:  # CheckFailed, DataLossError, FailedPreconditionError...
        return f"{type(error).__name__}: {str(error).strip().splitlines()[0][:160]}"
    raise CheckFailed("the check passed on a damaged dataset")


def tfds_alone_rejects(directory):
    """TFDS itself (not this script's comparisons) must refuse the wrong shardLengths."""
    builder = tfds.builder_from_directory(directory)
    try:
        for _ in builder.as_dataset(split="train"):
            pass
    except tf.errors.OpError as error:
        return f"{type(error).__name__}: {error.message.strip().splitlines()[0][:120]}"
    raise CheckFailed("TFDS read the split despite the wrong shardLengths")


def tf_and_sds_agree_on_offset(sds, directory, name):
    """TF's "corrupted record at N" and sds's "byte N" name the same offset."""
    path = shard_path(directory, name, "train", 1, 3)
    try:
        list(tf.data.TFRecordDataset(path))
        raise CheckFailed("TF read the damaged shard")
    except tf.errors.DataLossError as error:
        tf_offset = int(error.message.split("corrupted record at ")[1].split()[0])
    run = subprocess.run([sds, "inspect", "--limit", "0", path], capture_output=True, text=True)
    require(run.returncode == 65, f"sds exit {run.returncode}")
    sds_offset = int(run.stderr.split(": byte ")[1].split(":")[0])
    require(sds_offset == tf_offset, f"sds says byte {sds_offset}, TF says {tf_offset}")
    return f"both say byte {tf_offset}"


def sds_inspect_status(sds, directory):
    return subprocess.run([sds, "inspect", "--limit", "0", directory], capture_output=True, text=True)


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sds", required=True)
    parser.add_argument("--expected", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    expected = json.load(open(args.expected))
    directory = expected["directory"].rstrip("/")
    results = []

    def check(name, body):
        try:
            note = body()
            results.append(True)
            print(f"ok    {name}" + (f"  ({note})" if note else ""))
        except Exception as error:
            results.append(False)
            print(f"FAIL  {name}: {type(error).__name__}: {error}")
            if not isinstance(error, CheckFailed):
                traceback.print_exc(limit=3)

    state = {}
    check("TFDS loads the folder: name, version, features, labels, shard lengths",
          lambda: state.setdefault("builder", check_metadata(directory, expected)) and None)
    builder = state.get("builder") or tfds.builder_from_directory(directory)
    for split in expected["splits"]:
        check(f"tfds as_dataset('{split}'): every value", lambda s=split: check_tfds_split(builder, expected, s))
        check(f"TFRecordDataset + parse_single_example '{split}': values, order, canonical bytes, numBytes",
              lambda s=split: check_tfrecord_split(directory, expected, s, builder.info.features.tf_example_spec))
    for kind in ["GZIP", "ZLIB"]:
        check(f"{kind} file from sds: read with compression_type='{kind}', byte-identical to TF's own {kind} output",
              lambda k=kind: check_compressed_file(expected, args.work, k))
    for compression in [None, "GZIP", "ZLIB"]:
        check(f"sds inspect --json reads a tf.io.TFRecordWriter file ({compression or 'uncompressed'})",
              lambda c=compression: check_sds_reads_tf(args.sds, args.work, c))

    def inspect_clean():
        run = sds_inspect_status(args.sds, directory)
        require(run.returncode == 0, f"exit {run.returncode}: {run.stderr.strip()}")
    check("sds inspect verifies the folder (exit 0)", inspect_clean)

    damaged = {
        "wrong shardLengths": corrupt_copy(directory, args.work, "lengths", wrong_shard_lengths),
        "flipped byte": corrupt_copy(directory, args.work, "flip", lambda c: flipped_byte(c, expected["name"])),
    }
    for label, copy in damaged.items():
        check(f"the check fails on a copy with a {label}", lambda c=copy: expect_failure(c, expected))

        def inspect_damaged(c=copy):
            run = sds_inspect_status(args.sds, c)
            require(run.returncode == 65, f"exit {run.returncode}, expected 65")
            require("error: " in run.stderr and "byte" in run.stderr or "shardLengths" in run.stderr,
                    f"stderr: {run.stderr.strip()}")
            return run.stderr.strip().splitlines()[0]
        check(f"sds inspect exits 65 on the copy with a {label}", inspect_damaged)
    check("TFDS itself rejects the wrong shardLengths", lambda: tfds_alone_rejects(damaged["wrong shardLengths"]))
    check("TF and sds report the same offset for the flipped byte",
          lambda: tf_and_sds_agree_on_offset(args.sds, damaged["flipped byte"], expected["name"]))

    passed = sum(results)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
