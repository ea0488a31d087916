// TorchScript modules: torch.jit.load / save, their methods run from JS (on the calling thread
// or on a libuv worker), tracing a torch-ts module into one, and libtorch's freeze and
// optimize_for_inference. A script module crosses into JS as an External holding a
// torch::jit::Module, which is itself a reference to the module object: a submodule's
// External and its parent share state, as in Python.
//
// Parameters and buffers cross as ordinary tensor handles to the very tensors the module
// holds (not copies), so torch-ts optimizers, loadStateDict and Module.to act on the script
// module's own state, and gradients from a scripted forward land in those tensors' .grad.
#include "jit.h"

#include "worker.h"

#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/csrc/jit/serialization/import.h>

#include <sstream>

namespace tts {
namespace {

using ModuleRef = Napi::External<torch::jit::Module>;

torch::jit::Module& UnwrapModule(const Napi::Value& value) {
  if (!value.IsExternal()) throw Napi::TypeError::New(value.Env(), "expected a script module reference");
  return *value.As<ModuleRef>().Data();
}

Napi::Value WrapModule(Napi::Env env, torch::jit::Module module) {
  return ModuleRef::New(env, new torch::jit::Module(std::move(module)), [](Napi::Env, torch::jit::Module* m) { delete m; });
}

Opt<c10::Device> OptDevice(const Napi::Value& value) {
  if (IsNullish(value)) return {};
  return ToDevice(value);
}

// jitLoad(path | Uint8Array, device | null) -> ref. lib/jit/archive_check.ts has already read
// the archive's zip structure with the project's own reader; libtorch parses the rest.
Napi::Value JitLoad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Opt<c10::Device> device = OptDevice(info[1]);
  if (info[0].IsString()) return WrapModule(env, torch::jit::load(info[0].As<Napi::String>().Utf8Value(), device));
  auto bytes = info[0].As<Napi::Uint8Array>();
  std::istringstream in(std::string(reinterpret_cast<const char*>(bytes.Data()), bytes.ByteLength()));
  return WrapModule(env, torch::jit::load(in, device));
}

Napi::Array Pairs(Napi::Env env, const std::vector<std::pair<std::string, Napi::Value>>& items) {
  Napi::Array out = Napi::Array::New(env, items.size());
  for (uint32_t i = 0; i < items.size(); i++) {
    Napi::Array kv = Napi::Array::New(env, 2);
    kv.Set(0u, items[i].first);
    kv.Set(1u, items[i].second);
    out.Set(i, kv);
  }
  return out;
}

Napi::Object SchemaToJs(Napi::Env env, const c10::FunctionSchema& schema) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("text", c10::toString(schema));
  Napi::Array args = Napi::Array::New(env);
  uint32_t n = 0;
  for (const c10::Argument& a : schema.arguments()) {
    if (n == 0 && a.name() == "self") {  // the module itself: JS passes it implicitly
      n = 1;
      continue;
    }
    Napi::Object arg = Napi::Object::New(env);
    arg.Set("name", a.name());
    arg.Set("type", a.type()->annotation_str());
    arg.Set("hasDefault", a.default_value().has_value());
    arg.Set("kwargOnly", a.kwarg_only());
    args.Set(args.Length(), arg);
    n = 1;
  }
  o.Set("args", args);
  return o;
}

// jitInfo(ref) -> { type, training, parameters, buffers, children, attributes, methods }: what
// lib/jit/script_module.ts builds a ScriptModule from. Only this module's own members
// (Python's recurse=False); children come as refs.
Napi::Value JitInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  torch::jit::Module& m = UnwrapModule(info[0]);
  const c10::ClassTypePtr& type = m.type();
  std::vector<std::pair<std::string, Napi::Value>> params, buffers, children, attributes;
  for (size_t i = 0; i < type->numAttributes(); i++) {
    const std::string& name = type->getAttributeName(i);
    c10::IValue value = m._ivalue()->getSlot(i);
    if (type->getAttribute(i)->is_module()) {
      children.emplace_back(name, WrapModule(env, torch::jit::Module(value.toObject())));
    } else if (type->is_parameter(i)) {
      params.emplace_back(name, value.isTensor() ? Wrap(env, value.toTensor()) : env.Null());
    } else if (type->is_buffer(i)) {
      buffers.emplace_back(name, value.isTensor() ? Wrap(env, value.toTensor()) : env.Null());
    } else if (name != "training") {
      attributes.emplace_back(name, IValueToJs(env, value));
    }
  }
  Napi::Array methods = Napi::Array::New(env);
  for (const torch::jit::Method& method : m.get_methods()) {
    Napi::Object o = SchemaToJs(env, method.function().getSchema());
    o.Set("name", method.name());
    methods.Set(methods.Length(), o);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("type", type->name() ? type->name()->qualifiedName() : std::string("Module"));
  // A frozen module has no `training` attribute: it is fixed in eval mode.
  out.Set("hasTraining", m.hasattr("training"));
  out.Set("training", m.hasattr("training") ? m.is_training() : false);
  out.Set("parameters", Pairs(env, params));
  out.Set("buffers", Pairs(env, buffers));
  out.Set("children", Pairs(env, children));
  out.Set("attributes", Pairs(env, attributes));
  out.Set("methods", methods);
  return out;
}

