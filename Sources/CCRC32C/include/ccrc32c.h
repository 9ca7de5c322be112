#ifndef SDS_CCRC32C_H
#define SDS_CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Extends a finished CRC-32C `crc` with `count` bytes using the CPU's CRC32
/// instruction (and, on x86-64 with AVX-512 VPCLMULQDQ, carry-less multiply
/// folding for inputs of 256 bytes or more). Call only when
/// sds_crc32c_hw_available() returned 1.
uint32_t sds_crc32c_hw(uint32_t crc, const void *data, size_t count);

/// Copies `count` bytes from `src` to `dst` (which must not overlap) and returns
/// `crc` extended with them, as sds_crc32c_hw would: one pass over the bytes
/// where the folding path is available. Call only when
/// sds_crc32c_hw_available() returned 1.
uint32_t sds_crc32c_copy(uint32_t crc, void *dst, const void *src, size_t count);

/// 1 if this CPU has the CRC32C instruction (SSE4.2 on x86-64, CRC on arm64).
int sds_crc32c_hw_available(void);

/// 1 if sds_crc32c_hw and sds_crc32c_copy fold long inputs with VPCLMULQDQ
/// (x86-64 with AVX-512F, AVX-512VL, VPCLMULQDQ and OS support for ZMM state).
int sds_crc32c_fold_available(void);

/// sds_crc32c_hw without the folding path (the CRC32-instruction streams only),
/// so tests can check both paths on the same machine.
uint32_t sds_crc32c_hw_streams(uint32_t crc, const void *data, size_t count);

#endif
