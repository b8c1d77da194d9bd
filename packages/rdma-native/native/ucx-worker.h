// A UCP worker bound to the Node event loop: its wakeup fd is polled by libuv; UCX callbacks only record
// completions, which are then delivered to JavaScript outside of ucp_worker_progress.
#pragma once
#include <napi.h>
#include <ucp/api/ucp.h>
#include <uv.h>

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

namespace dwcp {

struct UcxEndpoint;

/** One outstanding operation and what it holds alive until it completes. */
struct UcxOp {
  enum class Kind { Send, Recv, Flush, Close, IdSend, IdRecv };
  Kind kind;
  class UcxWorker* owner = nullptr;
  uint32_t endpointId = 0;
  void* request = nullptr;
  Napi::Promise::Deferred deferred;
  Napi::Reference<Napi::Value> buffer;  // keeps the caller's buffer alive while UCX uses it
  uint32_t idWire = 0;                  // the 4 bytes of the id exchange
  bool done = false;
  bool internal = false;  // a close the worker started itself (to purge a failed endpoint)
  ucs_status_t status = UCS_OK;
  size_t length = 0;
  uint64_t tag = 0;
  explicit UcxOp(Napi::Env env, Kind k) : kind(k), deferred(Napi::Promise::Deferred::New(env)) {}
};

/** A connection to one peer; tag space is split so every endpoint receives only its own messages. */
struct UcxEndpoint {
  uint32_t id = 0;
  uint32_t remoteId = 0;
  bool remoteKnown = false;
  bool failed = false;
  bool closing = false;
  bool purging = false;  // force-closed by the worker after a failure; the record stays until JS closes it
  bool accepted = false;  // created from a listener's connection request
  ucs_status_t failure = UCS_OK;
  ucp_ep_h ep = nullptr;
  std::string peerAddress;
  std::vector<UcxOp*> pendingRecvs;
  UcxOp* connectOp = nullptr;  // the connect() promise, settled when the peer's id arrives
  class UcxWorker* worker = nullptr;
};

/** The JavaScript class `UcxWorker` of the addon. */
class UcxWorker : public Napi::ObjectWrap<UcxWorker> {
 public:
  static void Register(Napi::Env env, Napi::Object exports);
  explicit UcxWorker(const Napi::CallbackInfo& info);
  ~UcxWorker() override;

  // Called from UCX callbacks (inside progress): record, never touch JavaScript.
  void Complete(UcxOp* op, ucs_status_t status, size_t length, uint64_t tag);
  void OnEndpointError(UcxEndpoint* endpoint, ucs_status_t status);
  void OnConnectionRequest(ucp_conn_request_h request);

 private:
  Napi::Value Listen(const Napi::CallbackInfo& info);
  Napi::Value Connect(const Napi::CallbackInfo& info);
  Napi::Value Send(const Napi::CallbackInfo& info);
  Napi::Value Recv(const Napi::CallbackInfo& info);
  Napi::Value Flush(const Napi::CallbackInfo& info);
  Napi::Value CloseEndpoint(const Napi::CallbackInfo& info);
  Napi::Value EndpointInfo(const Napi::CallbackInfo& info);
  Napi::Value Progress(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);

  UcxEndpoint* NewEndpoint(ucp_ep_h ep);
  UcxEndpoint* Find(const Napi::CallbackInfo& info, size_t index);
  bool StartIdExchange(UcxEndpoint* endpoint);
  void FailEndpoint(UcxEndpoint* endpoint, ucs_status_t status);
  /** A new operation of this worker on `endpoint`. */
  UcxOp* NewOp(UcxOp::Kind kind, const UcxEndpoint* endpoint);
  /** Counts an operation as outstanding and records its request; false when it already completed or failed. */
  bool Track(UcxOp* op, ucs_status_ptr_t request);
  /** Closes an endpoint at once (forced), progressing until UCX has let go of it. */
  void ForceCloseNow(UcxEndpoint* endpoint);
  void Drain();                       // progress until quiet, arm the wakeup fd, deliver completions
  void Deliver(bool fromEventLoop);   // hand recorded completions to JavaScript
  void Settle(UcxOp* op);
  void Emit(const char* kind, uint32_t endpointId, ucs_status_t status, const std::string& detail);
  void UpdateRef();
  void Shutdown();
  bool Closed(Napi::Env env);
  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnIdle(uv_idle_t* handle);

  Napi::Env env_;
  ucp_context_h context_ = nullptr;
  ucp_worker_h worker_ = nullptr;
  ucp_listener_h listener_ = nullptr;
  uv_poll_t* poll_ = nullptr;
  uv_idle_t* idle_ = nullptr;
  bool busyPoll_ = false;
  bool closed_ = false;
  bool draining_ = false;
  uint32_t nextEndpointId_ = 1;
  size_t outstanding_ = 0;
  uint64_t progressCalls_ = 0;
  uint64_t wakeups_ = 0;
  std::map<uint32_t, std::unique_ptr<UcxEndpoint>> endpoints_;
  std::set<UcxOp*> live_;  // every operation not yet settled, for stats and shutdown
  std::deque<UcxOp*> completed_;
  std::deque<std::pair<uint32_t, ucs_status_t>> endpointErrors_;
  std::deque<ucp_conn_request_h> connectionRequests_;
  Napi::FunctionReference onEvent_;
  Napi::AsyncContext* asyncContext_ = nullptr;
};

/** Name of a UCS status (e.g. `UCS_ERR_CONNECTION_RESET`). */
const char* UcsStatusName(ucs_status_t status);

/** A JavaScript Error carrying `ucsStatus`, `ucsStatusName` and `operation`. */
Napi::Error UcxErrorValue(Napi::Env env, const std::string& operation, ucs_status_t status);

}  // namespace dwcp
