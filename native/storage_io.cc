// Checkpoint storage I/O. Loading: a checkpoint's bytes go straight into new tensors' storages
// (read from the file with pread, or copied from a buffer already in memory), all storages of
// a load in one call that spreads them over a few threads, with the zip CRC-32 computed chunk
// by chunk while the bytes are still in cache, and big-endian files swapped in place. No JavaScript view of the storage is made: a view would keep the storage alive until
// V8 collected it, so a freed checkpoint's memory could not be reused by the next load.
#include "common.h"

#include <dlfcn.h>
#if defined(__x86_64__) && defined(__GNUC__)
// GCC 12's AVX-512 headers trip its own -Wuninitialized (their "undefined" registers).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace tts {
namespace {

constexpr size_t kChunk = size_t{1} << 20;  // fits in L2 with room: the CRC reads it hot
constexpr size_t kMaxRead = size_t{1} << 30;  // Linux reads at most ~2 GiB per call anyway

using Crc32Fn = unsigned long (*)(unsigned long crc, const unsigned char* buf, unsigned int len);

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

// Folds the 16-byte blocks left into x, then reduces x to the CRC register.
TTS_PCLMUL uint32_t FinishFold(__m128i x, const unsigned char* p, size_t len) {
  const __m128i k3k4 = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);  // fold by 128 bits
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
  const __m128i k1k2 = _mm_set_epi64x(0x1c6e41596, 0x154442bd4);  // fold by 512 bits
  const __m128i k3k4 = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);
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
// bits (constants x^(2048+-32) mod P, reflected, as the 128-bit ones). ~2x the 128-bit loop on
// the dev VM's EPYC, which makes checking a checkpoint's CRC-32s cost a fraction of reading
// it. len >= 256 and a multiple of 16.
#define TTS_VPCLMUL __attribute__((target("avx512f,avx512vl,vpclmulqdq,pclmul,sse4.1")))
TTS_VPCLMUL inline __m512i Fold512(__m512i x, __m512i k, __m512i next) {
  return _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(x, k, 0x00), _mm512_clmulepi64_epi128(x, k, 0x11), next, 0x96);  // a ^ b ^ c
}

TTS_VPCLMUL inline __m512i Load512(const unsigned char* at) { return _mm512_loadu_si512(at); }

TTS_VPCLMUL uint32_t FoldCrc32Wide(uint32_t crc, const unsigned char* p, size_t len) {
  const __m512i k2048 = _mm512_broadcast_i32x4(_mm_set_epi64x(0x1322d1430, 0x11542778a));
  const __m512i k512 = _mm512_broadcast_i32x4(_mm_set_epi64x(0x1c6e41596, 0x154442bd4));
  const __m128i k3k4 = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);
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

void SwapInPlace(unsigned char* p, size_t n, int64_t size) {
  for (size_t i = 0; i + static_cast<size_t>(size) <= n; i += static_cast<size_t>(size)) std::reverse(p + i, p + i + size);
}

// The whole storage of a tensor the loader just created: CPU, and exactly nbytes long.
unsigned char* StorageBytes(Napi::Env env, const at::Tensor& t, int64_t nbytes) {
  if (!t.has_storage() || !t.is_cpu()) ThrowTorchError(env, "checkpoint read: target is not a CPU tensor with storage");
  const c10::Storage& s = t.storage();
  if (static_cast<int64_t>(s.nbytes()) != nbytes) {
    ThrowTorchError(env, "checkpoint read: target storage has " + std::to_string(s.nbytes()) + " bytes, not " + std::to_string(nbytes));
  }
  // data() is const from PyTorch 2.1 (mutable_data() is new there); the bytes are writable.
  return static_cast<unsigned char*>(const_cast<void*>(static_cast<const void*>(s.data())));
}

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

uint32_t Crc32Combine(uint32_t crcA, uint32_t crcB, uint64_t lenB) {
  uint32_t power = 0x80000000u;  // x^0
  uint32_t square = 0x00800000u;  // x^8: one byte
  for (; lenB > 0; lenB >>= 1, square = MulModPoly(square, square)) {
    if (lenB & 1) power = MulModPoly(power, square);
  }
  return MulModPoly(power, crcA) ^ crcB;
}

