// Non-blocking inference: a module's forward runs on a libuv worker thread.
//
// A forward in torch-ts is TypeScript calling ATen op by op, and TypeScript can only run on
// the event loop's thread. So the forward is recorded once with libtorch's tracer (the engine
// behind Python's torch.jit.trace: every ATen op the TypeScript forward dispatches is recorded
// into a graph) and the graph is then run by libtorch's GraphExecutor inside a Napi::AsyncWorker.
// The module's parameters and buffers are graph inputs, not baked-in constants, so each run
// uses their current values (an optimizer step or loadStateDict between runs is seen).
#include "common.h"
#include "worker.h"

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

class ForwardWorker : public PromiseWorker {
 public:
  ForwardWorker(Napi::Env env, std::shared_ptr<TracedForward> traced, std::vector<at::Tensor> inputs, bool grad)
      : PromiseWorker(env, "torch-ts:forwardAsync"), traced_(std::move(traced)), inputs_(std::move(inputs)), grad_(grad) {}

 protected:
  void Run() override {
    // A libuv thread starts with OpenMP's defaults; give it the process's thread setting.
    at::init_num_threads();
    c10::AutoGradMode mode(grad_);  // grad mode is thread-local: carry the caller's
    torch::jit::Stack stack(inputs_.begin(), inputs_.end());
    inputs_.clear();
    traced_->executor->run(stack);
    output_ = stack.at(0).toTensor();
  }

  Napi::Value Result(Napi::Env env) override { return Wrap(env, std::move(output_)); }

 private:
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
  worker->Queue();  // the worker deletes itself once it has settled the promise
  return promise;
}

}  // namespace

PromiseWorker::PromiseWorker(Napi::Env env, const char* resourceName)
    : Napi::AsyncWorker(env, resourceName), deferred_(Napi::Promise::Deferred::New(env)) {}

void PromiseWorker::Execute() {
  try {
    Run();
  } catch (const c10::Error& e) {
    error_ = e.what_without_backtrace();
  } catch (const std::exception& e) {
    error_ = e.what();
  } catch (...) {
    error_ = "unknown native error";
  }
}

void PromiseWorker::Settle(Napi::Env env) {
  if (!error_.empty()) {
    std::string msg = error_.substr(0, error_.find("\n\n"));
    AddonData* data = env.GetInstanceData<AddonData>();
    deferred_.Reject(data == nullptr || data->torchError.IsEmpty() ? Napi::Error::New(env, msg).Value()
                                                                    : data->torchError.New({Napi::String::New(env, msg)}));
    return;
  }
  try {
    deferred_.Resolve(Result(env));
  } catch (const Napi::Error& e) {
    deferred_.Reject(e.Value());  // making the result failed; a stopping environment throws again
  }
}

void PromiseWorker::OnWorkComplete(Napi::Env env, napi_status status) {
  // napi_cancelled: the environment stopped before the work started; nobody waits for it.
  if (status != napi_cancelled) {
    try {
      Napi::HandleScope scope(env);
      Settle(env);
    } catch (const Napi::Error&) {
      // The environment can no longer run JS (its thread is exiting): drop the result.
    }
  }
  Destroy();  // deletes this worker, and with it any tensor it still holds
}

void RegisterAsync(Napi::Env env, Napi::Object exports) {
  Export<TraceForward>(env, exports, "traceForward");
  Export<TracedGraph>(env, exports, "tracedGraph");
  Export<RunTracedAsync>(env, exports, "runTracedAsync");
}

}  // namespace tts
