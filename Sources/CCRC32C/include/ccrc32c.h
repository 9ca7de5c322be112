#ifndef SDS_CCRC32C_H
#define SDS_CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Extends a finished CRC-32C `crc` with `count` bytes using the CPU's CRC32
/// instruction. Call only when sds_crc32c_hw_available() returned 1.
uint32_t sds_crc32c_hw(uint32_t crc, const void *data, size_t count);

/// 1 if this CPU has the CRC32C instruction (SSE4.2 on x86-64, CRC on arm64).
int sds_crc32c_hw_available(void);

#endif
