// A copy fused with HighwayHash-64 for the ArrayRecord writer, built from libhighwayhash-dev's
// own AVX2 state (hh_avx2.h, header-only): each packet of the hashed bytes is copied and fed
// to the hash while it is in L1, instead of copying a whole chunk and hashing it again.
#include "hh_copy.h"

#include <string.h>

#include <highwayhash/c_bindings.h>

#if defined(__x86_64__) && defined(__clang__)
#include <cpuid.h>
#include <immintrin.h>

// hh_avx2.h needs AVX2 code; only this file's functions below get it, and they run only
// after the CPU and OS are checked (the rest of sds is built for the baseline x86-64).
#define HH_TARGET_NAME AVX2
#pragma clang attribute push(__attribute__((target("avx2,bmi2,fma"))), apply_to = function)
#include <highwayhash/hh_avx2.h>

static uint64_t copy_avx2(const uint64_t key[4], char *dst, size_t prefix, const char *src, size_t count) {
    using namespace highwayhash;
    HH_TARGET_NAME::HHStateAVX2 state(key);
    const size_t total = prefix + count;
    size_t done = 0;    // bytes of dst hashed
    size_t copied = 0;  // bytes of src copied
    // Packets holding prefix bytes: first copy the source bytes they need.
    while (done < prefix && total - done >= 32) {
        const size_t end = done + 32;
        if (end > prefix) {
            memcpy(dst + prefix + copied, src + copied, end - prefix - copied);
            copied = end - prefix;
        }
        state.Update(*reinterpret_cast<const HHPacket *>(dst + done));
        done = end;
    }
    // Whole packets of source bytes: copy 32, hash them from L1.
    while (total - done >= 32) {
        memcpy(dst + done, src + copied, 32);
        state.Update(*reinterpret_cast<const HHPacket *>(dst + done));
        copied += 32;
        done += 32;
    }
    if (copied < count) memcpy(dst + prefix + copied, src + copied, count - copied);
    if (total - done != 0) state.UpdateRemainder(dst + done, total - done);
    HHResult64 result;
    state.Finalize(&result);
    return result;
}
#pragma clang attribute pop

/// AVX2, BMI2 and FMA (HighwayHash's "AVX2" group), with the OS saving the YMM registers.
static bool has_avx2(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
    const bool osxsave = (c >> 27) & 1, fma = (c >> 12) & 1;
    if (!osxsave || !fma) return false;
    unsigned lo, hi;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) != 6) return false;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
    return ((b >> 5) & 1) && ((b >> 8) & 1);
}

static const bool avx2 = has_avx2();
#else
static const bool avx2 = false;
#endif

extern "C" uint64_t sds_highwayhash64_copy(const uint64_t key[4], void *destination, size_t prefix,
                                           const void *source, size_t count) {
    char *dst = static_cast<char *>(destination);
#if defined(__x86_64__) && defined(__clang__)
    if (avx2) return copy_avx2(key, dst, prefix, static_cast<const char *>(source), count);
#endif
    if (count != 0) memcpy(dst + prefix, source, count);
    return HighwayHash64(key, dst, prefix + count);
}
