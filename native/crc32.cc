// CRC-32 as zip files use it (zlib's polynomial, reflected): carry-less multiplication where
// the CPU has it, zlib's otherwise, and the combination of the CRC-32s of two byte runs, so
// that pieces of one buffer can be checked on different threads.
#include "crc32.h"

#include <dlfcn.h>
#if defined(__x86_64__) && defined(__GNUC__)
// GCC 12's AVX-512 headers trip its own -Wuninitialized (their "undefined" registers).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif

#include <algorithm>
#include <array>

namespace tts {
namespace {

// Byte-at-a-time CRC-32 (zlib's polynomial): only used when the process has no zlib.
unsigned long TableCrc32(unsigned long crc, const unsigned char* buf, unsigned int len) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t n = 0; n < 256; n++) {
      uint32_t c = n;
      for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  uint32_t c = static_cast<uint32_t>(crc) ^ 0xFFFFFFFFu;
  for (unsigned int i = 0; i < len; i++) c = table[(c ^ buf[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

// zlib's crc32 as the process already has it (Node exports its zlib to addons). Looked up
// rather than linked so the build needs no zlib headers; checked against the standard check
// value before it is trusted.
Crc32Fn ZlibCrc32() {
  static const Crc32Fn fn = [] {
    auto found = reinterpret_cast<Crc32Fn>(dlsym(RTLD_DEFAULT, "crc32"));
    const unsigned char check[] = "123456789";
    return found != nullptr && found(0, check, 9) == 0xCBF43926ul ? found : &TableCrc32;
  }();
  return fn;
}

#if defined(__x86_64__) && defined(__GNUC__)
// CRC-32 by carry-less multiplication (Intel's "Fast CRC Computation for Generic Polynomials
// Using PCLMULQDQ", folding four 128-bit lanes, then Barrett reduction; the constants are those
// of the reflected zlib polynomial). Node's zlib computes ~5 GB/s here, which made the CRC
// about as slow as reading a checkpoint; this is 2.4x faster (96 MiB: 7.5 vs 18 ms). crc is the raw
// register (zlib's value inverted); len >= 64 and a multiple of 16.
#define TTS_PCLMUL __attribute__((target("pclmul,sse4.1")))
TTS_PCLMUL inline __m128i Fold128(__m128i x, __m128i k, __m128i next) {
  return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)), next);
}

inline __m128i Load128(const unsigned char* at) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at)); }

// Folding constants, as (low, high) qwords: to fold 128 bits onto the block D bits later,
// x^(D+32) and x^(D-32) mod P, bit-reflected and shifted left once.
TTS_PCLMUL inline __m128i FoldBy128() { return _mm_set_epi64x(0x0ccaa009e, 0x1751997d0); }
TTS_PCLMUL inline __m128i FoldBy512() { return _mm_set_epi64x(0x1c6e41596, 0x154442bd4); }
TTS_PCLMUL inline __m128i FoldBy2048() { return _mm_set_epi64x(0x1322d1430, 0x11542778a); }

// Folds the 16-byte blocks left into x, then reduces x to the CRC register.
TTS_PCLMUL uint32_t FinishFold(__m128i x, const unsigned char* p, size_t len) {
  const __m128i k3k4 = FoldBy128();
  const __m128i k5 = _mm_set_epi64x(0, 0x163cd6124);
  const __m128i poly = _mm_set_epi64x(0x1f7011641, 0x1db710641);
  const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
  for (; len >= 16; p += 16, len -= 16) x = Fold128(x, k3k4, Load128(p));
  x = _mm_xor_si128(_mm_srli_si128(x, 8), _mm_clmulepi64_si128(x, k3k4, 0x10));                   // 128 -> 64 bits
  x = _mm_xor_si128(_mm_srli_si128(x, 4), _mm_clmulepi64_si128(_mm_and_si128(x, mask32), k5, 0x00));  // 96 -> 64
  __m128i t = _mm_clmulepi64_si128(_mm_and_si128(x, mask32), poly, 0x10);                            // Barrett
  t = _mm_clmulepi64_si128(_mm_and_si128(t, mask32), poly, 0x00);
  return static_cast<uint32_t>(_mm_extract_epi32(_mm_xor_si128(x, t), 1));
}

TTS_PCLMUL uint32_t FoldCrc32(uint32_t crc, const unsigned char* p, size_t len) {
  const __m128i k1k2 = FoldBy512();
  const __m128i k3k4 = FoldBy128();
  __m128i x1 = _mm_xor_si128(Load128(p), _mm_cvtsi32_si128(static_cast<int>(crc)));
  __m128i x2 = Load128(p + 16), x3 = Load128(p + 32), x4 = Load128(p + 48);
  for (p += 64, len -= 64; len >= 64; p += 64, len -= 64) {
    x1 = Fold128(x1, k1k2, Load128(p));
    x2 = Fold128(x2, k1k2, Load128(p + 16));
    x3 = Fold128(x3, k1k2, Load128(p + 32));
    x4 = Fold128(x4, k1k2, Load128(p + 48));
  }
  return FinishFold(Fold128(Fold128(Fold128(x1, k3k4, x2), k3k4, x3), k3k4, x4), p, len);
}

