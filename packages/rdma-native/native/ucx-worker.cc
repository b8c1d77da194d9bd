#include "ucx-worker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace dwcp {

namespace {

constexpr uint64_t kEndpointTagMask = 0xFFFFFFFF00000000ULL;
constexpr int kDrainRoundsMax = 64;  // bound the work done per event-loop turn

void SendCallback(void* request, ucs_status_t status, void* userData) {
  auto* op = static_cast<UcxOp*>(userData);
  op->owner->Complete(op, status, 0, 0);
  ucp_request_free(request);
}

void TagRecvCallback(void* request, ucs_status_t status, const ucp_tag_recv_info_t* info, void* userData) {
  auto* op = static_cast<UcxOp*>(userData);
  const bool ok = status == UCS_OK && info != nullptr;
  op->owner->Complete(op, status, ok ? info->length : 0, ok ? info->sender_tag : 0);
  ucp_request_free(request);
}

void StreamRecvCallback(void* request, ucs_status_t status, size_t length, void* userData) {
  auto* op = static_cast<UcxOp*>(userData);
  op->owner->Complete(op, status, length, 0);
  ucp_request_free(request);
}

void EndpointErrorCallback(void* arg, ucp_ep_h, ucs_status_t status) {
  auto* endpoint = static_cast<UcxEndpoint*>(arg);
  endpoint->worker->OnEndpointError(endpoint, status);
}

void ConnectionCallback(ucp_conn_request_h request, void* arg) {
  static_cast<UcxWorker*>(arg)->OnConnectionRequest(request);
}

bool ParseAddress(const std::string& host, uint32_t port, sockaddr_storage* out, socklen_t* length) {
  std::memset(out, 0, sizeof(*out));
  auto* v4 = reinterpret_cast<sockaddr_in*>(out);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    *length = sizeof(sockaddr_in);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    *length = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

std::string FormatAddress(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = {0};
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
    return std::string(text) + ":" + std::to_string(ntohs(v4->sin_port));
  }
  if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    return "[" + std::string(text) + "]:" + std::to_string(ntohs(v6->sin6_port));
  }
  return "unknown";
}

ucp_request_param_t Param(UcxOp* op) {
  ucp_request_param_t param;
  std::memset(&param, 0, sizeof(param));
  // Every operation completes through its callback, never inline: one path for completions.
  param.op_attr_mask = UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA | UCP_OP_ATTR_FLAG_NO_IMM_CMPL;
  param.user_data = op;
  return param;
}

}  // namespace

void UcxWorker::Register(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DefineClass(env, "UcxWorker",
                                   {
                                       InstanceMethod("listen", &UcxWorker::Listen),
                                       InstanceMethod("connect", &UcxWorker::Connect),
                                       InstanceMethod("send", &UcxWorker::Send),
                                       InstanceMethod("recv", &UcxWorker::Recv),
                                       InstanceMethod("flush", &UcxWorker::Flush),
                                       InstanceMethod("closeEndpoint", &UcxWorker::CloseEndpoint),
                                       InstanceMethod("endpointInfo", &UcxWorker::EndpointInfo),
                                       InstanceMethod("progress", &UcxWorker::Progress),
                                       InstanceMethod("close", &UcxWorker::Close),
                                       InstanceMethod("stats", &UcxWorker::Stats),
                                   });
  exports.Set("UcxWorker", cls);
}