// Big byte ranges are cut into pieces of at most kPiece bytes, handed out in order to up to
// kMaxThreads threads (this one included). The copy out of the page cache is what a load costs
// (the kernel's copy_to_iter was 35 % of a ResNet-50 load's profile): one core does ~6 GB/s
// of it here, two do the same 98 MiB in 9 instead of 15 ms. The CRC-32 of a save splits the
// same way. Each thread gets at least 2 * kPiece bytes, so small batches stay on this thread.
constexpr size_t kPiece = size_t{4} << 20;
constexpr size_t kMaxThreads = 4;

struct Piece {
  size_t range;   // which range it belongs to
  size_t begin;   // within that range
  size_t length;
  uint32_t crc = 0;  // CRC-32 of the piece alone, when asked for
};

// The pieces of ranges of the given lengths, in order.
std::vector<Piece> PiecesOf(const std::vector<size_t>& lengths) {
  std::vector<Piece> pieces;
  for (size_t r = 0; r < lengths.size(); r++) {
    for (size_t begin = 0; begin < lengths[r]; begin += kPiece) pieces.push_back({r, begin, std::min(lengths[r] - begin, kPiece)});
  }
  return pieces;
}

// Runs work(piece) for every piece on this thread and as many more as the bytes are worth.
// work returns an error message, or an empty string; the first error stops the rest and is
// returned once every thread has stopped.
template <class Work>
std::string RunPieces(std::vector<Piece>& pieces, Work work) {
  size_t total = 0;
  for (const Piece& p : pieces) total += p.length;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex errorLock;
  std::string error;
  auto loop = [&] {
    for (size_t i; !failed && (i = next.fetch_add(1)) < pieces.size();) {
      std::string message = work(pieces[i]);
      if (message.empty()) continue;
      std::lock_guard<std::mutex> hold(errorLock);
      if (error.empty()) error = std::move(message);
      failed = true;
    }
  };
  size_t threads = std::min({UsableCpus(), kMaxThreads, pieces.size(), std::max<size_t>(1, total / (2 * kPiece))});
  std::vector<std::thread> helpers;
  for (size_t i = 1; i < threads; i++) {
    try {
      helpers.emplace_back(loop);
    } catch (const std::system_error&) {
      break;  // no more threads now: the ones there (at least this one) do all the pieces
    }
  }
  loop();
  for (auto& t : helpers) t.join();
  return error;
}

// Each range's CRC-32 from its pieces' (zeros for empty ranges).
Napi::Float64Array CombinedCrcs(Napi::Env env, const std::vector<Piece>& pieces, size_t ranges) {
  std::vector<uint32_t> crcs(ranges, 0);
  for (const Piece& p : pieces) crcs[p.range] = p.begin == 0 ? p.crc : Crc32Combine(crcs[p.range], p.crc, p.length);
  Napi::Float64Array out = Napi::Float64Array::New(env, ranges);
  for (size_t r = 0; r < ranges; r++) out[r] = crcs[r];
  return out;
}

// CRC-32 of a piece of memory, chunk by chunk (the chunks are what a reader just wrote).
uint32_t PieceCrc(const unsigned char* p, size_t n) {
  Crc32Fn crc32 = Crc32();
  unsigned long crc = 0;
  for (size_t done = 0; done < n; done += kChunk) crc = crc32(crc, p + done, static_cast<unsigned int>(std::min(n - done, kChunk)));
  return static_cast<uint32_t>(crc);
}

