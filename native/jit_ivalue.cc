// IValue <-> JS for TorchScript calls (the tagged form is described in native/jit.h). JS to
// IValue is guided by the method's schema: a JS number is an int where the schema says int and
// a float where it says float, an array is a list or a tuple as the schema says, so the same
// JS value means what Python would pass. Where the schema says Any (a traced function's
// outputs), the value's own shape decides.
#include "jit.h"

#include <ATen/core/Dict.h>
#include <ATen/core/class_type.h>
#include <ATen/core/List.h>
#include <ATen/core/jit_type.h>

#include <cmath>

namespace tts {
namespace {

std::string Kind(const Napi::Value& v) {
  if (IsNullish(v)) return "null";
  if (v.IsBoolean()) return "boolean";
  if (v.IsNumber()) return "number";
  if (v.IsString()) return "string";
  if (v.IsObject() && v.As<Napi::Object>().Has("k")) {
    std::string k = v.As<Napi::Object>().Get("k").As<Napi::String>().Utf8Value();
    if (k == "t") return "Tensor";
    if (k == "l" || k == "u") return "array";
    if (k == "d") return "object";
    if (k == "dev") return "device";
    if (k == "m") return "module";
  }
  return "unsupported value";
}

std::string Tag(const Napi::Value& v) {
  if (!v.IsObject() || !v.As<Napi::Object>().Has("k")) return "";
  return v.As<Napi::Object>().Get("k").As<Napi::String>().Utf8Value();
}

[[noreturn]] void Mismatch(const Napi::Value& v, const c10::TypePtr& type, const std::string& where) {
  throw Napi::TypeError::New(v.Env(), where + " expected " + type->annotation_str() + ", got " + Kind(v));
}

Napi::Array Items(const Napi::Value& v) { return v.As<Napi::Object>().Get("v").As<Napi::Array>(); }

// The type a JS value has on its own, for Any positions.
c10::TypePtr Infer(const Napi::Value& v, const std::string& where) {
  std::string tag = Tag(v);
  if (IsNullish(v)) return c10::NoneType::get();
  if (v.IsBoolean()) return c10::BoolType::get();
  if (v.IsString()) return c10::StringType::get();
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    // An integral JS number is a Python int (3, not 3.0), as JSON and Python's own literals read.
    if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.007199254740992e15) return c10::IntType::get();
    return c10::FloatType::get();
  }
  if (tag == "t") return c10::TensorType::get();
  if (tag == "dev") return c10::DeviceObjType::get();
  if (tag == "u") {
    std::vector<c10::TypePtr> types;
    Napi::Array items = Items(v);
    for (uint32_t i = 0; i < items.Length(); i++) types.push_back(Infer(items.Get(i), where + "[" + std::to_string(i) + "]"));
    return c10::TupleType::create(std::move(types));
  }
  if (tag == "l" || tag == "d") {
    Napi::Array items = Items(v);
    if (items.Length() == 0) {
      throw Napi::TypeError::New(v.Env(), where + ": an empty " + (tag == "l" ? "list" : "dict") + " has no element type to infer; the schema must name it");
    }
    auto unify = [&](c10::TypePtr a, const c10::TypePtr& b) {
      auto u = c10::unifyTypes(a, b);
      if (!u) throw Napi::TypeError::New(v.Env(), where + ": elements of types " + a->annotation_str() + " and " + b->annotation_str() + " do not make one TorchScript type");
      return *u;
    };
    if (tag == "l") {
      c10::TypePtr elem = Infer(items.Get(0u), where + "[0]");
      for (uint32_t i = 1; i < items.Length(); i++) elem = unify(elem, Infer(items.Get(i), where + "[" + std::to_string(i) + "]"));
      return c10::ListType::create(elem);
    }
    Napi::Array first = items.Get(0u).As<Napi::Array>();
    c10::TypePtr key = Infer(first.Get(0u), where), value = Infer(first.Get(1u), where);
    for (uint32_t i = 1; i < items.Length(); i++) {
      Napi::Array kv = items.Get(i).As<Napi::Array>();
      key = unify(key, Infer(kv.Get(0u), where));
      value = unify(value, Infer(kv.Get(1u), where));
    }
    return c10::DictType::create(key, value);
  }
  throw Napi::TypeError::New(v.Env(), where + ": a " + Kind(v) + " has no TorchScript type");
}

int64_t ToInt64(const Napi::Value& v, const c10::TypePtr& type, const std::string& where) {
  if (!v.IsNumber()) Mismatch(v, type, where);
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::trunc(d) != d) throw Napi::TypeError::New(v.Env(), where + " expected int, got " + std::to_string(d));
  return static_cast<int64_t>(d);
}

}  // namespace