// The call's stack and keyword arguments, converted against the method's schema on the JS
// thread (a conversion error is a TypeError naming the argument, before anything runs).
struct PreparedCall {
  torch::jit::Method method;
  std::vector<c10::IValue> stack;
  torch::jit::Kwargs kwargs;
};

PreparedCall Prepare(const Napi::CallbackInfo& info, bool copyTensors) {
  Napi::Env env = info.Env();
  torch::jit::Module& m = UnwrapModule(info[0]);
  std::string name = info[1].As<Napi::String>().Utf8Value();
  auto found = m.find_method(name);
  if (!found) ThrowTorchError(env, "ScriptModule has no method '" + name + "' (" + m.type()->repr_str() + ")");
  PreparedCall call{*found, {}, {}};
  const auto& args = call.method.function().getSchema().arguments();
  Napi::Array positional = info[2].As<Napi::Array>();
  if (positional.Length() + 1 > args.size()) {
    throw Napi::TypeError::New(env, name + "() takes " + std::to_string(args.size() - 1) + " argument(s), " +
                                        std::to_string(positional.Length()) + " given");
  }
  for (uint32_t i = 0; i < positional.Length(); i++) {
    const c10::Argument& a = args[i + 1];
    if (a.kwarg_only()) throw Napi::TypeError::New(env, name + "(): argument '" + a.name() + "' is keyword-only: pass it in the options object");
    call.stack.push_back(IValueFromJs(positional.Get(i), a.type(), name + "(): argument '" + a.name() + "'"));
  }
  if (!IsNullish(info[3])) {
    Napi::Object kw = info[3].As<Napi::Object>();
    Napi::Array keys = kw.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); i++) {
      std::string key = keys.Get(i).As<Napi::String>().Utf8Value();
      auto index = call.method.function().getSchema().argumentIndexWithName(key);
      if (!index || *index == 0) throw Napi::TypeError::New(env, name + "() got an unexpected keyword argument '" + key + "'");
      call.kwargs[key] = IValueFromJs(kw.Get(key), args[*index].type(), name + "(): argument '" + key + "'");
    }
  }
  if (copyTensors) {
    // As forwardAsync does: the caller may reuse or dispose its input tensors at once.
    for (c10::IValue& v : call.stack) {
      if (v.isTensor() && v.toTensor().defined()) v = v.toTensor().clone(at::MemoryFormat::Preserve);
    }
  }
  return call;
}

// jitRun(ref, method, args, kwargs) -> tagged value (native/jit.h).
Napi::Value JitRun(const Napi::CallbackInfo& info) {
  PreparedCall call = Prepare(info, false);
  return IValueToJs(info.Env(), call.method(std::move(call.stack), call.kwargs));
}

class MethodWorker : public PromiseWorker {
 public:
  MethodWorker(Napi::Env env, PreparedCall call, bool grad)
      : PromiseWorker(env, "torch-ts:ScriptModule.runAsync"), call_(std::move(call)), grad_(grad) {}

 protected:
  void Run() override {
    at::init_num_threads();  // a libuv thread starts with OpenMP's defaults
    c10::AutoGradMode mode(grad_);
    output_ = call_.method(std::move(call_.stack), call_.kwargs);
    call_.kwargs.clear();
  }
  Napi::Value Result(Napi::Env env) override { return IValueToJs(env, output_); }

 private:
  PreparedCall call_;
  c10::IValue output_;
  bool grad_;
};

