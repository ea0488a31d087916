// torch.distributed on PyTorch's own engine, c10d: stores (TCPStore, FileStore, PrefixStore),
// Gloo process groups and their collectives, and c10d::Reducer — the engine of Python's
// DistributedDataParallel, which all-reduces gradient buckets while backward still runs.
// Everything here is what Python's torch.distributed calls into (torch/csrc/distributed/c10d/
// init.cpp binds the same classes), built with the same options, so a torch-ts rank and a
// Python rank can share one process group.
//
// Compiled only when the build found c10d's Gloo headers and Gloo's own (CMakeLists.txt sets
// TORCH_TS_GLOO; Debian: libgloo-dev); otherwise the functions report that this build has no
// distributed backend.
#include "distributed.h"

#include "worker.h"

#ifdef TORCH_TS_GLOO
#define USE_C10D_GLOO 1
#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/autograd/engine.h>
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/comm.hpp>
#include <torch/csrc/distributed/c10d/logger.hpp>
#include <torch/csrc/distributed/c10d/reducer.hpp>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#endif

namespace tts {

bool HasGloo() {
#ifdef TORCH_TS_GLOO
  return true;
#else
  return false;
#endif
}

#ifdef TORCH_TS_GLOO
namespace {

template <class T>
using Ref = Napi::External<T>;

template <class T>
Napi::Value Hold(Napi::Env env, T value) {
  return Ref<T>::New(env, new T(std::move(value)), [](Napi::Env, T* p) { delete p; });
}

template <class T>
T& Held(const Napi::Value& value, const char* what) {
  if (!value.IsExternal()) throw Napi::TypeError::New(value.Env(), std::string("expected a ") + what);
  return *value.As<Ref<T>>().Data();
}

using StorePtr = c10::intrusive_ptr<c10d::Store>;
using GroupPtr = c10::intrusive_ptr<c10d::ProcessGroup>;
using WorkPtr = c10::intrusive_ptr<c10d::Work>;

std::chrono::milliseconds Millis(const Napi::Value& v) { return std::chrono::milliseconds(ToInt(v)); }

// distTcpStore(host, port, worldSize, isServer, timeoutMs, waitWorkers): Python's
// TCPStore(host, port, world_size, is_master, timeout, multi_tenant=True), as env:// and tcp://
// rendezvous make it. Blocks until connected (the server, until every worker has).
Napi::Value DistTcpStore(const Napi::CallbackInfo& info) {
  c10d::TCPStoreOptions opts;
  int64_t port = ToInt(info[1]);
  if (port < 0 || port > 65535) throw Napi::RangeError::New(info.Env(), "port must have value from 0 to 65535 but was " + std::to_string(port));
  opts.port = static_cast<uint16_t>(port);
  int64_t world = ToInt(info[2]);
  if (world > 0) opts.numWorkers = static_cast<size_t>(world);
  opts.isServer = ToBool(info[3]);
  opts.timeout = Millis(info[4]);
  opts.waitWorkers = ToBool(info[5]);
  opts.multiTenant = true;
  StorePtr store = c10::make_intrusive<c10d::TCPStore>(info[0].As<Napi::String>().Utf8Value(), opts);
  return Hold(info.Env(), store);
}

Napi::Value DistFileStore(const Napi::CallbackInfo& info) {
  StorePtr store = c10::make_intrusive<c10d::FileStore>(info[0].As<Napi::String>().Utf8Value(), static_cast<int>(ToInt(info[1])));
  return Hold(info.Env(), store);
}

Napi::Value DistPrefixStore(const Napi::CallbackInfo& info) {
  StorePtr store = c10::make_intrusive<c10d::PrefixStore>(info[0].As<Napi::String>().Utf8Value(), Held<StorePtr>(info[1], "store"));
  return Hold(info.Env(), store);
}

Napi::Value DistStoreSetTimeout(const Napi::CallbackInfo& info) {
  Held<StorePtr>(info[0], "store")->setTimeout(Millis(info[1]));
  return info.Env().Undefined();
}

// distStoreAdd(store, key, n) -> the counter after adding (Python's store.add).
Napi::Value DistStoreAdd(const Napi::CallbackInfo& info) {
  int64_t v = Held<StorePtr>(info[0], "store")->add(info[1].As<Napi::String>().Utf8Value(), ToInt(info[2]));
  return Napi::Number::New(info.Env(), static_cast<double>(v));
}

Napi::Value DistStoreSet(const Napi::CallbackInfo& info) {
  auto bytes = info[2].As<Napi::Uint8Array>();
  std::vector<uint8_t> value(bytes.Data(), bytes.Data() + bytes.ByteLength());
  Held<StorePtr>(info[0], "store")->set(info[1].As<Napi::String>().Utf8Value(), value);
  return info.Env().Undefined();
}

// distStoreGet(store, key) -> Buffer; waits (up to the store's timeout) for the key to exist.
Napi::Value DistStoreGet(const Napi::CallbackInfo& info) {
  std::vector<uint8_t> v = Held<StorePtr>(info[0], "store")->get(info[1].As<Napi::String>().Utf8Value());
  return Napi::Buffer<uint8_t>::Copy(info.Env(), v.data(), v.size());
}

// distGloo(store, rank, size, timeoutMs) -> group: Python's ProcessGroupGloo(store, rank,
// size, timeout) — devices from GLOO_SOCKET_IFNAME (comma-separated) or the default device
// (the address this machine's hostname resolves to, else loopback), two threads per device.
Napi::Value DistGloo(const Napi::CallbackInfo& info) {
  auto options = c10d::ProcessGroupGloo::Options::create();
  const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
  if (ifname != nullptr && std::strlen(ifname) > 1) {
    std::string list(ifname);
    size_t start = 0;
    while (start <= list.size()) {
      size_t comma = list.find(',', start);
      std::string iface = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!iface.empty()) options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  } else {
    options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  }
  options->timeout = Millis(info[3]);
  options->threads = static_cast<int>(options->devices.size() * 2);
  GroupPtr group = c10::make_intrusive<c10d::ProcessGroupGloo>(Held<StorePtr>(info[0], "store"), static_cast<int>(ToInt(info[1])),
                                                              static_cast<int>(ToInt(info[2])), options);
  return Hold(info.Env(), group);
}

// As init_process_group does after its store-based barrier (debug sequence numbers).
Napi::Value DistSetSequenceNumber(const Napi::CallbackInfo& info) {
  Held<GroupPtr>(info[0], "process group")->setSequenceNumberForGroup();
  return info.Env().Undefined();
}

c10d::ReduceOp ToReduceOp(const Napi::Value& v) {
  std::string op = v.As<Napi::String>().Utf8Value();
  if (op == "SUM") return c10d::ReduceOp::SUM;
  if (op == "PRODUCT") return c10d::ReduceOp::PRODUCT;
  if (op == "MIN") return c10d::ReduceOp::MIN;
  if (op == "MAX") return c10d::ReduceOp::MAX;
  if (op == "BAND") return c10d::ReduceOp::BAND;
  if (op == "BOR") return c10d::ReduceOp::BOR;
  if (op == "BXOR") return c10d::ReduceOp::BXOR;
  throw Napi::TypeError::New(v.Env(), "unknown reduce op " + op);
}

std::vector<std::vector<at::Tensor>> ToTensorLists(const Napi::Value& v) {
  std::vector<std::vector<at::Tensor>> out;
  Napi::Array outer = v.As<Napi::Array>();
  for (uint32_t i = 0; i < outer.Length(); i++) out.push_back(ToTensorList(outer.Get(i)));
  return out;
}

// distCollective(group, op, args...) -> work. Each op takes what ProcessGroup's method takes;
// tensors are written in place, as in Python.
Napi::Value DistCollective(const Napi::CallbackInfo& info) {
  GroupPtr& g = Held<GroupPtr>(info[0], "process group");
  std::string op = info[1].As<Napi::String>().Utf8Value();
  WorkPtr work;
  if (op == "allreduce") {
    std::vector<at::Tensor> t = ToTensorList(info[2]);
    c10d::AllreduceOptions o;
    o.reduceOp = ToReduceOp(info[3]);
    work = g->allreduce(t, o);
  } else if (op == "broadcast") {
    std::vector<at::Tensor> t = ToTensorList(info[2]);
    c10d::BroadcastOptions o;
    o.rootRank = ToInt(info[3]);
    work = g->broadcast(t, o);
  } else if (op == "reduce") {
    std::vector<at::Tensor> t = ToTensorList(info[2]);
    c10d::ReduceOptions o;
    o.rootRank = ToInt(info[3]);
    o.reduceOp = ToReduceOp(info[4]);
    work = g->reduce(t, o);
  } else if (op == "allgather") {
    std::vector<std::vector<at::Tensor>> out = ToTensorLists(info[2]);
    std::vector<at::Tensor> in = ToTensorList(info[3]);
    work = g->allgather(out, in);
  } else if (op == "gather") {
    std::vector<std::vector<at::Tensor>> out = ToTensorLists(info[2]);
    std::vector<at::Tensor> in = ToTensorList(info[3]);
    c10d::GatherOptions o;
    o.rootRank = ToInt(info[4]);
    work = g->gather(out, in, o);
  } else if (op == "scatter") {
    std::vector<at::Tensor> out = ToTensorList(info[2]);
    std::vector<std::vector<at::Tensor>> in = ToTensorLists(info[3]);
    c10d::ScatterOptions o;
    o.rootRank = ToInt(info[4]);
    work = g->scatter(out, in, o);
  } else if (op == "alltoall_base") {
    at::Tensor out = Unwrap(info[2]);
    at::Tensor in = Unwrap(info[3]);
    std::vector<int64_t> outSplits = ToIntList(info[4]);
    std::vector<int64_t> inSplits = ToIntList(info[5]);
    work = g->alltoall_base(out, in, outSplits, inSplits);
  } else if (op == "send") {
    std::vector<at::Tensor> t = ToTensorList(info[2]);
    work = g->send(t, static_cast<int>(ToInt(info[3])), static_cast<int>(ToInt(info[4])));
  } else if (op == "recv") {
    std::vector<at::Tensor> t = ToTensorList(info[2]);
    work = g->recv(t, static_cast<int>(ToInt(info[3])), static_cast<int>(ToInt(info[4])));
  } else if (op == "barrier") {
    work = g->barrier();
  } else {
    throw Napi::TypeError::New(info.Env(), "unknown collective " + op);
  }
  return Hold(info.Env(), work);
}

// distWait(work, timeoutMs | null): blocks this thread until the work ends (Python's
// work.wait()); a failed collective (a peer gone, a timeout) throws its error.
Napi::Value DistWait(const Napi::CallbackInfo& info) {
  WorkPtr& w = Held<WorkPtr>(info[0], "work");
  if (IsNullish(info[1])) w->wait();
  else w->wait(Millis(info[1]));
  return info.Env().Undefined();
}

Napi::Value DistIsCompleted(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Held<WorkPtr>(info[0], "work")->isCompleted());
}

class WaitWorker : public PromiseWorker {
 public:
  WaitWorker(Napi::Env env, WorkPtr work) : PromiseWorker(env, "torch-ts:distributed.wait"), work_(std::move(work)) {}

