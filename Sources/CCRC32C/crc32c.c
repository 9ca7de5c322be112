// Hardware CRC-32C for SDSTFRecord.
//
// Swift cannot emit the crc32 instruction for one function without compiling
// the whole module for SSE4.2, so this file holds it, compiled for the
// instruction and chosen at run time (sds_crc32c_hw_available).
//
// x86-64: three independent crc32 streams hide the instruction's 3-cycle
// latency; their CRCs are joined by multiplying by x^(8n) mod P through
// precomputed tables (the method of Mark Adler's crc32c.c). That peaks at one
// 8-byte crc32 per cycle (about 22 GB/s on the project's Zen 4 machines).
//
// Where the CPU has AVX-512 VPCLMULQDQ, inputs of 256 bytes or more are folded
// instead (Intel's "Fast CRC Computation for Generic Polynomials Using
// PCLMULQDQ"): four 512-bit accumulators, each lane a 16-byte block, are
// carried forward by carry-less multiplication with x^k mod P and xored with
// the next 256 bytes; the remainder is folded down to one 16-byte block, whose
// CRC the crc32 instruction then takes. About 55 GB/s on the same machines.
// sds_crc32c_copy does the same while storing each loaded block, so a copy and
// its CRC cost one pass.
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

static void detect_fold(void);

static void make_tables(void) {
    make_shift_table(long_shift, LONG_BLOCK);
    make_shift_table(short_shift, SHORT_BLOCK);
    detect_fold();
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
static uint32_t crc_streams(uint32_t crc, const void *data, size_t count) {
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

uint32_t sds_crc32c_hw_streams(uint32_t crc, const void *data, size_t count) {
    pthread_once(&tables_once, make_tables);
    return crc_streams(crc, data, count);
}
#endif

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

#define FOLD_MIN 256
#define FOLD_TARGET __attribute__((target("avx512f,avx512vl,vpclmulqdq,pclmul,sse4.2")))

static int use_fold;

// Folding constants: a 16-byte block (bytes 0-7 in the low qword) followed by
// n more bytes is congruent to lo(x)*x^(8n+64) + hi(x)*x^(8n); multiplying the
// bit-reflected qwords by x^(8n+63) and x^(8n-1) mod P (the missing x comes from
// the reflected product's one-bit offset) gives a 96-bit block to xor n bytes on.
// Each pair is {lo, hi}: the reflected 32-bit remainder in the high half of a qword.
static uint64_t fold16[2], fold32[2], fold48[2], fold64[2], fold256[2];

static uint64_t reflected_x_pow_mod(unsigned n) {
    uint32_t r = 0x80000000u;  // x^0, reflected
    while (n--) r = (r & 1) ? (r >> 1) ^ POLY : r >> 1;
    return (uint64_t)r << 32;
}

static void fold_constants(uint64_t k[2], unsigned bytes) {
    k[0] = reflected_x_pow_mod(8 * bytes + 63);
    k[1] = reflected_x_pow_mod(8 * bytes - 1);
}

static void detect_fold(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    int osxsave = (c >> 27) & 1, sse42 = (c >> 20) & 1, pclmul = (c >> 1) & 1;
    if (!osxsave || !sse42 || !pclmul) return;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xE6) != 0xE6) return;  // XMM, YMM, opmask and both ZMM halves enabled by the OS
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return;
    int avx512f = (b >> 16) & 1, avx512vl = (b >> 31) & 1, vpclmulqdq = (c >> 10) & 1;
    if (!avx512f || !avx512vl || !vpclmulqdq) return;
    fold_constants(fold16, 16);
    fold_constants(fold32, 32);
    fold_constants(fold48, 48);
    fold_constants(fold64, 64);
    fold_constants(fold256, 256);
    use_fold = 1;
}

FOLD_TARGET static inline __m512i fold_512(__m512i block, __m512i k, __m512i next) {
    return _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(block, k, 0x00),
                                     _mm512_clmulepi64_epi128(block, k, 0x11), next, 0x96);
}

FOLD_TARGET static inline __m128i fold_128(__m128i block, __m128i k, __m128i next) {
    return _mm_ternarylogic_epi64(_mm_clmulepi64_si128(block, k, 0x00),
                                  _mm_clmulepi64_si128(block, k, 0x11), next, 0x96);
}

