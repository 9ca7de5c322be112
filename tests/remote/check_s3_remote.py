#!/usr/bin/env python3
"""Reads back what sds pushed to an S3 prefix, with boto3, and checks every name.

usage: check_s3_remote.py ENDPOINT BUCKET PREFIX [--corrupt-one]

Every key under PREFIX must list and read back: packs/ID.pack hashes to ID, each entry of
packs/ID.idx names a slice of its pack that hashes to the entry's id, objects/ID hashes to
ID, closures/ID and refs/tags/NAME hold object ids, steps/ID holds 'KEY RESULT OP' lines. Prints 'ok: N keys, M objects'.
With --corrupt-one, flips a byte of the first packed object instead and prints its id.
"""
import hashlib
import struct
import sys

import boto3

endpoint, bucket, prefix = sys.argv[1], sys.argv[2], sys.argv[3].rstrip("/") + "/"
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
keys = {}
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
    for o in page.get("Contents", []):
        keys[o["Key"][len(prefix):]] = o["Size"]


def get(key):
    return s3.get_object(Bucket=bucket, Key=prefix + key)["Body"].read()


def fail(why):
    print("error: " + why, file=sys.stderr)
    sys.exit(1)


def is_id(s):
    return len(s) == 64 and all(c in "0123456789abcdef" for c in s)


if "--corrupt-one" in sys.argv:
    pack = sorted(k for k in keys if k.endswith(".pack"))[0]
    idx = get(pack[:-5] + ".idx")
    first = idx[48:80].hex()
    offset = struct.unpack("<Q", idx[80:88])[0]
    data = bytearray(get(pack))
    data[offset] ^= 1
    s3.put_object(Bucket=bucket, Key=prefix + pack, Body=bytes(data))
    print(first)
    sys.exit(0)

objects = 0
if get("sds-remote") != b"sds remote 1\n":
    fail("no format marker")
for key, size in sorted(keys.items()):
    body = get(key)
    if len(body) != size:
        fail(f"{key}: listed {size} bytes, read {len(body)}")
    name = key.rsplit("/", 1)[-1]
    if key.startswith("packs/") and key.endswith(".pack"):
        if hashlib.sha256(body).hexdigest() != name[:-5]:
            fail(f"{key} does not hash to its name")
        if key[:-5] + ".idx" not in keys:
            fail(f"{key} has no index")
    elif key.startswith("packs/") and key.endswith(".idx"):
        pack = get(key[:-4] + ".pack")
        if body[:8] != b"SDSPIDX1" or body[8:40].hex() != name[:-4]:
            fail(f"{key}: bad header")
        (count,) = struct.unpack("<Q", body[40:48])
        for i in range(count):
            e = body[48 + 48 * i: 96 + 48 * i]
            off, length = struct.unpack("<QQ", e[32:48])
            if hashlib.sha256(pack[off:off + length]).hexdigest() != e[:32].hex():
                fail(f"{key}: entry {e[:32].hex()} does not hash to its id")
            objects += 1
    elif key.startswith("objects/"):
        if hashlib.sha256(body).hexdigest() != name:
            fail(f"{key} does not hash to its name")
        objects += 1
    elif key.startswith("closures/") or key.startswith("refs/tags/"):
        lines = body.decode().split()
        if not lines or not all(is_id(line) for line in lines) or (key.startswith("refs/") and len(lines) != 1):
            fail(f"{key} holds something other than object ids")
    elif key.startswith("steps/"):
        for line in body.decode().splitlines():
            k, r, _op = line.split(" ", 2)
            if not (is_id(k) and is_id(r)):
                fail(f"{key}: bad step line {line!r}")
    elif key.startswith("locks/"):
        pass  # a push's or gc's marker (left behind by a killed one)
    elif key != "sds-remote":
        fail(f"unexpected key {key}")
print(f"ok: {len(keys)} keys, {objects} objects")