c10::IValue IValueFromJs(const Napi::Value& v, const c10::TypePtr& type, const std::string& where) {
  std::string tag = Tag(v);
  switch (type->kind()) {
    case c10::TypeKind::AnyType:
      return IValueFromJs(v, Infer(v, where), where);
    case c10::TypeKind::TensorType:
      if (tag != "t") Mismatch(v, type, where);
      return Unwrap(v.As<Napi::Object>().Get("h"));
    case c10::TypeKind::IntType:
      return ToInt64(v, type, where);
    case c10::TypeKind::FloatType:
      if (!v.IsNumber()) Mismatch(v, type, where);
      return v.As<Napi::Number>().DoubleValue();
    case c10::TypeKind::NumberType:
    case c10::TypeKind::ScalarTypeType:
    case c10::TypeKind::LayoutType:
    case c10::TypeKind::MemoryFormatType:
      if (!v.IsNumber()) Mismatch(v, type, where);
      return IValueFromJs(v, Infer(v, where), where);
    case c10::TypeKind::BoolType:
      if (!v.IsBoolean()) Mismatch(v, type, where);
      return v.As<Napi::Boolean>().Value();
    case c10::TypeKind::StringType:
      if (!v.IsString()) Mismatch(v, type, where);
      return v.As<Napi::String>().Utf8Value();
    case c10::TypeKind::DeviceObjType:
      if (v.IsString()) return ToDevice(v);
      if (tag != "dev") Mismatch(v, type, where);
      return ToDevice(v.As<Napi::Object>().Get("v"));
    case c10::TypeKind::NoneType:
      if (!IsNullish(v)) Mismatch(v, type, where);
      return c10::IValue();
    case c10::TypeKind::OptionalType:
      if (IsNullish(v)) return c10::IValue();
      return IValueFromJs(v, type->expectRef<c10::OptionalType>().getElementType(), where);
    case c10::TypeKind::UnionType: {
      for (const auto& alt : type->expectRef<c10::UnionType>().containedTypes()) {
        try {
          return IValueFromJs(v, alt, where);
        } catch (const Napi::Error&) {
        }
      }
      Mismatch(v, type, where);
    }
    case c10::TypeKind::ListType: {
      if (tag != "l" && tag != "u") Mismatch(v, type, where);
      const c10::TypePtr& elem = type->expectRef<c10::ListType>().getElementType();
      c10::impl::GenericList list(elem);
      Napi::Array items = Items(v);
      list.reserve(items.Length());
      for (uint32_t i = 0; i < items.Length(); i++) list.push_back(IValueFromJs(items.Get(i), elem, where + "[" + std::to_string(i) + "]"));
      return list;
    }
    case c10::TypeKind::TupleType: {
      if (tag != "l" && tag != "u") Mismatch(v, type, where);
      const auto& elems = type->expectRef<c10::TupleType>().elements();
      Napi::Array items = Items(v);
      if (items.Length() != elems.size()) {
        throw Napi::TypeError::New(v.Env(), where + " expected a tuple of " + std::to_string(elems.size()) + " elements, got " + std::to_string(items.Length()));
      }
      std::vector<c10::IValue> values;
      for (uint32_t i = 0; i < items.Length(); i++) values.push_back(IValueFromJs(items.Get(i), elems[i], where + "[" + std::to_string(i) + "]"));
      return c10::ivalue::Tuple::create(std::move(values));
    }
    case c10::TypeKind::DictType: {
      if (tag != "d") Mismatch(v, type, where);
      const auto& dict = type->expectRef<c10::DictType>();
      c10::impl::GenericDict out(dict.getKeyType(), dict.getValueType());
      Napi::Array items = Items(v);
      for (uint32_t i = 0; i < items.Length(); i++) {
        Napi::Array kv = items.Get(i).As<Napi::Array>();
        out.insert_or_assign(IValueFromJs(kv.Get(0u), dict.getKeyType(), where + " key"),
                             IValueFromJs(kv.Get(1u), dict.getValueType(), where + "[" + Napi::Value(kv.Get(0u)).ToString().Utf8Value() + "]"));
      }
      return out;
    }
    default:
      throw Napi::TypeError::New(v.Env(), where + ": torch-ts cannot pass a value of TorchScript type " + type->annotation_str());
  }
}

Napi::Value IValueToJs(Napi::Env env, const c10::IValue& value) {
  auto tagged = [&](const char* k) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("k", k);
    return o;
  };
  if (value.isNone()) return env.Null();
  if (value.isBool()) return Napi::Boolean::New(env, value.toBool());
  if (value.isInt()) return Napi::Number::New(env, static_cast<double>(value.toInt()));
  if (value.isDouble()) return Napi::Number::New(env, value.toDouble());
  if (value.isString()) return Napi::String::New(env, value.toStringRef());
  if (value.isTensor()) {
    const at::Tensor& t = value.toTensor();
    if (!t.defined()) return env.Null();
    Napi::Object o = tagged("t");
    o.Set("h", Wrap(env, t));
    return o;
  }
  if (value.isList() || value.isTuple()) {
    Napi::Object o = tagged(value.isList() ? "l" : "u");
    Napi::Array items = Napi::Array::New(env);
    uint32_t i = 0;
    if (value.isList()) {
      for (const c10::IValue& e : value.toListRef()) items.Set(i++, IValueToJs(env, e));
    } else {
      for (const c10::IValue& e : value.toTupleRef().elements()) items.Set(i++, IValueToJs(env, e));
    }
    o.Set("v", items);
    return o;
  }
  if (value.isGenericDict()) {
    Napi::Object o = tagged("d");
    Napi::Array items = Napi::Array::New(env);
    uint32_t i = 0;
    for (const auto& entry : value.toGenericDict()) {
      Napi::Array kv = Napi::Array::New(env, 2);
      kv.Set(0u, IValueToJs(env, entry.key()));
      kv.Set(1u, IValueToJs(env, entry.value()));
      items.Set(i++, kv);
    }
    o.Set("v", items);
    return o;
  }
  if (value.isDevice()) {
    Napi::Object o = tagged("dev");
    o.Set("v", value.toDevice().str());
    return o;
  }
  if (value.isObject() && value.toObjectRef().type()->is_module()) {
    Napi::Object o = tagged("m");
    o.Set("ref", WrapModuleObject(env, value.toObject()));
    return o;
  }
  Napi::Object o = tagged("o");
  o.Set("type", value.type()->annotation_str());
  return o;
}

}  // namespace tts
