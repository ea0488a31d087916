// Non-blocking inference: a module's forward runs on a libuv worker thread.
//
// A forward in torch-ts is TypeScript calling ATen op by op, and TypeScript can only run on
// the event loop's thread. So the forward is recorded once with libtorch's tracer (the engine
// behind Python's torch.jit.trace: every ATen op the TypeScript forward dispatches is recorded
// into a graph) and the graph is then run by libtorch's GraphExecutor inside a Napi::AsyncWorker.
// The module's parameters and buffers are graph inputs, not baked-in constants, so each run
// uses their current values (an optimizer step or loadStateDict between runs is seen).
#include "common.h"

#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/csrc/jit/runtime/graph_executor.h>

#include <memory>

namespace tts {
namespace {

struct TracedForward {
  std::shared_ptr<torch::jit::Graph> graph;
  std::unique_ptr<torch::jit::GraphExecutor> executor;
  size_t numInputs = 0;
};

using TracedRef = Napi::External<std::shared_ptr<TracedForward>>;

std::shared_ptr<TracedForward>& UnwrapTraced(const Napi::Value& value) {
  if (!value.IsExternal()) throw Napi::TypeError::New(value.Env(), "expected a traced forward");
  return *value.As<TracedRef>().Data();
}

// traceForward(fn, inputs): calls fn(handleOfInputs[0]) once under the tracer and returns the
// recorded graph. inputs = [x, ...parameters and buffers]. fn must return one tensor handle.
Napi::Value TraceForward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Function fn = info[0].As<Napi::Function>();
  std::vector<at::Tensor> tensors = ToTensorList(info[1]);
  torch::jit::Stack inputs(tensors.begin(), tensors.end());

  auto traced = [&](torch::jit::Stack in) -> torch::jit::Stack {
    // The tracer may hand back a view of an input that appears twice; the forward must see
    // the tensor the tracer knows, so x goes to JS as a fresh handle to in[0] (JS owns it).
    Napi::Value out = fn.Call({Wrap(env, in.at(0).toTensor())});
    return {Unwrap(out)};  // a disposed or non-tensor result throws before the trace ends
  };
  auto names = [](const torch::autograd::Variable&) { return std::string(); };
  // trace() abandons the tracing state itself when fn throws.
  auto state = torch::jit::tracer::trace(std::move(inputs), traced, names, /*strict=*/true).first;

  auto entry = std::make_shared<TracedForward>();
  entry->graph = state->graph;
  entry->numInputs = tensors.size();
  entry->executor = std::make_unique<torch::jit::GraphExecutor>(entry->graph, "forward");
  return TracedRef::New(env, new std::shared_ptr<TracedForward>(std::move(entry)),
                        [](Napi::Env, std::shared_ptr<TracedForward>* p) { delete p; });
}

// The graph as text (torch.jit's graph printout), for debugging and for tests that check the
// parameters are inputs rather than constants.
Napi::Value TracedGraph(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), UnwrapTraced(info[0])->graph->toString());
}

class ForwardWorker : public Napi::AsyncWorker {
 public:
  ForwardWorker(Napi::Env env, std::shared_ptr<TracedForward> traced, std::vector<at::Tensor> inputs, bool grad)
      : Napi::AsyncWorker(env, "torch-ts:forwardAsync"),
        deferred_(Napi::Promise::Deferred::New(env)),
        traced_(std::move(traced)),
        inputs_(std::move(inputs)),
        grad_(grad) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      // A libuv thread starts with OpenMP's defaults; give it the process's thread setting.
      at::init_num_threads();
      c10::AutoGradMode mode(grad_);  // grad mode is thread-local: carry the caller's
      torch::jit::Stack stack(inputs_.begin(), inputs_.end());
      inputs_.clear();
      traced_->executor->run(stack);
      output_ = stack.at(0).toTensor();
    } catch (const c10::Error& e) {
      SetError(e.what_without_backtrace());
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    try {
      deferred_.Resolve(Wrap(env, std::move(output_)));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }

  void OnError(const Napi::Error& e) override {
    Napi::Env env = Env();
    std::string msg = e.Message();
    msg = msg.substr(0, msg.find("\n\n"));
    AddonData& data = Data(env);
    if (data.torchError.IsEmpty()) {
      deferred_.Reject(Napi::Error::New(env, msg).Value());
    } else {
      deferred_.Reject(data.torchError.New({Napi::String::New(env, msg)}));
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<TracedForward> traced_;
  std::vector<at::Tensor> inputs_;
  at::Tensor output_;
  bool grad_;
};

// runTracedAsync(traced, inputs) -> Promise<handle>. inputs[0] (the batch) is copied here, on
// the calling thread, so the caller may dispose or overwrite its tensor while the work runs;
// parameters are passed by reference (their storage stays alive with the worker even if
// disposed in JS) — updating them in place during a run is a data race, as in PyTorch.
Napi::Value RunTracedAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<TracedForward> traced = UnwrapTraced(info[0]);
  std::vector<at::Tensor> inputs = ToTensorList(info[1]);
  if (inputs.size() != traced->numInputs) {
    ThrowTorchError(env, "forwardAsync: the module's parameters changed since it was traced (" +
                             std::to_string(traced->numInputs - 1) + " expected, " +
                             std::to_string(inputs.size() - 1) + " given)");
  }
  inputs[0] = inputs[0].clone(at::MemoryFormat::Preserve);
  auto* worker = new ForwardWorker(env, std::move(traced), std::move(inputs), c10::GradMode::is_enabled());
  Napi::Promise promise = worker->Promise();
  worker->Queue();  // the worker deletes itself after OnOK/OnError
  return promise;
}

}  // namespace

void RegisterAsync(Napi::Env env, Napi::Object exports) {
  Export<TraceForward>(env, exports, "traceForward");
  Export<TracedGraph>(env, exports, "tracedGraph");
  Export<RunTracedAsync>(env, exports, "runTracedAsync");
}

}  // namespace tts
