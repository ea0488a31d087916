// Any ATen operator by its schema, through c10::Dispatcher's boxed calling convention: the
// mechanism behind the generated op surface (lib/tensor/ops.ts). PyTorch's own Python bindings
// call each op unboxed through generated C++; a generated C++ entry point per overload would be
// ~2,500 functions to compile on every build, so one boxed entry serves them all and the
// schema-driven work (overload choice, defaults of the calling rule, argument checks that name
// the argument) is done in TypeScript from the generated tables. Hot ops keep their unboxed
// fast paths in ops.cc.
//
// Each argument arrives with a conversion code that the generator derived from the schema's
// type (see ARG in lib/tensor/op_call.ts): that keeps this file independent of how a libtorch
// version spells types in c10::Type (ScalarType is a plain Int in 1.13's schema types, a type
// of its own in 2.x). `undefined` means "the schema's default" and is filled in here.
#include "common.h"
#include "op_checks.h"

#include <ATen/core/dispatch/Dispatcher.h>

#include <deque>
#include <limits>
#include <memory>
#include <mutex>

namespace tts {
namespace {

enum Arg : int32_t {
  kTensor = 1,
  kOptTensor = 2,
  kTensorList = 3,
  kOptTensorList = 4,
  kInt = 5,
  kIntList = 6,
  kFloat = 7,
  kFloatList = 8,
  kBool = 9,
  kBoolList = 10,
  kScalar = 11,
  kString = 12,
  kDevice = 13,
  kNone = 14,  // Generator?, Layout? and other values only None is accepted for
  kScalarList = 15,
};

// What opCall gives back, chosen by lib/ from the schema when it finds the op (opFind's
// `returns`): the values (one, an array of several, or undefined for none); nothing, for an
// in-place op that returns its own self (lib/ hands back the JS tensor it already holds, so
// no handle is made only to be freed); or the handles of several tensors written into the
// scratch buffer (NaN for an undefined tensor), so that no JS array is built per call.
enum Returns : int32_t { kValues = 0, kNothing = 1, kTensorHandles = 2 };

struct Op {
  c10::OperatorHandle handle;
  std::vector<int32_t> codes;
  size_t numReturns;
  int32_t returns;
  OpCheck check = nullptr;  // op_checks.cc: what libtorch 1.13 fails to check before the kernel
};

// Doubles in the scratch buffer (opScratch): room for the returns of any schema and for
// lib/tensor/indexing.ts's fast path (four per index element).
constexpr size_t kScratchLength = 256;

// Ops are found once per overload and environment (lazily, on first use) and named by an
// External after that: unwrapping it costs less than any lookup. They live as long as the
// process, as the OperatorHandles they hold do, in a list shared by every environment.
std::deque<Op>& Registry() {
  static std::deque<Op> ops;  // a deque: adding one never moves the others
  return ops;
}
std::mutex g_registryMutex;

const Op& OpAt(const Napi::Value& id) {
  // One Node-API call: napi_get_value_external refuses anything but an External.
  void* op = nullptr;
  if (napi_get_value_external(id.Env(), id, &op) != napi_ok || op == nullptr) {
    throw Napi::TypeError::New(id.Env(), "expected an op found by opFind");
  }
  return *static_cast<const Op*>(op);
}

// opFind(name, overload, codes, returns = kValues) -> an op, or null when the linked libtorch has no such operator.
Napi::Value OpFind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::string overload = info[1].As<Napi::String>().Utf8Value();
  auto handle = c10::Dispatcher::singleton().findSchema({name, overload});
  if (!handle.has_value()) return env.Null();
  Napi::Int32Array codes = info[2].As<Napi::Int32Array>();
  if (codes.ElementLength() != handle->schema().arguments().size()) {
    ThrowTorchError(env, name + "." + overload + ": the linked libtorch's schema has " +
                             std::to_string(handle->schema().arguments().size()) + " arguments, the generated table " +
                             std::to_string(codes.ElementLength()) + " (regenerate the op tables for this libtorch)");
  }
  int32_t returns = info.Length() > 3 && info[3].IsNumber() ? info[3].As<Napi::Number>().Int32Value() : kValues;
  if (returns == kTensorHandles) {
    // Checked here, once, so that a call can write handles without looking.
    const AddonData& data = Data(env);
    bool tensors = data.scratch != nullptr && handle->schema().returns().size() <= data.scratchLength;
    for (const auto& r : handle->schema().returns()) tensors = tensors && r.type()->kind() == c10::TypeKind::TensorType;
    if (!tensors) ThrowTorchError(env, name + "." + overload + ": its returns cannot be passed as tensor handles");
  } else if (returns != kValues && returns != kNothing) {
    throw Napi::RangeError::New(env, "opFind: unknown returns mode " + std::to_string(returns));
  }
  std::lock_guard<std::mutex> lock(g_registryMutex);
  Registry().push_back(Op{*handle, std::vector<int32_t>(codes.Data(), codes.Data() + codes.ElementLength()),
                          handle->schema().returns().size(), returns, OpCheckFor(name)});
  return Napi::External<Op>::New(env, &Registry().back());
}

template <class T, class F>
c10::List<T> ListOf(const Napi::Value& value, F convert) {
  Napi::Array arr = value.As<Napi::Array>();
  const uint32_t n = arr.Length();
  c10::List<T> out;
  out.reserve(n);
  for (uint32_t i = 0; i < n; i++) out.push_back(convert(arr.Get(i)));
  return out;
}

// `type` is v's napi_typeof, asked once by the caller: every case below needs it.
c10::IValue ToIValue(const Napi::Value& v, napi_valuetype type, int32_t code) {
  const bool nullish = type == napi_undefined || type == napi_null;
  switch (code) {
    case kTensor: return Unwrap(v);
    case kOptTensor: return nullish ? c10::IValue() : c10::IValue(Unwrap(v));
    case kTensorList: return ListOf<at::Tensor>(v, [](const Napi::Value& x) { return Unwrap(x); });
    case kOptTensorList:
      return ListOf<Opt<at::Tensor>>(v, [](const Napi::Value& x) { return IsNullish(x) ? Opt<at::Tensor>() : Opt<at::Tensor>(Unwrap(x)); });
    case kInt: return nullish ? c10::IValue() : c10::IValue(ToInt(v));
    case kIntList: return nullish ? c10::IValue() : c10::IValue(ListOf<int64_t>(v, ToInt));
    case kFloat: return nullish ? c10::IValue() : c10::IValue(ToDouble(v));
    case kFloatList: return nullish ? c10::IValue() : c10::IValue(ListOf<double>(v, ToDouble));
    case kBool: return nullish ? c10::IValue() : c10::IValue(ToBool(v));
    case kBoolList: return ListOf<bool>(v, ToBool);
    case kScalar: return nullish ? c10::IValue() : c10::IValue(ToScalar(v));
    case kScalarList: return ListOf<at::Scalar>(v, ToScalar);
    case kString: return nullish ? c10::IValue() : c10::IValue(v.As<Napi::String>().Utf8Value());
    case kDevice: return nullish ? c10::IValue() : c10::IValue(ToDevice(v));
    case kNone: return c10::IValue();
    default: throw Napi::RangeError::New(v.Env(), "unknown argument code " + std::to_string(code));
  }
}

Napi::Value FromIValue(Napi::Env env, c10::IValue v) {
  if (v.isTensor()) return WrapOptional(env, v.toTensor());
  if (v.isNone()) return env.Null();
  if (v.isTensorList()) {
    auto list = v.toTensorList();
    Napi::Array out = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); i++) out.Set(static_cast<uint32_t>(i), WrapOptional(env, list.get(i)));
    return out;
  }
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isScalar()) return ScalarToJs(env, v.toScalar());
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  if (v.isList()) {
    auto list = v.toList();
    Napi::Array out = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); i++) out.Set(static_cast<uint32_t>(i), FromIValue(env, list.get(i)));
    return out;
  }
  if (v.isTuple()) {
    const auto& elems = v.toTupleRef().elements();
    Napi::Array out = Napi::Array::New(env, elems.size());
    for (size_t i = 0; i < elems.size(); i++) out.Set(static_cast<uint32_t>(i), FromIValue(env, elems[i]));
    return out;
  }
  ThrowTorchError(env, std::string("an operator returned a value torch-ts cannot convert: ") + v.tagKind());
}