// fillStorages(source, handles, offsets, nbytes, swaps, crc) -> Float64Array of CRC-32s (0
// when crc is false): fills the whole storage of each handle (a new CPU tensor of exactly
// nbytes[i]) with the bytes at offsets[i] of source (a file descriptor, read with pread, or a
// Uint8Array), byte-swapping elements of swaps[i] > 1 bytes afterwards (a big-endian file).
// lib/ has checked every range against the source's size. Every target is checked before
// anything is read, and a failure anywhere throws once all threads have stopped.
Napi::Value FillStorages(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = -1;
  const unsigned char* bytes = nullptr;
  size_t sourceBytes = 0;
  if (info[0].IsNumber()) {
    fd = static_cast<int>(ToInt(info[0]));
  } else {
    auto src = info[0].As<Napi::Uint8Array>();
    bytes = src.Data();
    sourceBytes = src.ByteLength();
  }
  Napi::Array handles = info[1].As<Napi::Array>();
  Napi::Float64Array offsetsIn = info[2].As<Napi::Float64Array>();
  Napi::Float64Array nbytes = info[3].As<Napi::Float64Array>();
  Napi::Int32Array swapsIn = info[4].As<Napi::Int32Array>();
  bool wantCrc = ToBool(info[5]);
  size_t count = handles.Length();
  if (offsetsIn.ElementLength() != count || nbytes.ElementLength() != count || swapsIn.ElementLength() != count) {
    ThrowTorchError(env, "fillStorages: handles, offsets, nbytes and swaps differ in length");
  }
  std::vector<unsigned char*> targets;
  std::vector<int64_t> offsets, swaps;
  std::vector<size_t> lengths;
  for (size_t r = 0; r < count; r++) {
    auto n = static_cast<int64_t>(nbytes[r]);
    auto at = static_cast<int64_t>(offsetsIn[r]);
    if (n < 0 || at < 0 || (bytes != nullptr && static_cast<uint64_t>(at + n) > sourceBytes)) {
      ThrowTorchError(env, "fillStorages: range " + std::to_string(r) + " lies outside the source");
    }
    targets.push_back(n > 0 ? StorageBytes(env, Unwrap(handles.Get(r)), n) : nullptr);
    offsets.push_back(at);
    swaps.push_back(swapsIn[r]);
    lengths.push_back(static_cast<size_t>(n));
  }
  std::vector<Piece> pieces = PiecesOf(lengths);
  std::string error = RunPieces(pieces, [&](Piece& piece) -> std::string {
    unsigned char* p = targets[piece.range] + piece.begin;
    int64_t from = offsets[piece.range] + static_cast<int64_t>(piece.begin);
    Crc32Fn crc32 = Crc32();
    unsigned long crc = 0;
    size_t done = 0;
    while (done < piece.length) {
      // Chunks only matter for the CRC (it reads each one while it is in cache); otherwise one call.
      size_t got = std::min(piece.length - done, wantCrc ? kChunk : kMaxRead);
      if (fd >= 0) {
        ssize_t n = pread(fd, p + done, got, static_cast<off_t>(from + static_cast<int64_t>(done)));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::string("checkpoint read failed: ") + std::strerror(errno);
        if (n == 0) return "checkpoint read: the file ended early (it changed size while it was read)";
        got = static_cast<size_t>(n);
      } else {
        std::memcpy(p + done, bytes + from + static_cast<int64_t>(done), got);
      }
      if (wantCrc) crc = crc32(crc, p + done, static_cast<unsigned int>(got));
      done += got;
    }
    if (swaps[piece.range] > 1) SwapInPlace(p, piece.length, swaps[piece.range]);  // pieces hold whole elements
    piece.crc = static_cast<uint32_t>(crc);
    return {};
  });
  if (!error.empty()) ThrowTorchError(env, error);
  return CombinedCrcs(env, pieces, count);
}