// new UcxWorker({ onEvent(kind, endpointId, statusName, detail), transports?, netDevices?, busyPoll? })
UcxWorker::UcxWorker(const Napi::CallbackInfo& info) : Napi::ObjectWrap<UcxWorker>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "UcxWorker needs an options object").ThrowAsJavaScriptException();
    return;
  }
  Napi::Object options = info[0].As<Napi::Object>();
  Napi::Value onEvent = options.Get("onEvent");
  if (!onEvent.IsFunction()) {
    Napi::TypeError::New(env, "options.onEvent must be a function").ThrowAsJavaScriptException();
    return;
  }
  onEvent_ = Napi::Persistent(onEvent.As<Napi::Function>());
  busyPoll_ = options.Get("busyPoll").ToBoolean().Value();

  ucp_config_t* config = nullptr;
  ucs_status_t status = ucp_config_read(nullptr, nullptr, &config);
  if (status != UCS_OK) {
    UcxErrorValue(env, "ucp_config_read", status).ThrowAsJavaScriptException();
    return;
  }
  for (const char* key : {"transports", "netDevices"}) {
    Napi::Value value = options.Get(key);
    if (!value.IsString()) continue;
    const char* name = std::strcmp(key, "transports") == 0 ? "TLS" : "NET_DEVICES";
    status = ucp_config_modify(config, name, value.As<Napi::String>().Utf8Value().c_str());
    if (status != UCS_OK) {
      ucp_config_release(config);
      UcxErrorValue(env, std::string("ucp_config_modify ") + name, status).ThrowAsJavaScriptException();
      return;
    }
  }
  ucp_params_t params;
  std::memset(&params, 0, sizeof(params));
  params.field_mask = UCP_PARAM_FIELD_FEATURES;
  params.features = UCP_FEATURE_TAG | UCP_FEATURE_STREAM | UCP_FEATURE_WAKEUP;
  status = ucp_init(&params, config, &context_);
  ucp_config_release(config);
  if (status != UCS_OK) {
    context_ = nullptr;
    UcxErrorValue(env, "ucp_init", status).ThrowAsJavaScriptException();
    return;
  }
  ucp_worker_params_t workerParams;
  std::memset(&workerParams, 0, sizeof(workerParams));
  workerParams.field_mask = UCP_WORKER_PARAM_FIELD_THREAD_MODE;
  workerParams.thread_mode = UCS_THREAD_MODE_SINGLE;
  status = ucp_worker_create(context_, &workerParams, &worker_);
  if (status != UCS_OK) {
    worker_ = nullptr;
    Shutdown();
    UcxErrorValue(env, "ucp_worker_create", status).ThrowAsJavaScriptException();
    return;
  }
  int efd = -1;
  status = ucp_worker_get_efd(worker_, &efd);
  if (status != UCS_OK) {
    Shutdown();
    UcxErrorValue(env, "ucp_worker_get_efd", status).ThrowAsJavaScriptException();
    return;
  }
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  poll_ = new uv_poll_t;
  uv_poll_init(loop, poll_, efd);
  poll_->data = this;
  uv_poll_start(poll_, UV_READABLE, &UcxWorker::OnPoll);
  idle_ = new uv_idle_t;
  uv_idle_init(loop, idle_);
  idle_->data = this;
  asyncContext_ = new Napi::AsyncContext(env, "dwcp.UcxWorker");
  Drain();
}

UcxWorker::~UcxWorker() {
  Shutdown();
}

bool UcxWorker::Closed(Napi::Env env) {
  if (worker_ != nullptr && !closed_) return false;
  UcxErrorValue(env, "worker", UCS_ERR_NOT_CONNECTED).ThrowAsJavaScriptException();
  return true;
}

void UcxWorker::Complete(UcxOp* op, ucs_status_t status, size_t length, uint64_t tag) {
  op->done = true;
  op->status = status;
  op->length = length;
  op->tag = tag;
  op->request = nullptr;
  completed_.push_back(op);
}

void UcxWorker::OnEndpointError(UcxEndpoint* endpoint, ucs_status_t status) {
  endpointErrors_.emplace_back(endpoint->id, status);
}

void UcxWorker::OnConnectionRequest(ucp_conn_request_h request) {
  connectionRequests_.push_back(request);
}

UcxEndpoint* UcxWorker::NewEndpoint(ucp_ep_h ep) {
  auto endpoint = std::make_unique<UcxEndpoint>();
  endpoint->id = nextEndpointId_++;
  endpoint->ep = ep;
  endpoint->worker = this;
  UcxEndpoint* raw = endpoint.get();
  endpoints_[raw->id] = std::move(endpoint);
  return raw;
}

