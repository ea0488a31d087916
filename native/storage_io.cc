// Checkpoint storage I/O. Loading: a checkpoint's bytes go straight into new tensors' storages
// (read from the file with pread, or copied from a buffer already in memory), all storages of
// a load in one call that spreads them over a few threads, with the zip CRC-32 computed chunk
// by chunk while the bytes are still in cache (native/crc32.cc), and big-endian files swapped
// in place. No JavaScript view of the storage is made: a view would keep the storage alive
// until V8 collected it, so a freed checkpoint's memory could not be reused by the next load.
#include "common.h"
#include "crc32.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
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

// Reads exactly n bytes of fd at `at` into p; returns an error message, or "" when all came.
std::string PreadFully(int fd, unsigned char* p, size_t n, int64_t at) {
  for (size_t done = 0; done < n;) {
    ssize_t got = pread(fd, p + done, std::min(n - done, kMaxRead), static_cast<off_t>(at + static_cast<int64_t>(done)));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return std::string("checkpoint read failed: ") + std::strerror(errno);
    if (got == 0) return "checkpoint read: the file ended early (it changed size while it was read)";
    done += static_cast<size_t>(got);
  }
  return {};
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
    for (size_t done = 0; done < piece.length;) {
      // Chunks only matter for the CRC (it reads each one while it is in cache); otherwise one call.
      size_t want = std::min(piece.length - done, wantCrc ? kChunk : piece.length);
      int64_t at = from + static_cast<int64_t>(done);
      if (fd < 0) {
        std::memcpy(p + done, bytes + at, want);
      } else if (std::string error = PreadFully(fd, p + done, want, at); !error.empty()) {
        return error;
      }
      if (wantCrc) crc = crc32(crc, p + done, static_cast<unsigned int>(want));
      done += want;
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
    std::string error = PreadFully(fd, p, n, static_cast<int64_t>(offsets[i]));
    if (!error.empty()) ThrowTorchError(env, error);
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
    piece.crc = Crc32Of(data[piece.range] + piece.begin, piece.length);
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
