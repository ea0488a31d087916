// CRC-32 as zip files use it (zlib's). native/crc32.cc; no libtorch or N-API headers, so the
// translation unit builds in a second.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tts {

/** zlib's crc32() signature: crc is the CRC-32 of the bytes before buf (0 to start). */
using Crc32Fn = unsigned long (*)(unsigned long crc, const unsigned char* buf, unsigned int len);

/** The fastest CRC-32 this CPU has that agrees with zlib on a test pattern. */
Crc32Fn Crc32();

/** The CRC-32 of n bytes of memory. */
uint32_t Crc32Of(const unsigned char* p, size_t n);

/** The CRC-32 of a run A followed by a run B, from crc(A), crc(B) and B's length. */
uint32_t Crc32Combine(uint32_t crcA, uint32_t crcB, uint64_t lenB);

}  // namespace tts
