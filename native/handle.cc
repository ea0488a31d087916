// Tensor handles, argument conversion and error reporting.
#include "common.h"

#include <atomic>
#include <cmath>

namespace tts {

namespace {

constexpr int64_t kGenerations = 1024;

std::atomic<int64_t> g_processLive{0};

// Bytes worth reporting to V8 so that GC pressure reflects native memory. Storages under
// 4 KiB are not reported: they cannot move the GC's heuristics, and skipping them keeps
// two V8 calls off every small op.
int64_t CpuBytes(const at::Tensor& t) {
  if (!t.defined() || !t.is_cpu() || t.is_sparse() || !t.has_storage()) return 0;
  int64_t bytes = static_cast<int64_t>(t.storage().nbytes());
  return bytes >= 4096 ? bytes : 0;
}

constexpr int64_t kLargeBytes = 1 << 20;

int64_t StorageBytes(const at::Tensor& t) {
  if (!t.defined() || t.is_sparse() || !t.has_storage()) return 0;
  return static_cast<int64_t>(t.storage().nbytes());
}

// The live slot a handle names, or nullptr when the handle is stale, forged or not a number.
Slot* Find(AddonData& data, const Napi::Value& value) {
  double d;  // one Node-API call: napi_get_value_double also rejects non-numbers
  if (napi_get_value_double(value.Env(), value, &d) != napi_ok) return nullptr;
  if (d < 0) d = -d - 1;  // a large tensor's handle (see Wrap)
  if (!(d >= 0) || d > 9007199254740991.0) return nullptr;
  int64_t id = static_cast<int64_t>(d);
  if (static_cast<double>(id) != d) return nullptr;
  uint64_t index = static_cast<uint64_t>(id / kGenerations);
  if (index >= data.slots.size()) return nullptr;
  Slot& slot = data.slots[index];
  if (!slot.live || static_cast<int64_t>(slot.generation % kGenerations) != id % kGenerations) return nullptr;
  return &slot;
}

}  // namespace

AddonData& Data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

AddonData::~AddonData() { g_processLive -= live; }

int64_t ProcessLive() { return g_processLive.load(); }

void ThrowTorchError(Napi::Env env, const std::string& message) {
  // PyTorch's message without the C++ backtrace. A dispatcher error appends the full
  // kernel registry after a blank line; that list helps nobody, so it is cut.
  std::string msg = message.substr(0, message.find("\n\n"));
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  auto* data = env.GetInstanceData<AddonData>();
  if (data == nullptr || data->torchError.IsEmpty()) throw Napi::Error::New(env, msg);
  Napi::Object err = data->torchError.New({Napi::String::New(env, msg)});
  throw Napi::Error(env, err);
}

double WrapId(Napi::Env env, at::Tensor tensor) {
  // A ZeroTensor (autograd's zero gradient, e.g. sgn's or an unused input's) has no memory
  // behind it: everything that reads bytes (toTypedArray, printing, torch.save) would read
  // none. JS gets an ordinary zeros tensor instead; its values are the same.
  if (C10_UNLIKELY(tensor._is_zerotensor())) tensor = at::zeros(tensor.sizes(), tensor.options());
  AddonData& data = Data(env);
  uint32_t index;
  if (!data.freeSlots.empty()) {
    index = data.freeSlots.back();
    data.freeSlots.pop_back();
  } else {
    index = static_cast<uint32_t>(data.slots.size());
    data.slots.emplace_back();
    data.slots.back().index = index;
  }
  Slot& slot = data.slots[index];
  slot.reported = 0;  // reported later, only if the tensor outlives its synchronous code (ReportMemory)
  slot.tensor = std::move(tensor);
  slot.live = true;
  data.live++;
  g_processLive++;
  double id = static_cast<double>(index) * kGenerations + static_cast<double>(slot.generation % kGenerations);
  // A large tensor's handle is negative: lib/ then hands it to the GC safety net at once
  // instead of batching it (a batch holds its tensors until the task yields).
  if (StorageBytes(slot.tensor) >= kLargeBytes) id = -id - 1;
  return id;
}

Napi::Value Wrap(Napi::Env env, at::Tensor tensor) { return Napi::Number::New(env, WrapId(env, std::move(tensor))); }

Napi::Value WrapOptional(Napi::Env env, const at::Tensor& tensor) {
  if (!tensor.defined()) return env.Null();
  return Wrap(env, tensor);
}

bool Release(Napi::Env env, const Napi::Value& value) {
  AddonData& data = Data(env);
  Slot* slot = Find(data, value);
  if (slot == nullptr) return false;
  slot->tensor.reset();
  slot->live = false;
  slot->generation++;
  if (slot->reported) Napi::MemoryManagement::AdjustExternalMemory(env, -slot->reported);
  slot->reported = 0;
  data.live--;
  g_processLive--;
  data.freeSlots.push_back(slot->index);
  return true;
}

void ReportMemory(Napi::Env env, const Napi::Value& value) {
  Slot* slot = Find(Data(env), value);
  if (slot == nullptr || slot->reported) return;
  slot->reported = CpuBytes(slot->tensor);
  if (slot->reported) Napi::MemoryManagement::AdjustExternalMemory(env, slot->reported);
}

at::Tensor& Unwrap(const Napi::Value& value) {
  Slot* slot = Find(Data(value.Env()), value);
  if (slot == nullptr) ThrowTorchError(value.Env(), "Tensor was disposed and cannot be used any more");
  return slot->tensor;
}

int64_t ToInt(const Napi::Value& value) {
  if (value.IsBigInt()) {
    bool lossless = true;
    int64_t v = value.As<Napi::BigInt>().Int64Value(&lossless);
    if (!lossless) throw Napi::RangeError::New(value.Env(), "integer does not fit in int64");
    return v;
  }
  double d = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9007199254740992.0) {
    throw Napi::TypeError::New(value.Env(), "expected an integer, got " + std::to_string(d));
  }
  return static_cast<int64_t>(d);
}