// jitRunAsync(ref, method, args, kwargs) -> Promise<tagged value>: the method on a libuv
// worker thread; top-level tensor arguments are copied first.
Napi::Value JitRunAsync(const Napi::CallbackInfo& info) {
  auto* worker = new MethodWorker(info.Env(), Prepare(info, true), c10::GradMode::is_enabled());
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value JitTrain(const Napi::CallbackInfo& info) {
  UnwrapModule(info[0]).train(ToBool(info[1]));
  return info.Env().Undefined();
}

// jitSave(ref, path | null): to the file, or (null) into a returned Buffer.
Napi::Value JitSave(const Napi::CallbackInfo& info) {
  torch::jit::Module& m = UnwrapModule(info[0]);
  if (info[1].IsString()) {
    m.save(info[1].As<Napi::String>().Utf8Value());
    return info.Env().Undefined();
  }
  std::ostringstream out;
  m.save(out);
  std::string bytes = out.str();
  return Napi::Buffer<uint8_t>::Copy(info.Env(), reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

// jitFreeze(ref, preservedAttrs | null, optimizeNumerics) -> a new frozen module.
Napi::Value JitFreeze(const Napi::CallbackInfo& info) {
  torch::jit::Module& m = UnwrapModule(info[0]);
  if (m.hasattr("training") && m.is_training()) {
    ThrowTorchError(info.Env(), "torch.jit.freeze: the module is in training mode; call eval() first (freezing bakes eval-mode behaviour in)");
  }
  Opt<std::vector<std::string>> preserved;
  if (!IsNullish(info[1])) {
    Napi::Array names = info[1].As<Napi::Array>();
    std::vector<std::string> list;
    for (uint32_t i = 0; i < names.Length(); i++) list.push_back(names.Get(i).As<Napi::String>().Utf8Value());
    preserved = list;
  }
  return WrapModule(info.Env(), torch::jit::freeze(m, preserved, ToBool(info[2])));
}

// jitOptimizeForInference(ref, otherMethods) -> a new module (frozen first when it is not).
Napi::Value JitOptimizeForInference(const Napi::CallbackInfo& info) {
  torch::jit::Module& m = UnwrapModule(info[0]);
  std::vector<std::string> other;
  Napi::Array names = info[1].As<Napi::Array>();
  for (uint32_t i = 0; i < names.Length(); i++) other.push_back(names.Get(i).As<Napi::String>().Utf8Value());
  if (m.hasattr("training") && m.is_training()) {
    ThrowTorchError(info.Env(), "torch.jit.optimizeForInference: the module is in training mode; call eval() first");
  }
  return WrapModule(info.Env(), torch::jit::optimize_for_inference(m, other));
}

// A torch::jit::Module mirroring a torch-ts module tree, holding the same tensors. desc =
// { cls, training, parameters: [[name, handle | null]], buffers: [...], children: [[name, desc]] }.
torch::jit::Module BuildModule(Napi::Env env, const Napi::Object& desc, const std::shared_ptr<torch::jit::CompilationUnit>& cu) {
  std::string cls = desc.Get("cls").As<Napi::String>().Utf8Value();
  torch::jit::Module m(c10::QualifiedName("__torch__.torch_ts." + cls), cu, /*shouldMangle=*/true);
  m.register_attribute("training", c10::BoolType::get(), ToBool(desc.Get("training")));
  auto each = [&](const char* key, auto&& add) {
    Napi::Array items = desc.Get(key).As<Napi::Array>();
    for (uint32_t i = 0; i < items.Length(); i++) {
      Napi::Array kv = items.Get(i).As<Napi::Array>();
      add(kv.Get(0u).As<Napi::String>().Utf8Value(), kv.Get(1u));
    }
  };
  auto tensorOrNone = [&](const std::string& name, const Napi::Value& v, bool buffer) {
    if (IsNullish(v)) {
      m.register_attribute(name, c10::NoneType::get(), c10::IValue());  // Python's `self.bias = None`
    } else if (buffer) {
      m.register_buffer(name, Unwrap(v));
    } else {
      m.register_parameter(name, Unwrap(v), /*is_buffer=*/false);
    }
  };
  each("parameters", [&](const std::string& name, const Napi::Value& v) { tensorOrNone(name, v, false); });
  each("buffers", [&](const std::string& name, const Napi::Value& v) { tensorOrNone(name, v, true); });
  each("children", [&](const std::string& name, const Napi::Value& v) {
    if (IsNullish(v)) {
      m.register_attribute(name, c10::NoneType::get(), c10::IValue());
    } else {
      m.register_module(name, BuildModule(env, v.As<Napi::Object>(), cu));
    }
  });
  return m;
}

// jitTrace(desc, fn, inputs, strict) -> ref. fn(...inputHandles) runs the torch-ts forward
// once under libtorch's tracer (Python's torch.jit.trace engine) and returns its output as a
// tagged value. With self given, the tracer reads every parameter and buffer of the mirror
// module as an attribute access, so the saved module carries its weights, as Python's does.
Napi::Value JitTrace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto cu = std::make_shared<torch::jit::CompilationUnit>();
  torch::jit::Module m = BuildModule(env, info[0].As<Napi::Object>(), cu);
  Napi::Function fn = info[1].As<Napi::Function>();
  std::vector<at::Tensor> tensors = ToTensorList(info[2]);
  torch::jit::Stack inputs(tensors.begin(), tensors.end());
  auto traced = [&](torch::jit::Stack in) -> torch::jit::Stack {
    std::vector<napi_value> handles;
    for (const c10::IValue& v : in) handles.push_back(Wrap(env, v.toTensor()));
    Napi::Value out = fn.Call(handles);
    return {IValueFromJs(out, c10::AnyType::get(), "torch.jit.trace: the traced forward's output")};
  };
  auto names = [](const torch::autograd::Variable&) { return std::string(); };
  auto state = torch::jit::tracer::trace(std::move(inputs), traced, names, ToBool(info[3]), /*force_outplace=*/false, &m).first;
  auto function = m._ivalue()->compilation_unit()->create_function(c10::QualifiedName(*m.type()->name(), "forward"), state->graph);
  m.type()->addMethod(function);
  return WrapModule(env, m);
}

// jitGraph(ref, method) -> the method's graph as text (Python's `m.graph` / `m.<method>.graph`).
Napi::Value JitGraph(const Napi::CallbackInfo& info) {
  torch::jit::Module& m = UnwrapModule(info[0]);
  std::string name = info[1].As<Napi::String>().Utf8Value();
  auto method = m.find_method(name);
  if (!method) ThrowTorchError(info.Env(), "ScriptModule has no method '" + name + "'");
  return Napi::String::New(info.Env(), method->graph()->toString());
}

// jitSetAttr(ref, name, tagged value): a non-tensor attribute, converted to its declared type.
Napi::Value JitSetAttr(const Napi::CallbackInfo& info) {
  torch::jit::Module& m = UnwrapModule(info[0]);
  std::string name = info[1].As<Napi::String>().Utf8Value();
  auto slot = m.type()->findAttributeSlot(name);
  if (!slot) ThrowTorchError(info.Env(), "ScriptModule has no attribute '" + name + "'");
  m._ivalue()->setSlot(*slot, IValueFromJs(info[2], m.type()->getAttribute(*slot), "ScriptModule attribute '" + name + "'"));
  return info.Env().Undefined();
}

Napi::Value JitGetAttr(const Napi::CallbackInfo& info) {
  torch::jit::Module& m = UnwrapModule(info[0]);
  std::string name = info[1].As<Napi::String>().Utf8Value();
  if (!m.hasattr(name)) ThrowTorchError(info.Env(), "ScriptModule has no attribute '" + name + "'");
  return IValueToJs(info.Env(), m.attr(name));
}

}  // namespace

Napi::Value WrapModuleObject(Napi::Env env, c10::intrusive_ptr<c10::ivalue::Object> object) {
  return WrapModule(env, torch::jit::Module(std::move(object)));
}

void RegisterJit(Napi::Env env, Napi::Object exports) {
  Export<JitLoad>(env, exports, "jitLoad");
  Export<JitInfo>(env, exports, "jitInfo");
  Export<JitRun>(env, exports, "jitRun");
  Export<JitRunAsync>(env, exports, "jitRunAsync");
  Export<JitTrain>(env, exports, "jitTrain");
  Export<JitSave>(env, exports, "jitSave");
  Export<JitFreeze>(env, exports, "jitFreeze");
  Export<JitOptimizeForInference>(env, exports, "jitOptimizeForInference");
  Export<JitTrace>(env, exports, "jitTrace");
  Export<JitGraph>(env, exports, "jitGraph");
  Export<JitSetAttr>(env, exports, "jitSetAttr");
  Export<JitGetAttr>(env, exports, "jitGetAttr");
}

}  // namespace tts