// A thread's stack for opCall, kept between calls so that a call allocates none; emptied when
// the call ends (thrown or not), so no argument or result outlives it. A call made while the
// stack is in use (none is expected: no JS runs inside an op) gets a stack of its own.
class CallStack {
 public:
  // The thread-local state is looked up once (in a shared library each access is a call).
  CallStack() : shared_(Shared()), lent_(!shared_.inUse), stack_(lent_ ? shared_.stack : own_) {
    if (lent_) shared_.inUse = true;
    stack_.clear();
  }
  ~CallStack() {
    stack_.clear();
    if (lent_) shared_.inUse = false;
  }
  CallStack(const CallStack&) = delete;
  CallStack& operator=(const CallStack&) = delete;
  torch::jit::Stack& get() { return stack_; }

 private:
  struct State {
    torch::jit::Stack stack;
    bool inUse = false;
  };
  static State& Shared() {
    thread_local State state;
    return state;
  }
  State& shared_;
  bool lent_;
  torch::jit::Stack own_;
  torch::jit::Stack& stack_;
};

// opCall(op, ...args) -> a value (one return), an array (several) or undefined (none), or
// undefined with the returns' handles in the scratch buffer (see Returns). One argument per
// schema argument, passed as call arguments (reading them costs nothing, unlike the elements
// of an array); undefined takes the schema's default.
Napi::Value OpCall(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Op& op = OpAt(info[0]);
  const auto& params = op.handle.schema().arguments();
  CallStack lease;
  torch::jit::Stack& stack = lease.get();
  stack.reserve(std::max(params.size(), op.numReturns));
  for (size_t i = 0; i < params.size(); i++) {
    Napi::Value v = info[i + 1];
    // A tensor without a default needs no type check: Unwrap refuses what is not a live handle.
    if (op.codes[i] == kTensor && !params[i].default_value().has_value()) {
      stack.push_back(Unwrap(v));
      continue;
    }
    napi_valuetype type;
    if (napi_typeof(env, v, &type) != napi_ok) throw Napi::Error::New(env);
    if (type == napi_undefined && params[i].default_value().has_value()) {
      stack.push_back(*params[i].default_value());
    } else {
      stack.push_back(ToIValue(v, type, op.codes[i]));
    }
  }
  if (op.check != nullptr) op.check(op.handle.schema(), stack);
  try {
    op.handle.callBoxed(&stack);
  } catch (const c10::Error&) {
    throw;  // PyTorch's own message
  } catch (const std::exception& e) {
    // A bare C++ library failure inside the op ("std::bad_alloc" from x.chunk(2 ** 40) of an
    // empty tensor, "vector::_M_range_check") names nothing: say which op raised it.
    ThrowTorchError(env, op.handle.schema().name() + ": " + (dynamic_cast<const std::bad_alloc*>(&e) != nullptr ? "out of memory (std::bad_alloc)" : e.what()));
  }
  if (op.numReturns == 0 || op.returns == kNothing) return env.Undefined();
  if (op.returns == kTensorHandles) {
    double* out = Data(env).scratch;  // opFind checked that it holds numReturns
    for (size_t i = 0; i < stack.size(); i++) {
      at::Tensor t = std::move(stack[i]).toTensor();
      out[i] = t.defined() ? WrapId(env, std::move(t)) : std::numeric_limits<double>::quiet_NaN();
    }
    return env.Undefined();
  }
  if (op.numReturns == 1) return FromIValue(env, std::move(stack.at(0)));
  Napi::Array out = Napi::Array::New(env, stack.size());
  for (size_t i = 0; i < stack.size(); i++) out.Set(static_cast<uint32_t>(i), FromIValue(env, std::move(stack[i])));
  return out;
}