 protected:
  void Run() override { work_->wait(); }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }

 private:
  WorkPtr work_;
};

// distWaitAsync(work) -> Promise: the wait happens on a libuv thread, so the event loop runs on.
Napi::Value DistWaitAsync(const Napi::CallbackInfo& info) {
  auto* worker = new WaitWorker(info.Env(), Held<WorkPtr>(info[0], "work"));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// distBroadcastCoalesced(group, tensors, bufferBytes, src): Python's dist._broadcast_coalesced
// (DDP's parameter and buffer sync): flattened into buckets, broadcast, copied back.
Napi::Value DistBroadcastCoalesced(const Napi::CallbackInfo& info) {
  std::vector<at::Tensor> t = ToTensorList(info[1]);
  c10d::broadcast_coalesced(Held<GroupPtr>(info[0], "process group"), t, static_cast<size_t>(ToInt(info[2])), static_cast<int>(ToInt(info[3])));
  return info.Env().Undefined();
}

Napi::Value DistVerifyParams(const Napi::CallbackInfo& info) {
  c10d::verify_params_across_processes(Held<GroupPtr>(info[0], "process group"), ToTensorList(info[1]), c10::nullopt);
  return info.Env().Undefined();
}

std::vector<size_t> ToSizeList(const Napi::Value& v) {
  std::vector<size_t> out;
  for (int64_t x : ToIntList(v)) out.push_back(static_cast<size_t>(x));
  return out;
}

std::vector<bool> ToBoolList(const Napi::Value& v) {
  std::vector<bool> out;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(a.Get(i).As<Napi::Boolean>().Value());
  return out;
}

// distComputeBuckets(params, sizeLimits, expectSparse) -> [bucketIndices, perBucketLimits]:
// dist._compute_bucket_assignment_by_size.
Napi::Value DistComputeBuckets(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto [buckets, limits] = c10d::compute_bucket_assignment_by_size(ToTensorList(info[0]), ToSizeList(info[1]), ToBoolList(info[2]));
  Napi::Array indices = Napi::Array::New(env, buckets.size());
  for (uint32_t i = 0; i < buckets.size(); i++) {
    Napi::Array b = Napi::Array::New(env, buckets[i].size());
    for (uint32_t j = 0; j < buckets[i].size(); j++) b.Set(j, static_cast<double>(buckets[i][j]));
    indices.Set(i, b);
  }
  Napi::Array lim = Napi::Array::New(env, limits.size());
  for (uint32_t i = 0; i < limits.size(); i++) lim.Set(i, static_cast<double>(limits[i]));
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, indices);
  out.Set(1u, lim);
  return out;
}