// The same with 512-bit registers (VPCLMULQDQ): four of them, 256 bytes a step, folded by 2048
// bits. ~2x the 128-bit loop on
// the dev VM's EPYC, which makes checking a checkpoint's CRC-32s cost a fraction of reading
// it. len >= 256 and a multiple of 16.
#define TTS_VPCLMUL __attribute__((target("avx512f,avx512vl,vpclmulqdq,pclmul,sse4.1")))
TTS_VPCLMUL inline __m512i Fold512(__m512i x, __m512i k, __m512i next) {
  return _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(x, k, 0x00), _mm512_clmulepi64_epi128(x, k, 0x11), next, 0x96);  // a ^ b ^ c
}

TTS_VPCLMUL inline __m512i Load512(const unsigned char* at) { return _mm512_loadu_si512(at); }

TTS_VPCLMUL uint32_t FoldCrc32Wide(uint32_t crc, const unsigned char* p, size_t len) {
  const __m512i k2048 = _mm512_broadcast_i32x4(FoldBy2048());
  const __m512i k512 = _mm512_broadcast_i32x4(FoldBy512());
  const __m128i k3k4 = FoldBy128();
  __m512i z0 = _mm512_xor_si512(Load512(p), _mm512_inserti32x4(_mm512_setzero_si512(), _mm_cvtsi32_si128(static_cast<int>(crc)), 0));
  __m512i z1 = Load512(p + 64), z2 = Load512(p + 128), z3 = Load512(p + 192);
  for (p += 256, len -= 256; len >= 256; p += 256, len -= 256) {
    z0 = Fold512(z0, k2048, Load512(p));
    z1 = Fold512(z1, k2048, Load512(p + 64));
    z2 = Fold512(z2, k2048, Load512(p + 128));
    z3 = Fold512(z3, k2048, Load512(p + 192));
  }
  z0 = Fold512(Fold512(Fold512(z0, k512, z1), k512, z2), k512, z3);
  for (; len >= 64; p += 64, len -= 64) z0 = Fold512(z0, k512, Load512(p));
  // The register's four 128-bit lanes, each 128 bits before the next.
  __m128i x = Fold128(_mm512_extracti32x4_epi32(z0, 0), k3k4, _mm512_extracti32x4_epi32(z0, 1));
  x = Fold128(Fold128(x, k3k4, _mm512_extracti32x4_epi32(z0, 2)), k3k4, _mm512_extracti32x4_epi32(z0, 3));
  return FinishFold(x, p, len);
}

bool HasWideClmul() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("vpclmulqdq");
  return has;
}

unsigned long FastCrc32(unsigned long crc, const unsigned char* buf, unsigned int len) {
  size_t body = len >= 64 ? len & ~size_t{15} : 0;
  if (body >= 256 && HasWideClmul()) {
    crc = ~FoldCrc32Wide(~static_cast<uint32_t>(crc), buf, body) & 0xFFFFFFFFul;
  } else if (body > 0) {
    crc = ~FoldCrc32(~static_cast<uint32_t>(crc), buf, body) & 0xFFFFFFFFul;
  }
  return len > body ? ZlibCrc32()(crc, buf + body, static_cast<unsigned int>(len - body)) : crc;
}
#endif

}  // namespace

// The CRC-32 the reader uses: the folded one where the CPU has PCLMULQDQ (512 bits wide with
// VPCLMULQDQ) and it agrees with zlib on a test pattern (lengths 0 to 1090, at an odd offset),
// zlib's otherwise.
Crc32Fn Crc32() {
  static const Crc32Fn fn = [] {
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1")) {
      unsigned char pattern[1100];
      for (unsigned i = 0; i < sizeof pattern; i++) pattern[i] = static_cast<unsigned char>(i * 131 + 7 + (i >> 8));
      bool agrees = true;
      for (unsigned len = 0; len <= 1090 && agrees; len += len < 300 ? 1 : 13) {
        agrees = FastCrc32(0x12345678ul, pattern + 3, len) == ZlibCrc32()(0x12345678ul, pattern + 3, len);
      }
      if (agrees) return &FastCrc32;
    }
#endif
    return ZlibCrc32();
  }();
  return fn;
}

uint32_t Crc32Of(const unsigned char* p, size_t n) {
  constexpr size_t kStep = size_t{1} << 30;  // Crc32Fn takes an unsigned int length
  Crc32Fn crc32 = Crc32();
  unsigned long crc = 0;
  for (size_t done = 0; done < n; done += kStep) crc = crc32(crc, p + done, static_cast<unsigned int>(std::min(n - done, kStep)));
  return static_cast<uint32_t>(crc);
}

namespace {

// CRC-32 of two byte runs A then B from crc(A), crc(B) and B's length: crc(A) times x^(8 len(B))
// modulo the polynomial, plus crc(B) (zlib's crc32_combine; the pre- and post-inversion cancel).
// Polynomials are reflected 32-bit words: bit 31 is x^0. Lets a storage's pieces be checked
// on different threads.
uint32_t MulModPoly(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  for (int i = 0; i < 32; i++) {
    if (a & (0x80000000u >> i)) product ^= b;      // a's x^i term times b
    b = (b & 1) ? (b >> 1) ^ 0xEDB88320u : b >> 1;  // b *= x
  }
  return product;
}

}  // namespace

uint32_t Crc32Combine(uint32_t crcA, uint32_t crcB, uint64_t lenB) {
  uint32_t power = 0x80000000u;  // x^0
  uint32_t square = 0x00800000u;  // x^8: one byte
  for (; lenB > 0; lenB >>= 1, square = MulModPoly(square, square)) {
    if (lenB & 1) power = MulModPoly(power, square);
  }
  return MulModPoly(power, crcA) ^ crcB;
}

}  // namespace tts