// CRC of count >= FOLD_MIN bytes at src; with dst non-NULL, also copies them there.
FOLD_TARGET static uint32_t fold_crc(uint32_t crc, unsigned char *dst, const unsigned char *src, size_t count) {
    const __m512i k256 = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)fold256));
    const __m512i k64 = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)fold64));
    __m512i x0 = _mm512_loadu_si512(src), x1 = _mm512_loadu_si512(src + 64);
    __m512i x2 = _mm512_loadu_si512(src + 128), x3 = _mm512_loadu_si512(src + 192);
    if (dst) {
        _mm512_storeu_si512(dst, x0);
        _mm512_storeu_si512(dst + 64, x1);
        _mm512_storeu_si512(dst + 128, x2);
        _mm512_storeu_si512(dst + 192, x3);
        dst += 256;
    }
    // The running CRC register is xored into the first four message bytes.
    x0 = _mm512_xor_si512(x0, _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)~crc)));
    src += 256;
    count -= 256;
    while (count >= 256) {
        __m512i y0 = _mm512_loadu_si512(src), y1 = _mm512_loadu_si512(src + 64);
        __m512i y2 = _mm512_loadu_si512(src + 128), y3 = _mm512_loadu_si512(src + 192);
        if (dst) {
            _mm512_storeu_si512(dst, y0);
            _mm512_storeu_si512(dst + 64, y1);
            _mm512_storeu_si512(dst + 128, y2);
            _mm512_storeu_si512(dst + 192, y3);
            dst += 256;
        }
        x0 = fold_512(x0, k256, y0);
        x1 = fold_512(x1, k256, y1);
        x2 = fold_512(x2, k256, y2);
        x3 = fold_512(x3, k256, y3);
        src += 256;
        count -= 256;
    }
    // Four accumulators 64 bytes apart into one, then the rest 64 bytes at a time.
    x1 = fold_512(x0, k64, x1);
    x2 = fold_512(x1, k64, x2);
    x3 = fold_512(x2, k64, x3);
    while (count >= 64) {
        __m512i y = _mm512_loadu_si512(src);
        if (dst) {
            _mm512_storeu_si512(dst, y);
            dst += 64;
        }
        x3 = fold_512(x3, k64, y);
        src += 64;
        count -= 64;
    }
    // Four 16-byte lanes into one, then the rest 16 bytes at a time.
    const __m128i k16 = _mm_loadu_si128((const __m128i *)fold16);
    __m128i a = _mm512_extracti32x4_epi32(x3, 3);
    a = fold_128(_mm512_extracti32x4_epi32(x3, 0), _mm_loadu_si128((const __m128i *)fold48), a);
    a = fold_128(_mm512_extracti32x4_epi32(x3, 1), _mm_loadu_si128((const __m128i *)fold32), a);
    a = fold_128(_mm512_extracti32x4_epi32(x3, 2), k16, a);
    while (count >= 16) {
        __m128i y = _mm_loadu_si128((const __m128i *)src);
        if (dst) {
            _mm_storeu_si128((__m128i *)dst, y);
            dst += 16;
        }
        a = fold_128(a, k16, y);
        src += 16;
        count -= 16;
    }
    // The folded block's CRC from a zero register, then the last 0-15 bytes.
    uint64_t c = _mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(a));
    c = _mm_crc32_u64(c, (uint64_t)_mm_extract_epi64(a, 1));
    if (dst && count) memcpy(dst, src, count);
    while (count >= 8) {
        c = _mm_crc32_u64(c, load64(src));
        src += 8;
        count -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (count--) c32 = _mm_crc32_u8(c32, *src++);
    return ~c32;
}

uint32_t sds_crc32c_hw(uint32_t crc, const void *data, size_t count) {
    pthread_once(&tables_once, make_tables);
    if (use_fold && count >= FOLD_MIN) return fold_crc(crc, NULL, data, count);
    return crc_streams(crc, data, count);
}

uint32_t sds_crc32c_copy(uint32_t crc, void *dst, const void *src, size_t count) {
    pthread_once(&tables_once, make_tables);
    if (use_fold && count >= FOLD_MIN) return fold_crc(crc, dst, src, count);
    if (count) memcpy(dst, src, count);
    return crc_streams(crc, dst, count);
}

int sds_crc32c_fold_available(void) {
    pthread_once(&tables_once, make_tables);
    return use_fold;
}
#elif defined(__aarch64__)
static void detect_fold(void) {}

uint32_t sds_crc32c_hw(uint32_t crc, const void *data, size_t count) {
    pthread_once(&tables_once, make_tables);
    return crc_streams(crc, data, count);
}

uint32_t sds_crc32c_copy(uint32_t crc, void *dst, const void *src, size_t count) {
    if (count) memcpy(dst, src, count);
    return sds_crc32c_hw(crc, dst, count);
}

int sds_crc32c_fold_available(void) { return 0; }
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
// Never called: sds_crc32c_hw_available() is 0.
uint32_t sds_crc32c_hw(uint32_t crc, const void *data, size_t count) {
    (void)data;
    (void)count;
    return crc;
}
uint32_t sds_crc32c_hw_streams(uint32_t crc, const void *data, size_t count) {
    return sds_crc32c_hw(crc, data, count);
}
uint32_t sds_crc32c_copy(uint32_t crc, void *dst, const void *src, size_t count) {
    if (count) memcpy(dst, src, count);
    return crc;
}
int sds_crc32c_hw_available(void) { return 0; }
int sds_crc32c_fold_available(void) { return 0; }
#endif