// opScratch() -> the environment's scratch buffer (made on first call): kScratchLength doubles
// that lib/ reads handles from and writes index elements into, beside the calls that use them.
Napi::Value OpScratch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonData& data = Data(env);
  if (data.scratch == nullptr) {
    Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, kScratchLength * sizeof(double));
    data.scratchBuffer = Napi::Persistent(buffer);
    data.scratch = static_cast<double*>(buffer.Data());
    data.scratchLength = kScratchLength;
  }
  return data.scratchBuffer.Value();
}

// opSchemas() -> every registered aten:: schema as text, for scripts/gen-ops and for tests
// that compare the generated tables with the linked libtorch.
Napi::Value OpSchemas(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<std::string> out;
  for (const auto& name : c10::Dispatcher::singleton().getAllOpNames()) {
    if (name.name.rfind("aten::", 0) != 0) continue;
    auto handle = c10::Dispatcher::singleton().findSchema(name);
    if (handle.has_value()) out.push_back(c10::toString(handle->schema()));
  }
  Napi::Array arr = Napi::Array::New(env, out.size());
  for (size_t i = 0; i < out.size(); i++) arr.Set(static_cast<uint32_t>(i), Napi::String::New(env, out[i]));
  return arr;
}

}  // namespace

void RegisterDispatch(Napi::Env env, Napi::Object exports) {
  Export<OpFind>(env, exports, "opFind");
  Export<OpCall>(env, exports, "opCall");
  Export<OpSchemas>(env, exports, "opSchemas");
  Export<OpScratch>(env, exports, "opScratch");
}

}  // namespace tts
