#ifndef SDS_HH_COPY_H
#define SDS_HH_COPY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Copies the `count` bytes at `source` to `destination + prefix` and returns the 64-bit
/// HighwayHash (under `key`) of the `prefix + count` bytes at `destination`: the `prefix`
/// bytes already there, then the copy. The same value as `HighwayHash64` of those bytes,
/// in one pass over `source` where the CPU has AVX2 (each 32-byte packet is copied and
/// hashed while in L1), else a copy then `HighwayHash64`. The ranges must not overlap.
uint64_t sds_highwayhash64_copy(const uint64_t key[4], void *destination, size_t prefix,
                                const void *source, size_t count);

#ifdef __cplusplus
}
#endif

#endif