// A Reducer and its Logger (Python's DDP makes both; the reducer reports through the logger).
struct ReducerHolder {
  std::shared_ptr<c10d::Reducer> reducer;
  std::shared_ptr<c10d::Logger> logger;
};
using ReducerPtr = std::shared_ptr<ReducerHolder>;

// Python's _DDPSink: outputs pass through it (cloned) so that, in the first iteration of a
// static graph, backward queues the reducer's delayed all-reduce once the graph is done; and
// with findUnusedParameters, outputs the loss does not use get undefined gradients the
// reducer understands. The reducer is found by id, so a graph kept after the DDP module is
// gone does nothing.
std::mutex sinkMutex;
std::unordered_map<int64_t, std::weak_ptr<ReducerHolder>> sinkReducers;
int64_t nextSinkId = 1;

struct DdpSink : public torch::autograd::Function<DdpSink> {
  // at::TensorList, not variable_list: the custom-function machinery counts only Tensor,
  // TensorList and optional<Tensor> arguments as inputs of the graph.
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, int64_t id, bool delay, at::TensorList inputs) {
    ctx->saved_data["id"] = id;
    ctx->saved_data["delay"] = delay;
    torch::autograd::variable_list out;
    for (const auto& t : inputs) out.push_back(t.clone());
    return out;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
    if (ctx->saved_data["delay"].toBool()) {
      std::shared_ptr<ReducerHolder> holder;
      {
        std::lock_guard<std::mutex> lock(sinkMutex);
        auto it = sinkReducers.find(ctx->saved_data["id"].toInt());
        if (it != sinkReducers.end()) holder = it->second.lock();
      }
      if (holder) torch::autograd::Engine::get_default_engine().queue_callback([holder] { holder->reducer->delay_all_reduce(); });
    }
    torch::autograd::variable_list out{torch::autograd::Variable(), torch::autograd::Variable()};
    out.insert(out.end(), grads.begin(), grads.end());
    return out;
  }
};

