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

#include <ATen/core/dispatch/Dispatcher.h>

#include <deque>
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

struct Op {
  c10::OperatorHandle handle;
  std::vector<int32_t> codes;
  size_t numReturns;
};

// Ops are found once per overload and environment (lazily, on first use) and named by an
// External after that: unwrapping it costs less than any lookup. They live as long as the
// process, as the OperatorHandles they hold do, in a list shared by every environment.
std::deque<Op>& Registry() {
  static std::deque<Op> ops;  // a deque: adding one never moves the others
  return ops;
}
std::mutex g_registryMutex;

const Op& OpAt(const Napi::Value& id) {
  if (!id.IsExternal()) throw Napi::TypeError::New(id.Env(), "expected an op found by opFind");
  return *id.As<Napi::External<Op>>().Data();
}

// opFind(name, overload, codes) -> an op, or null when the linked libtorch has no such operator.
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
  std::lock_guard<std::mutex> lock(g_registryMutex);
  Registry().push_back(Op{*handle, std::vector<int32_t>(codes.Data(), codes.Data() + codes.ElementLength()), handle->schema().returns().size()});
  return Napi::External<Op>::New(env, &Registry().back());
}

template <class T, class F>
c10::List<T> ListOf(const Napi::Value& value, F convert) {
  Napi::Array arr = value.As<Napi::Array>();
  c10::List<T> out;
  out.reserve(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); i++) out.push_back(convert(arr.Get(i)));
  return out;
}

c10::IValue ToIValue(const Napi::Value& v, int32_t code) {
  switch (code) {
    case kTensor: return Unwrap(v);
    case kOptTensor: return IsNullish(v) ? c10::IValue() : c10::IValue(Unwrap(v));
    case kTensorList: return ListOf<at::Tensor>(v, [](const Napi::Value& x) { return Unwrap(x); });
    case kOptTensorList:
      return ListOf<Opt<at::Tensor>>(v, [](const Napi::Value& x) { return IsNullish(x) ? Opt<at::Tensor>() : Opt<at::Tensor>(Unwrap(x)); });
    case kInt: return IsNullish(v) ? c10::IValue() : c10::IValue(ToInt(v));
    case kIntList: return IsNullish(v) ? c10::IValue() : c10::IValue(ListOf<int64_t>(v, ToInt));
    case kFloat: return IsNullish(v) ? c10::IValue() : c10::IValue(ToDouble(v));
    case kFloatList: return IsNullish(v) ? c10::IValue() : c10::IValue(ListOf<double>(v, ToDouble));
    case kBool: return IsNullish(v) ? c10::IValue() : c10::IValue(ToBool(v));
    case kBoolList: return ListOf<bool>(v, ToBool);
    case kScalar: return IsNullish(v) ? c10::IValue() : c10::IValue(ToScalar(v));
    case kScalarList: return ListOf<at::Scalar>(v, ToScalar);
    case kString: return IsNullish(v) ? c10::IValue() : c10::IValue(v.As<Napi::String>().Utf8Value());
    case kDevice: return IsNullish(v) ? c10::IValue() : c10::IValue(ToDevice(v));
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

// opCall(op, ...args) -> a value (one return), an array (several) or undefined (none). One
// argument per schema argument, passed as call arguments (reading them costs nothing, unlike
// the elements of an array); undefined takes the schema's default.
Napi::Value OpCall(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Op& op = OpAt(info[0]);
  const auto& params = op.handle.schema().arguments();
  torch::jit::Stack stack;
  stack.reserve(std::max(params.size(), op.numReturns));
  for (size_t i = 0; i < params.size(); i++) {
    Napi::Value v = info[i + 1];
    if (v.IsUndefined() && params[i].default_value().has_value()) {
      stack.push_back(*params[i].default_value());
    } else {
      stack.push_back(ToIValue(v, op.codes[i]));
    }
  }
  op.handle.callBoxed(&stack);
  if (op.numReturns == 0) return env.Undefined();
  if (op.numReturns == 1) return FromIValue(env, std::move(stack.at(0)));
  Napi::Array out = Napi::Array::New(env, stack.size());
  for (size_t i = 0; i < stack.size(); i++) out.Set(static_cast<uint32_t>(i), FromIValue(env, std::move(stack[i])));
  return out;
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
}

}  // namespace tts