// readRanges(fd, offsets, lengths) -> Buffer: the byte ranges (Float64Array offsets, Uint32Array
// lengths) read one after another into one buffer. Opening a checkpoint reads every entry's
// small local header; one call for all of them, because a Node fs.readSync costs ~10 us here
// and a pread ~2 us. lib/ has checked every range against the file's size.
Napi::Value ReadRanges(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = static_cast<int>(ToInt(info[0]));
  Napi::Float64Array offsets = info[1].As<Napi::Float64Array>();
  Napi::Uint32Array lengths = info[2].As<Napi::Uint32Array>();
  size_t count = offsets.ElementLength();
  if (lengths.ElementLength() != count) ThrowTorchError(env, "readRanges: offsets and lengths differ in length");
  size_t total = 0;
  for (size_t i = 0; i < count; i++) total += lengths[i];
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, total);
  uint8_t* p = out.Data();
  for (size_t i = 0; i < count; i++) {
    size_t n = lengths[i];
    auto at = static_cast<off_t>(offsets[i]);
    size_t done = 0;
    while (done < n) {
      ssize_t got = pread(fd, p + done, n - done, at + static_cast<off_t>(done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) ThrowTorchError(env, std::string("checkpoint read failed: ") + std::strerror(errno));
      if (got == 0) ThrowTorchError(env, "checkpoint read: the file ended early (it changed size while it was read)");
      done += static_cast<size_t>(got);
    }
    p += n;
  }
  return out;
}

// storageView(h) -> ArrayBuffer over the bytes of h's CPU storage itself, no copy: torch.save
// writes storages straight from the tensors. The buffer holds its own reference to the
// storage, so it stays valid even after the tensor is disposed. Throws for non-CPU storages
// (lib/ copies those) and where the runtime forbids external buffers (V8's sandbox).
Napi::Value StorageView(const Napi::CallbackInfo& info) {
  const at::Tensor& t = Unwrap(info[0]);
  if (!t.has_storage() || !t.is_cpu()) ThrowTorchError(info.Env(), "storageView: not a CPU tensor with storage");
  auto* storage = new c10::Storage(t.storage());
  size_t bytes = storage->nbytes();
  void* data = bytes ? const_cast<void*>(static_cast<const void*>(storage->data())) : nullptr;
  if (data == nullptr) {
    delete storage;
    return Napi::ArrayBuffer::New(info.Env(), 0);
  }
  return Napi::ArrayBuffer::New(info.Env(), data, bytes, [](Napi::Env, void*, c10::Storage* s) { delete s; }, storage);
}

// startWriteback(fd, offset, nbytes): asks the kernel to start writing that range of the file
// to disk now (sync_file_range, SYNC_FILE_RANGE_WRITE), so the fsync that ends an atomic save
// finds most of the file already written instead of starting all of it then. Advice only: it
// reports nothing, and the fsync still decides durability and errors.
Napi::Value StartWriteback(const Napi::CallbackInfo& info) {
#ifdef __linux__
  sync_file_range(static_cast<int>(ToInt(info[0])), ToInt(info[1]), ToInt(info[2]), SYNC_FILE_RANGE_WRITE);
#endif
  return info.Env().Undefined();
}

// crc32s(chunks) -> Float64Array: the zip CRC-32 of each Uint8Array, through the same function
// the reader uses, big ones in pieces on several threads (torch.save checks all of a
// checkpoint's storages in one call; tests compare it with zlib's).
Napi::Value Crc32s(const Napi::CallbackInfo& info) {
  Napi::Array list = info[0].As<Napi::Array>();
  std::vector<const unsigned char*> data;
  std::vector<size_t> lengths;
  for (uint32_t r = 0; r < list.Length(); r++) {
    Napi::Value item = list.Get(r);
    if (!item.IsTypedArray() || item.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      ThrowTorchError(info.Env(), "crc32s: item " + std::to_string(r) + " is not a Uint8Array");
    }
    auto bytes = item.As<Napi::Uint8Array>();
    data.push_back(bytes.Data());
    lengths.push_back(bytes.ByteLength());
  }
  std::vector<Piece> pieces = PiecesOf(lengths);
  RunPieces(pieces, [&](Piece& piece) -> std::string {
    piece.crc = PieceCrc(data[piece.range] + piece.begin, piece.length);
    return {};
  });
  return CombinedCrcs(info.Env(), pieces, lengths.size());
}

}  // namespace

void RegisterStorageIo(Napi::Env env, Napi::Object exports) {
  Export<FillStorages>(env, exports, "fillStorages");
  Export<ReadRanges>(env, exports, "readRanges");
  Export<StorageView>(env, exports, "storageView");
  Export<Crc32s>(env, exports, "crc32s");
  Export<StartWriteback>(env, exports, "startWriteback");
}

}  // namespace tts