struct ReducerRef {
  ReducerPtr holder;
  int64_t sinkId;
  ~ReducerRef() {
    std::lock_guard<std::mutex> lock(sinkMutex);
    sinkReducers.erase(sinkId);
  }
};

ReducerPtr& HeldReducer(const Napi::Value& v) { return Held<std::shared_ptr<ReducerRef>>(v, "reducer")->holder; }

// distReducer(group, params, bucketIndices, perBucketLimits, expectSparse, bucketBytesCap,
// findUnused, gradientAsBucketView, paramNames, firstBucketBytesCap) -> reducer.
Napi::Value DistReducer(const Napi::CallbackInfo& info) {
  std::vector<std::vector<size_t>> buckets;
  Napi::Array b = info[2].As<Napi::Array>();
  for (uint32_t i = 0; i < b.Length(); i++) buckets.push_back(ToSizeList(b.Get(i)));
  std::unordered_map<size_t, std::string> names;
  Napi::Array n = info[8].As<Napi::Array>();
  for (uint32_t i = 0; i < n.Length(); i++) names[i] = n.Get(i).As<Napi::String>().Utf8Value();
  auto holder = std::make_shared<ReducerHolder>();
  holder->reducer = std::make_shared<c10d::Reducer>(ToTensorList(info[1]), std::move(buckets), ToSizeList(info[3]), Held<GroupPtr>(info[0], "process group"),
                                                    ToBoolList(info[4]), ToInt(info[5]), ToBool(info[6]), ToBool(info[7]), std::move(names), ToInt(info[9]));
  holder->logger = std::make_shared<c10d::Logger>(holder->reducer);
  holder->reducer->set_logger(holder->logger);
  auto ref = std::make_shared<ReducerRef>();
  ref->holder = holder;
  {
    std::lock_guard<std::mutex> lock(sinkMutex);
    ref->sinkId = nextSinkId++;
    sinkReducers[ref->sinkId] = holder;
  }
  return Hold(info.Env(), ref);
}

