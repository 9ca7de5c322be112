// Hardware CRC-32C for SDSTFRecord.
//
// Swift cannot emit the crc32 instruction for one function without compiling
// the whole module for SSE4.2, so this file holds it, compiled for the
// instruction and chosen at run time (sds_crc32c_hw_available).
//
// x86-64: three independent crc32 streams hide the instruction's 3-cycle
// latency; their CRCs are joined by multiplying by x^(8n) mod P through
// precomputed tables (the method of Mark Adler's crc32c.c).
#include "ccrc32c.h"
#include <string.h>

#define POLY 0x82f63b78u  // reflected Castagnoli polynomial

#if defined(__x86_64__) || defined(__aarch64__)
#include <pthread.h>

#define LONG_BLOCK 8192
#define SHORT_BLOCK 256

// zeros[k][b]: the CRC of byte b at position k of a word, followed by n zero bytes.
static uint32_t long_shift[4][256], short_shift[4][256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static uint32_t matrix_times(const uint32_t *mat, uint32_t vec) {
    uint32_t sum = 0;
    while (vec) {
        if (vec & 1) sum ^= *mat;
        vec >>= 1;
        mat++;
    }
    return sum;
}

static void matrix_square(uint32_t *square, const uint32_t *mat) {
    for (int n = 0; n < 32; n++) square[n] = matrix_times(mat, mat[n]);
}

// The operator that appends `len` zero bytes to a CRC, as a 32x32 GF(2) matrix.
static void zeros_operator(uint32_t *even, size_t len) {
    uint32_t odd[32];
    odd[0] = POLY;  // one zero bit
    uint32_t row = 1;
    for (int n = 1; n < 32; n++) {
        odd[n] = row;
        row <<= 1;
    }
    matrix_square(even, odd);  // two zero bits
    matrix_square(odd, even);  // four zero bits
    // Then square repeatedly, multiplying in the bits of len (bytes: start at 8 bits).
    do {
        matrix_square(even, odd);
        len >>= 1;
        if (len == 0) return;
        matrix_square(odd, even);
        len >>= 1;
    } while (len);
    memcpy(even, odd, sizeof(odd));
}

static void make_shift_table(uint32_t zeros[][256], size_t len) {
    uint32_t op[32];
    zeros_operator(op, len);
    for (uint32_t n = 0; n < 256; n++) {
        zeros[0][n] = matrix_times(op, n);
        zeros[1][n] = matrix_times(op, n << 8);
        zeros[2][n] = matrix_times(op, n << 16);
        zeros[3][n] = matrix_times(op, n << 24);
    }
}

static void make_tables(void) {
    make_shift_table(long_shift, LONG_BLOCK);
    make_shift_table(short_shift, SHORT_BLOCK);
}

static inline uint32_t shift(uint32_t zeros[][256], uint32_t crc) {
    return zeros[0][crc & 0xff] ^ zeros[1][(crc >> 8) & 0xff] ^ zeros[2][(crc >> 16) & 0xff] ^ zeros[3][crc >> 24];
}

static inline uint64_t load64(const unsigned char *p) {
    uint64_t word;
    memcpy(&word, p, 8);  // unaligned load
    return word;
}
#endif

#if defined(__x86_64__)
#include <nmmintrin.h>
#define CRC_TARGET __attribute__((target("sse4.2")))
#define CRC64(c, w) _mm_crc32_u64((c), (w))
#define CRC8(c, b) _mm_crc32_u8((c), (b))
#elif defined(__aarch64__)
#include <arm_acle.h>
#define CRC_TARGET __attribute__((target("crc")))
#define CRC64(c, w) __crc32cd((uint32_t)(c), (w))
#define CRC8(c, b) __crc32cb((c), (b))
#endif

#if defined(CRC_TARGET)
CRC_TARGET
uint32_t sds_crc32c_hw(uint32_t crc, const void *data, size_t count) {
    pthread_once(&tables_once, make_tables);
    const unsigned char *next = data;
    uint64_t crc0 = (uint32_t)~crc;
    // Three streams over three adjacent blocks, then joined.
    while (count >= 3 * LONG_BLOCK) {
        uint64_t crc1 = 0, crc2 = 0;
        const unsigned char *end = next + LONG_BLOCK;
        do {
            crc0 = CRC64(crc0, load64(next));
            crc1 = CRC64(crc1, load64(next + LONG_BLOCK));
            crc2 = CRC64(crc2, load64(next + 2 * LONG_BLOCK));
            next += 8;
        } while (next < end);
        crc0 = shift(long_shift, (uint32_t)crc0) ^ crc1;
        crc0 = shift(long_shift, (uint32_t)crc0) ^ crc2;
        next += 2 * LONG_BLOCK;
        count -= 3 * LONG_BLOCK;
    }
    while (count >= 3 * SHORT_BLOCK) {
        uint64_t crc1 = 0, crc2 = 0;
        const unsigned char *end = next + SHORT_BLOCK;
        do {
            crc0 = CRC64(crc0, load64(next));
            crc1 = CRC64(crc1, load64(next + SHORT_BLOCK));
            crc2 = CRC64(crc2, load64(next + 2 * SHORT_BLOCK));
            next += 8;
        } while (next < end);
        crc0 = shift(short_shift, (uint32_t)crc0) ^ crc1;
        crc0 = shift(short_shift, (uint32_t)crc0) ^ crc2;
        next += 2 * SHORT_BLOCK;
        count -= 3 * SHORT_BLOCK;
    }
    while (count >= 8) {
        crc0 = CRC64(crc0, load64(next));
        next += 8;
        count -= 8;
    }
    uint32_t c = (uint32_t)crc0;
    while (count--) c = CRC8(c, *next++);
    return ~c;
}
#endif

#if defined(__x86_64__)
int sds_crc32c_hw_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2");
}
#elif defined(__aarch64__) && defined(__APPLE__)
int sds_crc32c_hw_available(void) { return 1; }  // every Apple arm64 CPU has CRC32
#elif defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7)
#endif
int sds_crc32c_hw_available(void) { return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0; }
#else
uint32_t sds_crc32c_hw(uint32_t crc, const void *data, size_t count) {
    (void)data;
    (void)count;
    return crc;  // never called: sds_crc32c_hw_available() is 0
}
int sds_crc32c_hw_available(void) { return 0; }
#endif
