// Tensor handles, argument conversion and error reporting.
#include "common.h"

#include <cmath>

namespace tts {

namespace {

std::atomic<int64_t> g_live{0};

// Marks externals made by this addon so a foreign external is refused, not dereferenced.
constexpr napi_type_tag kTensorTag = {0x7f3a1c5e2b9d4e61ULL, 0x9c0b8e7d6a5f4321ULL};

int64_t CpuBytes(const at::Tensor& t) {
  if (!t.defined() || !t.is_cpu() || t.is_sparse() || !t.has_storage()) return 0;
  return static_cast<int64_t>(t.storage().nbytes());
}

void Finalize(Napi::Env env, TensorBox* box) {
  if (!box->disposed) DisposeBox(env, box);
  delete box;
}

}  // namespace

int64_t LiveTensors() { return g_live.load(); }

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

Napi::Value Wrap(Napi::Env env, at::Tensor tensor) {
  auto* box = new TensorBox{std::move(tensor)};
  box->reported = CpuBytes(box->tensor);
  Napi::External<TensorBox> ext = Napi::External<TensorBox>::New(env, box, Finalize);
  ext.TypeTag(&kTensorTag);
  if (box->reported) Napi::MemoryManagement::AdjustExternalMemory(env, box->reported);
  g_live.fetch_add(1, std::memory_order_relaxed);
  return ext;
}

Napi::Value WrapOptional(Napi::Env env, const at::Tensor& tensor) {
  if (!tensor.defined()) return env.Null();
  return Wrap(env, tensor);
}

void DisposeBox(Napi::Env env, TensorBox* box) {
  if (box->disposed) return;
  box->tensor.reset();
  box->disposed = true;
  if (box->reported) Napi::MemoryManagement::AdjustExternalMemory(env, -box->reported);
  box->reported = 0;
  g_live.fetch_sub(1, std::memory_order_relaxed);
}

void Rereport(Napi::Env env, TensorBox* box) {
  int64_t now = CpuBytes(box->tensor);
  if (now != box->reported) {
    Napi::MemoryManagement::AdjustExternalMemory(env, now - box->reported);
    box->reported = now;
  }
}

bool IsTensor(const Napi::Value& value) {
  return value.IsExternal() && value.As<Napi::External<TensorBox>>().CheckTypeTag(&kTensorTag);
}

TensorBox* UnwrapBox(const Napi::Value& value) {
  if (!IsTensor(value)) throw Napi::TypeError::New(value.Env(), "expected a tensor handle");
  return value.As<Napi::External<TensorBox>>().Data();
}

at::Tensor& Unwrap(const Napi::Value& value) {
  TensorBox* box = UnwrapBox(value);
  if (box->disposed) ThrowTorchError(value.Env(), "Tensor was disposed and cannot be used any more");
  return box->tensor;
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
  return Napi::Number::New(env, s.toDouble());
}

}  // namespace tts