// distReducerCall(reducer, what, arg): the per-iteration steps DDP.forward takes.
Napi::Value DistReducerCall(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  c10d::Reducer& r = *HeldReducer(info[0])->reducer;
  std::string what = info[1].As<Napi::String>().Utf8Value();
  if (what == "prepareForForward") {
    r.prepare_for_forward();
  } else if (what == "rebuildBuckets") {
    return Napi::Boolean::New(env, r.rebuild_buckets());
  } else if (what == "prepareForBackward") {
    r.prepare_for_backward(ToTensorList(info[2]));
  } else if (what == "setStaticGraph") {
    r.set_static_graph();
  } else {
    throw Napi::TypeError::New(env, "unknown reducer call " + what);
  }
  return env.Undefined();
}

// distSink(reducer, delayAllReduce, outputs) -> outputs through _DDPSink.
Napi::Value DistSink(const Napi::CallbackInfo& info) {
  auto& ref = Held<std::shared_ptr<ReducerRef>>(info[0], "reducer");
  std::vector<at::Tensor> inputs = ToTensorList(info[2]);
  torch::autograd::variable_list out = DdpSink::apply(ref->sinkId, ToBool(info[1]), at::TensorList(inputs));
  Napi::Array a = Napi::Array::New(info.Env(), out.size());
  for (uint32_t i = 0; i < out.size(); i++) a.Set(i, Wrap(info.Env(), out[i]));
  return a;
}

}  // namespace

void RegisterDistributed(Napi::Env env, Napi::Object exports) {
  Export<DistTcpStore>(env, exports, "distTcpStore");
  Export<DistFileStore>(env, exports, "distFileStore");
  Export<DistPrefixStore>(env, exports, "distPrefixStore");
  Export<DistStoreSetTimeout>(env, exports, "distStoreSetTimeout");
  Export<DistStoreAdd>(env, exports, "distStoreAdd");
  Export<DistStoreSet>(env, exports, "distStoreSet");
  Export<DistStoreGet>(env, exports, "distStoreGet");
  Export<DistGloo>(env, exports, "distGloo");
  Export<DistSetSequenceNumber>(env, exports, "distSetSequenceNumber");
  Export<DistCollective>(env, exports, "distCollective");
  Export<DistWait>(env, exports, "distWait");
  Export<DistIsCompleted>(env, exports, "distIsCompleted");
  Export<DistWaitAsync>(env, exports, "distWaitAsync");
  Export<DistBroadcastCoalesced>(env, exports, "distBroadcastCoalesced");
  Export<DistVerifyParams>(env, exports, "distVerifyParams");
  Export<DistComputeBuckets>(env, exports, "distComputeBuckets");
  Export<DistReducer>(env, exports, "distReducer");
  Export<DistReducerCall>(env, exports, "distReducerCall");
  Export<DistSink>(env, exports, "distSink");
}
#else
void RegisterDistributed(Napi::Env, Napi::Object) {}
#endif

}  // namespace tts