double ToDouble(const Napi::Value& value) { return value.As<Napi::Number>().DoubleValue(); }

bool ToBool(const Napi::Value& value) { return value.As<Napi::Boolean>().Value(); }

bool IsNullish(const Napi::Value& value) { return value.IsNull() || value.IsUndefined(); }

std::vector<int64_t> ToIntList(const Napi::Value& value) {
  Napi::Array arr = value.As<Napi::Array>();
  uint32_t n = arr.Length();
  std::vector<int64_t> out(n);
  for (uint32_t i = 0; i < n; i++) out[i] = ToInt(arr.Get(i));
  return out;
}

std::vector<at::Tensor> ToTensorList(const Napi::Value& value) {
  Napi::Array arr = value.As<Napi::Array>();
  uint32_t n = arr.Length();
  std::vector<at::Tensor> out;
  out.reserve(n);
  for (uint32_t i = 0; i < n; i++) out.push_back(Unwrap(arr.Get(i)));
  return out;
}

at::Scalar ToScalar(const Napi::Value& value) {
  if (value.IsBoolean()) return at::Scalar(value.As<Napi::Boolean>().Value());
  if (value.IsBigInt()) return at::Scalar(ToInt(value));
  // A complex value crosses as { re, im } (lib/complex.ts), as ScalarToJs gives it back.
  if (value.IsObject()) {
    Napi::Object o = value.As<Napi::Object>();
    Napi::Value re = o.Get("re"), im = o.Get("im");
    if (!re.IsNumber() || !im.IsNumber()) {
      throw Napi::TypeError::New(value.Env(), "a complex scalar must be { re: number, im: number }");
    }
    return at::Scalar(c10::complex<double>(re.As<Napi::Number>().DoubleValue(), im.As<Napi::Number>().DoubleValue()));
  }
  double d = value.As<Napi::Number>().DoubleValue();
  // An integral JS number acts like a Python int: int tensors stay int (t + 1 is int64).
  if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) <= 9007199254740992.0) {
    return at::Scalar(static_cast<int64_t>(d));
  }
  return at::Scalar(d);
}

at::ScalarType ToDtype(const Napi::Value& value) {
  int64_t code = ToInt(value);
  switch (static_cast<at::ScalarType>(code)) {
    case at::kByte: case at::kChar: case at::kShort: case at::kInt: case at::kLong:
    case at::kHalf: case at::kFloat: case at::kDouble: case at::kBool: case at::kBFloat16:
    case at::kComplexFloat: case at::kComplexDouble:
      return static_cast<at::ScalarType>(code);
    default:
      throw Napi::RangeError::New(value.Env(), "unsupported dtype code " + std::to_string(code));
  }
}

Opt<at::ScalarType> ToOptDtype(const Napi::Value& value) {
  if (IsNullish(value)) return {};
  return ToDtype(value);
}

at::Device ToDevice(const Napi::Value& value) {
  // c10::Device parses "cpu", "cuda", "cuda:1" and throws c10::Error on anything else.
  return at::Device(value.As<Napi::String>().Utf8Value());
}

Napi::Value ScalarToJs(Napi::Env env, const at::Scalar& s) {
  if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
  if (s.isIntegral(false)) return Napi::Number::New(env, static_cast<double>(s.toLong()));
  if (s.isComplex()) {
    c10::complex<double> c = s.toComplexDouble();
    Napi::Object o = Napi::Object::New(env);
    o.Set("re", c.real());
    o.Set("im", c.imag());
    return o;
  }
  return Napi::Number::New(env, s.toDouble());
}

}  // namespace tts
