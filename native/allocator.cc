// CPU memory policy of the process: glibc's thresholds and a huge-page allocator for large
// tensor buffers. Page faults, not kernels, are what large tensors cost on a fresh page:
// measured on the 2-core dev VM, first-touching 100 MiB takes 320 ms in 4 KiB pages and
// 10-14 ms in 2 MiB pages, and a ResNet-18 forward at batch 32 took 25 000-37 000 faults
// (200-290 ms of system time) per call in both torch-ts and Python PyTorch.
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <c10/util/Exception.h>

#include <malloc.h>
#include <sys/mman.h>

#include <atomic>
#include <cstdlib>
#include <type_traits>
#include <mutex>
#include <string>

namespace tts {

namespace {

bool g_mallocTuned = false;
bool g_hugePages = false;
std::atomic<int64_t> g_allocated{0};  // bytes of CPU tensor memory held, as malloc sizes them

constexpr size_t kHugePage = size_t{2} << 20;

bool EnvIs(const char* name, const char* value) {
  const char* v = std::getenv(name);
  return v != nullptr && std::string(v) == value;
}

void FreeCpu(void* data) {
  if (data != nullptr) g_allocated.fetch_sub(static_cast<int64_t>(malloc_usable_size(data)), std::memory_order_relaxed);
  c10::free_cpu(data);
}

c10::DataPtr AllocateCpu(size_t nbytes) {
  void* data = nullptr;
  if (nbytes < kHugePage || !g_hugePages) {
    data = c10::alloc_cpu(nbytes);
  } else {
    int err = posix_memalign(&data, kHugePage, nbytes);
    TORCH_CHECK(err == 0 && data != nullptr, "DefaultCPUAllocator: not enough memory: you tried to allocate ", nbytes, " bytes.");
    madvise(data, nbytes, MADV_HUGEPAGE);  // advice only: a refusal leaves ordinary pages
  }
  if (data != nullptr) g_allocated.fetch_add(static_cast<int64_t>(malloc_usable_size(data)), std::memory_order_relaxed);
  return {data, data, &FreeCpu, c10::Device(c10::DeviceType::CPU)};
}

// The c10::Allocator interface changed in PyTorch 2.3: allocate() lost its const and
// copy_data() became pure virtual. The overrides below are picked by what this libtorch
// declares (Debian's 1.13 here, a pip 2.x on the GPU machine), through a dependent base so
// the branch not taken is never checked.
template <class A, class = void>
struct HasCopyData : std::false_type {};
template <class A>
struct HasCopyData<A, std::void_t<decltype(&A::copy_data)>> : std::true_type {};
constexpr bool kConstAllocate = std::is_same_v<decltype(&c10::Allocator::allocate), c10::DataPtr (c10::Allocator::*)(size_t) const>;

template <class Base, bool = HasCopyData<Base>::value>
struct WithCopyData : Base {};
template <class Base>
struct WithCopyData<Base, true> : Base {
  void copy_data(void* dest, const void* src, std::size_t count) const override { this->default_copy_data(dest, src, count); }
};

// libtorch's CPU allocator, plus two things. It counts the bytes it holds, so tests can prove
// that a disposed tensor's memory is freed at once, not at some later GC. And, unless
// TORCH_TS_HUGEPAGES=0, it does what PyTorch >= 2.1 does with C10_THP_MEM_ALLOC_ENABLE=1:
// buffers of 2 MiB and more start on a 2 MiB boundary and are marked MADV_HUGEPAGE, so the
// kernel backs them with huge pages on first touch (THP "madvise" mode, Debian's default; a
// no-op under "never"). Smaller buffers are allocated exactly as the default allocator does.
// Every buffer is freed with free(), so raw_deleter() is the same for both.
template <class Base, bool = kConstAllocate>
struct CpuAllocatorOf final : WithCopyData<Base> {
  c10::DataPtr allocate(size_t nbytes) const override { return AllocateCpu(nbytes); }
  c10::DeleterFnPtr raw_deleter() const override { return &FreeCpu; }
};
template <class Base>
struct CpuAllocatorOf<Base, false> final : WithCopyData<Base> {
  c10::DataPtr allocate(size_t nbytes) override { return AllocateCpu(nbytes); }
  c10::DeleterFnPtr raw_deleter() const override { return &FreeCpu; }
};
using CpuAllocator = CpuAllocatorOf<c10::Allocator>;

}  // namespace

// glibc serves allocations over 128 KiB with fresh mmap'd pages and unmaps them on free, so
// every training step's activations page-fault back in (measured here: ResNet-18 batch 32 on
// 28x28, 144 -> 67 ms per step). Keep such blocks in the heap instead, as long-running
// PyTorch jobs do with a tuned allocator. Skipped when the user tunes malloc themselves or
// sets TORCH_TS_MALLOC_TUNING=0. Huge pages: skipped with TORCH_TS_HUGEPAGES=0.
// config() reports both (mallocTuned, hugePages).
void ConfigureCpuMemory() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (!EnvIs("TORCH_TS_MALLOC_TUNING", "0") && !std::getenv("GLIBC_TUNABLES") && !std::getenv("MALLOC_MMAP_THRESHOLD_") &&
        !std::getenv("MALLOC_TRIM_THRESHOLD_")) {
      g_mallocTuned = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1;
    }
    static CpuAllocator allocator;  // static lifetime: c10 keeps the raw pointer
    g_hugePages = !EnvIs("TORCH_TS_HUGEPAGES", "0");
    c10::SetCPUAllocator(&allocator, /*priority=*/1);
    if (c10::GetCPUAllocator() != &allocator) g_hugePages = false;
  });
}

bool MallocTuned() { return g_mallocTuned; }
bool HugePages() { return g_hugePages; }
int64_t CpuBytesAllocated() { return g_allocated.load(std::memory_order_relaxed); }

}  // namespace tts