UcxEndpoint* UcxWorker::Find(const Napi::CallbackInfo& info, size_t index) {
  Napi::Env env = info.Env();
  if (Closed(env)) return nullptr;
  if (info.Length() <= index || !info[index].IsNumber()) {
    Napi::TypeError::New(env, "endpoint id must be a number").ThrowAsJavaScriptException();
    return nullptr;
  }
  auto it = endpoints_.find(info[index].As<Napi::Number>().Uint32Value());
  if (it == endpoints_.end() || it->second->closing) {
    UcxErrorValue(env, "endpoint", UCS_ERR_NOT_CONNECTED).ThrowAsJavaScriptException();
    return nullptr;
  }
  return it->second.get();
}

bool UcxWorker::StartIdExchange(UcxEndpoint* endpoint) {
  // Each side tells the other its endpoint id over the ordered stream API; afterwards tagged messages to this
  // endpoint carry that id in the upper 32 bits of the tag, so receives are matched per endpoint.
  auto* send = NewOp(UcxOp::Kind::IdSend, endpoint);
  send->idWire = endpoint->id;
  ucp_request_param_t sendParam = Param(send);
  sendParam.cb.send = SendCallback;
  ucs_status_ptr_t sent = ucp_stream_send_nbx(endpoint->ep, &send->idWire, sizeof(send->idWire), &sendParam);
  Track(send, sent);

  auto* recv = NewOp(UcxOp::Kind::IdRecv, endpoint);
  ucp_request_param_t recvParam = Param(recv);
  recvParam.op_attr_mask |= UCP_OP_ATTR_FIELD_FLAGS;
  recvParam.flags = UCP_STREAM_RECV_FLAG_WAITALL;
  recvParam.cb.recv_stream = StreamRecvCallback;
  size_t length = 0;
  ucs_status_ptr_t received = ucp_stream_recv_nbx(endpoint->ep, &recv->idWire, sizeof(recv->idWire), &length, &recvParam);
  if (Track(recv, received)) endpoint->pendingRecvs.push_back(recv);
  return true;
}

Napi::Value UcxWorker::Listen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (Closed(env)) return env.Undefined();
  if (listener_ != nullptr) {
    UcxErrorValue(env, "listen", UCS_ERR_ALREADY_EXISTS).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "listen(host, port)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  sockaddr_storage address;
  socklen_t length = 0;
  if (!ParseAddress(info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::Number>().Uint32Value(), &address,
                    &length)) {
    UcxErrorValue(env, "listen", UCS_ERR_INVALID_ADDR).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  ucp_listener_params_t params;
  std::memset(&params, 0, sizeof(params));
  params.field_mask = UCP_LISTENER_PARAM_FIELD_SOCK_ADDR | UCP_LISTENER_PARAM_FIELD_CONN_HANDLER;
  params.sockaddr.addr = reinterpret_cast<const sockaddr*>(&address);
  params.sockaddr.addrlen = length;
  params.conn_handler.cb = ConnectionCallback;
  params.conn_handler.arg = this;
  ucs_status_t status = ucp_listener_create(worker_, &params, &listener_);
  if (status != UCS_OK) {
    listener_ = nullptr;
    UcxErrorValue(env, "ucp_listener_create", status).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  ucp_listener_attr_t attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.field_mask = UCP_LISTENER_ATTR_FIELD_SOCKADDR;
  status = ucp_listener_query(listener_, &attr);
  UpdateRef();
  if (status != UCS_OK) return Napi::String::New(env, "");
  return Napi::String::New(env, FormatAddress(attr.sockaddr));
}

Napi::Value UcxWorker::Connect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (Closed(env)) return env.Undefined();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "connect(host, port)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const std::string host = info[0].As<Napi::String>().Utf8Value();
  const uint32_t port = info[1].As<Napi::Number>().Uint32Value();
  sockaddr_storage address;
  socklen_t length = 0;
  if (!ParseAddress(host, port, &address, &length)) {
    UcxErrorValue(env, "connect", UCS_ERR_INVALID_ADDR).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  UcxEndpoint* endpoint = NewEndpoint(nullptr);
  endpoint->peerAddress = FormatAddress(address);
  ucp_ep_params_t params;
  std::memset(&params, 0, sizeof(params));
  params.field_mask = UCP_EP_PARAM_FIELD_FLAGS | UCP_EP_PARAM_FIELD_SOCK_ADDR | UCP_EP_PARAM_FIELD_ERR_HANDLER |
                      UCP_EP_PARAM_FIELD_ERR_HANDLING_MODE;
  params.flags = UCP_EP_PARAMS_FLAGS_CLIENT_SERVER;
  params.sockaddr.addr = reinterpret_cast<const sockaddr*>(&address);
  params.sockaddr.addrlen = length;
  params.err_mode = UCP_ERR_HANDLING_MODE_PEER;
  params.err_handler.cb = EndpointErrorCallback;
  params.err_handler.arg = endpoint;
  ucs_status_t status = ucp_ep_create(worker_, &params, &endpoint->ep);
  if (status != UCS_OK) {
    endpoints_.erase(endpoint->id);
    UcxErrorValue(env, "ucp_ep_create", status).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  endpoint->connectOp = new UcxOp(env, UcxOp::Kind::IdRecv);
  endpoint->connectOp->endpointId = endpoint->id;
  Napi::Promise promise = endpoint->connectOp->deferred.Promise();
  StartIdExchange(endpoint);
  Drain();
  return promise;
}

Napi::Value UcxWorker::Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  UcxEndpoint* endpoint = Find(info, 0);
  if (endpoint == nullptr) return env.Undefined();
  if (info.Length() < 3 || !info[1].IsTypedArray() || !info[2].IsNumber()) {
    Napi::TypeError::New(env, "send(endpoint, Uint8Array, tag)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (endpoint->failed) {
    UcxErrorValue(env, "send", endpoint->failure).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Uint8Array bytes = info[1].As<Napi::Uint8Array>();
  const uint64_t tag = (static_cast<uint64_t>(endpoint->remoteId) << 32) | info[2].As<Napi::Number>().Uint32Value();
  auto* op = NewOp(UcxOp::Kind::Send, endpoint);
  op->buffer = Napi::Persistent(info[1]);
  ucp_request_param_t param = Param(op);
  param.cb.send = SendCallback;
  ucs_status_ptr_t request = ucp_tag_send_nbx(endpoint->ep, bytes.Data(), bytes.ByteLength(), tag, &param);
  Napi::Promise promise = op->deferred.Promise();
  Track(op, request);
  Drain();
  return promise;
}

Napi::Value UcxWorker::Recv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  UcxEndpoint* endpoint = Find(info, 0);
  if (endpoint == nullptr) return env.Undefined();
  if (info.Length() < 4 || !info[1].IsTypedArray() || !info[2].IsNumber() || !info[3].IsNumber()) {
    Napi::TypeError::New(env, "recv(endpoint, Uint8Array, tag, tagMask)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (endpoint->failed) {
    UcxErrorValue(env, "recv", endpoint->failure).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Uint8Array bytes = info[1].As<Napi::Uint8Array>();
  const uint64_t tag = (static_cast<uint64_t>(endpoint->id) << 32) | info[2].As<Napi::Number>().Uint32Value();
  const uint64_t mask = kEndpointTagMask | info[3].As<Napi::Number>().Uint32Value();
  auto* op = NewOp(UcxOp::Kind::Recv, endpoint);
  op->buffer = Napi::Persistent(info[1]);
  ucp_request_param_t param = Param(op);
  param.cb.recv = TagRecvCallback;
  ucs_status_ptr_t request = ucp_tag_recv_nbx(worker_, bytes.Data(), bytes.ByteLength(), tag, mask, &param);
  Napi::Promise promise = op->deferred.Promise();
  if (Track(op, request)) endpoint->pendingRecvs.push_back(op);
  Drain();
  return promise;
}

Napi::Value UcxWorker::Flush(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  UcxEndpoint* endpoint = Find(info, 0);
  if (endpoint == nullptr) return env.Undefined();
  auto* op = NewOp(UcxOp::Kind::Flush, endpoint);
  ucp_request_param_t param = Param(op);
  param.cb.send = SendCallback;
  ucs_status_ptr_t request = ucp_ep_flush_nbx(endpoint->ep, &param);
  Napi::Promise promise = op->deferred.Promise();
  Track(op, request);
  Drain();
  return promise;
}

Napi::Value UcxWorker::CloseEndpoint(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  UcxEndpoint* endpoint = Find(info, 0);
  if (endpoint == nullptr) return env.Undefined();
  const bool force = info.Length() > 1 && info[1].ToBoolean().Value();
  if (endpoint->purging || endpoint->ep == nullptr) {
    // Already force-closed after a failure: forget it now, or when the purge completes.
    endpoint->closing = true;
    if (endpoint->ep == nullptr) endpoints_.erase(endpoint->id);
    Napi::Promise::Deferred done = Napi::Promise::Deferred::New(env);
    done.Resolve(env.Undefined());
    return done.Promise();
  }
  endpoint->closing = true;
  for (UcxOp* pending : endpoint->pendingRecvs) {
    if (pending->request != nullptr) ucp_request_cancel(worker_, pending->request);
  }
  auto* op = NewOp(UcxOp::Kind::Close, endpoint);
  ucp_request_param_t param = Param(op);
  param.op_attr_mask |= UCP_OP_ATTR_FIELD_FLAGS;
  param.flags = (force || endpoint->failed) ? UCP_EP_CLOSE_FLAG_FORCE : 0;
  if (param.flags != 0) param.op_attr_mask &= ~UCP_OP_ATTR_FLAG_NO_IMM_CMPL;  // forced: completes at once
  param.cb.send = SendCallback;
  ucs_status_ptr_t request = ucp_ep_close_nbx(endpoint->ep, &param);
  Napi::Promise promise = op->deferred.Promise();
  Track(op, request);
  Drain();
  return promise;
}

Napi::Value UcxWorker::EndpointInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  UcxEndpoint* endpoint = Find(info, 0);
  if (endpoint == nullptr) return env.Undefined();
  Napi::Object result = Napi::Object::New(env);
  result.Set("id", endpoint->id);
  result.Set("remoteId", endpoint->remoteId);
  result.Set("peerAddress", endpoint->peerAddress);
  result.Set("failed", endpoint->failed);
  result.Set("status", UcsStatusName(endpoint->failure));
  // UCX 1.13 has no ucp_ep_query for transports: its own report of the endpoint's lanes is the source.
  char* text = nullptr;
  size_t size = 0;
  FILE* stream = open_memstream(&text, &size);
  if (stream != nullptr) {
    ucp_ep_print_info(endpoint->ep, stream);
    std::fclose(stream);
    result.Set("report", Napi::String::New(env, text, size));
    std::free(text);
  }
  return result;
}

Napi::Value UcxWorker::Progress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (Closed(env)) return env.Undefined();
  const uint64_t before = progressCalls_;
  Drain();
  return Napi::Number::New(env, static_cast<double>(progressCalls_ - before));
}

Napi::Value UcxWorker::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("progressCalls", static_cast<double>(progressCalls_));
  result.Set("wakeups", static_cast<double>(wakeups_));
  result.Set("outstanding", static_cast<double>(outstanding_));
  result.Set("endpoints", static_cast<double>(endpoints_.size()));
  result.Set("busyPoll", busyPoll_);
  static const char* kKindNames[] = {"send", "recv", "flush", "close", "idSend", "idRecv"};
  Napi::Object pending = Napi::Object::New(env);
  for (UcxOp* op : live_) {
    const char* name = kKindNames[static_cast<int>(op->kind)];
    pending.Set(name, pending.Has(name) ? pending.Get(name).As<Napi::Number>().Int32Value() + 1 : 1);
  }
  result.Set("pending", pending);
  return result;
}

Napi::Value UcxWorker::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (closed_ || worker_ == nullptr) return env.Undefined();
  // Force-close every endpoint and cancel what waits, progress until UCX has called back, then settle all.
  for (auto& entry : endpoints_) {
    UcxEndpoint* endpoint = entry.second.get();
    for (UcxOp* pending : endpoint->pendingRecvs) {
      if (pending->request != nullptr) ucp_request_cancel(worker_, pending->request);
    }
    if (!endpoint->closing) {
      endpoint->closing = true;
      ForceCloseNow(endpoint);
    }
  }
  for (int i = 0; i < 1000 && outstanding_ > completed_.size(); i++) ucp_worker_progress(worker_);
  closed_ = true;
  Deliver(false);
  Shutdown();
  return env.Undefined();
}

UcxOp* UcxWorker::NewOp(UcxOp::Kind kind, const UcxEndpoint* endpoint) {
  auto* op = new UcxOp(env_, kind);
  op->owner = this;
  op->endpointId = endpoint->id;
  return op;
}

bool UcxWorker::Track(UcxOp* op, ucs_status_ptr_t request) {
  outstanding_++;
  live_.insert(op);
  // NULL: completed at once (only a forced close may do that here); an error: failed before it started.
  if (request == nullptr || UCS_PTR_IS_ERR(request)) {
    Complete(op, UCS_PTR_STATUS(request), 0, 0);
    return false;
  }
  op->request = request;
  return true;
}

void UcxWorker::ForceCloseNow(UcxEndpoint* endpoint) {
  if (endpoint->ep == nullptr || worker_ == nullptr) return;
  ucp_request_param_t param;
  std::memset(&param, 0, sizeof(param));
  param.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS;
  param.flags = UCP_EP_CLOSE_FLAG_FORCE;
  ucs_status_ptr_t request = ucp_ep_close_nbx(endpoint->ep, &param);
  if (UCS_PTR_IS_PTR(request)) {
    while (ucp_request_check_status(request) == UCS_INPROGRESS) ucp_worker_progress(worker_);
    ucp_request_free(request);
  }
  endpoint->ep = nullptr;
}

void UcxWorker::FailEndpoint(UcxEndpoint* endpoint, ucs_status_t status) {
  if (endpoint->failed) return;
  endpoint->failed = true;
  endpoint->failure = status;
  for (UcxOp* pending : endpoint->pendingRecvs) {
    if (pending->request != nullptr) ucp_request_cancel(worker_, pending->request);
  }
  if (endpoint->ep == nullptr || endpoint->closing || endpoint->purging) return;
  // UCX completes the operations still queued on a failed endpoint only once it is force-closed.
  endpoint->purging = true;
  auto* op = NewOp(UcxOp::Kind::Close, endpoint);
  op->internal = true;
  ucp_request_param_t param = Param(op);
  param.op_attr_mask |= UCP_OP_ATTR_FIELD_FLAGS;
  param.flags = UCP_EP_CLOSE_FLAG_FORCE;
  param.op_attr_mask &= ~UCP_OP_ATTR_FLAG_NO_IMM_CMPL;  // a forced close completes immediately by design
  param.cb.send = SendCallback;
  ucs_status_ptr_t request = ucp_ep_close_nbx(endpoint->ep, &param);
  Track(op, request);
}

void UcxWorker::Drain() {
  if (draining_ || worker_ == nullptr) return;
  draining_ = true;
  bool armed = false;
  for (int round = 0; round < kDrainRoundsMax && worker_ != nullptr; round++) {
    while (worker_ != nullptr && ucp_worker_progress(worker_) != 0) progressCalls_++;
    if (!completed_.empty() || !endpointErrors_.empty() || !connectionRequests_.empty()) {
      Deliver(false);  // JavaScript may post new operations: progress again before arming
      continue;
    }
    if (worker_ == nullptr) break;
    if (busyPoll_ && outstanding_ > 0) break;
    if (ucp_worker_arm(worker_) == UCS_ERR_BUSY) continue;
    armed = true;
    break;
  }
  draining_ = false;
  if (worker_ == nullptr || closed_) return;
  // Not armed: UCX still has work, so come back on the next turn of the loop instead of waiting for the fd.
  if (!armed) {
    if (!uv_is_active(reinterpret_cast<uv_handle_t*>(idle_))) uv_idle_start(idle_, &UcxWorker::OnIdle);
  } else if (uv_is_active(reinterpret_cast<uv_handle_t*>(idle_))) {
    uv_idle_stop(idle_);
  }
  UpdateRef();
}

void UcxWorker::Deliver(bool fromEventLoop) {
  (void)fromEventLoop;
  while (!connectionRequests_.empty()) {
    ucp_conn_request_h request = connectionRequests_.front();
    connectionRequests_.pop_front();
    if (closed_) {
      ucp_listener_reject(listener_, request);
      continue;
    }
    UcxEndpoint* endpoint = NewEndpoint(nullptr);
    endpoint->accepted = true;
    ucp_conn_request_attr_t attr;
    std::memset(&attr, 0, sizeof(attr));
    attr.field_mask = UCP_CONN_REQUEST_ATTR_FIELD_CLIENT_ADDR;
    if (ucp_conn_request_query(request, &attr) == UCS_OK) endpoint->peerAddress = FormatAddress(attr.client_address);
    ucp_ep_params_t params;
    std::memset(&params, 0, sizeof(params));
    params.field_mask =
        UCP_EP_PARAM_FIELD_CONN_REQUEST | UCP_EP_PARAM_FIELD_ERR_HANDLER | UCP_EP_PARAM_FIELD_ERR_HANDLING_MODE;
    params.conn_request = request;
    params.err_mode = UCP_ERR_HANDLING_MODE_PEER;
    params.err_handler.cb = EndpointErrorCallback;
    params.err_handler.arg = endpoint;
    ucs_status_t status = ucp_ep_create(worker_, &params, &endpoint->ep);
    if (status != UCS_OK) {
      endpoints_.erase(endpoint->id);
      Emit("accept-error", 0, status, "ucp_ep_create");
      continue;
    }
    StartIdExchange(endpoint);
  }
  while (!endpointErrors_.empty()) {
    auto [id, status] = endpointErrors_.front();
    endpointErrors_.pop_front();
    auto it = endpoints_.find(id);
    if (it == endpoints_.end()) continue;
    FailEndpoint(it->second.get(), status);
    Emit("error", id, status, it->second->peerAddress);
  }
  while (!completed_.empty()) {
    UcxOp* op = completed_.front();
    completed_.pop_front();
    Settle(op);
  }
}

void UcxWorker::Settle(UcxOp* op) {
  Napi::Env env = env_;
  outstanding_--;
  live_.erase(op);
  auto it = endpoints_.find(op->endpointId);
  UcxEndpoint* endpoint = it == endpoints_.end() ? nullptr : it->second.get();
  if (endpoint != nullptr) {
    auto& pending = endpoint->pendingRecvs;
    for (auto p = pending.begin(); p != pending.end(); ++p) {
      if (*p == op) {
        pending.erase(p);
        break;
      }
    }
  }
  // A receive cancelled because its endpoint failed reports the endpoint's failure, not the cancellation.
  ucs_status_t status = op->status;
  if (status == UCS_ERR_CANCELED && endpoint != nullptr && endpoint->failed) status = endpoint->failure;

  switch (op->kind) {
    case UcxOp::Kind::Send:
    case UcxOp::Kind::Flush:
      if (status == UCS_OK) op->deferred.Resolve(env.Undefined());
      else op->deferred.Reject(UcxErrorValue(env, op->kind == UcxOp::Kind::Send ? "send" : "flush", status).Value());
      break;
    case UcxOp::Kind::Recv:
      if (status == UCS_OK) {
        Napi::Object result = Napi::Object::New(env);
        result.Set("length", static_cast<double>(op->length));
        result.Set("tag", static_cast<double>(op->tag & 0xFFFFFFFFULL));
        op->deferred.Resolve(result);
      } else {
        op->deferred.Reject(UcxErrorValue(env, "recv", status).Value());
      }
      break;
    case UcxOp::Kind::Close:
      if (op->internal) {
        op->deferred.Resolve(env.Undefined());
        if (endpoint != nullptr) {
          endpoint->ep = nullptr;
          if (endpoint->closing) endpoints_.erase(op->endpointId);
        }
        break;
      }
      // A failed endpoint's close reports success: the failure was already reported once.
      if (status == UCS_OK || status == UCS_ERR_CANCELED || (endpoint != nullptr && endpoint->failed)) {
        op->deferred.Resolve(env.Undefined());
      } else {
        op->deferred.Reject(UcxErrorValue(env, "close", status).Value());
      }
      if (endpoint != nullptr) {
        endpoint->ep = nullptr;
        endpoints_.erase(op->endpointId);
      }
      break;
    case UcxOp::Kind::IdSend:
      break;  // a failure shows up on the receiving half of the exchange as well
    case UcxOp::Kind::IdRecv:
      if (endpoint == nullptr) break;
      if (status == UCS_OK && op->length == sizeof(op->idWire)) {
        endpoint->remoteId = op->idWire;
        endpoint->remoteKnown = true;
        if (endpoint->connectOp != nullptr) {
          endpoint->connectOp->deferred.Resolve(Napi::Number::New(env, endpoint->id));
        } else {
          Emit("accept", endpoint->id, UCS_OK, endpoint->peerAddress);
        }
      } else {
        const ucs_status_t failure = status == UCS_OK ? UCS_ERR_IO_ERROR : status;
        if (endpoint->connectOp != nullptr) {
          endpoint->connectOp->deferred.Reject(UcxErrorValue(env, "connect", failure).Value());
        }
        FailEndpoint(endpoint, failure);
      }
      delete endpoint->connectOp;
      endpoint->connectOp = nullptr;
      break;
  }
  delete op;
}

void UcxWorker::Emit(const char* kind, uint32_t endpointId, ucs_status_t status, const std::string& detail) {
  if (closed_ || onEvent_.IsEmpty()) return;
  Napi::Env env = env_;
  onEvent_.Call({Napi::String::New(env, kind), Napi::Number::New(env, endpointId),
                 Napi::String::New(env, UcsStatusName(status)), Napi::String::New(env, detail)});
}

void UcxWorker::UpdateRef() {
  if (poll_ == nullptr) return;
  // Like a server socket or a pending request: a listener or an operation in flight keeps the process alive.
  auto* handle = reinterpret_cast<uv_handle_t*>(poll_);
  auto* idle = reinterpret_cast<uv_handle_t*>(idle_);
  if (listener_ != nullptr || outstanding_ > 0) {
    uv_ref(handle);
    uv_ref(idle);
  } else {
    uv_unref(handle);
    uv_unref(idle);
  }
}

void UcxWorker::OnPoll(uv_poll_t* handle, int, int) {
  auto* self = static_cast<UcxWorker*>(handle->data);
  self->wakeups_++;
  Napi::HandleScope scope(self->env_);
  Napi::CallbackScope callbackScope(self->env_, *self->asyncContext_);
  self->Drain();
}

void UcxWorker::OnIdle(uv_idle_t* handle) {
  auto* self = static_cast<UcxWorker*>(handle->data);
  Napi::HandleScope scope(self->env_);
  Napi::CallbackScope callbackScope(self->env_, *self->asyncContext_);
  self->Drain();
}

void UcxWorker::Shutdown() {
  closed_ = true;
  if (listener_ != nullptr) {
    ucp_listener_destroy(listener_);
    listener_ = nullptr;
  }
  if (poll_ != nullptr) {
    uv_poll_stop(poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    poll_ = nullptr;
  }
  if (idle_ != nullptr) {
    uv_idle_stop(idle_);
    uv_close(reinterpret_cast<uv_handle_t*>(idle_), [](uv_handle_t* h) { delete reinterpret_cast<uv_idle_t*>(h); });
    idle_ = nullptr;
  }
  for (auto& entry : endpoints_) {
    UcxEndpoint* endpoint = entry.second.get();
    ForceCloseNow(endpoint);
    delete endpoint->connectOp;
    endpoint->connectOp = nullptr;
  }
  endpoints_.clear();
  if (worker_ != nullptr) {
    ucp_worker_destroy(worker_);
    worker_ = nullptr;
  }
  if (context_ != nullptr) {
    ucp_cleanup(context_);
    context_ = nullptr;
  }
  delete asyncContext_;
  asyncContext_ = nullptr;
}

}  // namespace dwcp
