// Verbs diagnostics: queryRdmaDevices() lists the RDMA devices libibverbs sees, with each device's attributes,
// limits and ports, in the spirit of `ibv_devinfo -v`. Nothing here throws for a verbs failure: a failed listing
// is reported in the result's `error`, a device that cannot be opened or queried in that device's `error`, a
// port that cannot be queried in that port's `error`. Every opened device and the device list are released on
// every path (RAII guards below).
#include "verbs.h"

#include <infiniband/verbs.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "verbs-names.h"

namespace dwcp {
namespace {

/** GID table entries scanned per port: enough for the RoCE v1/v2 entries of a few addresses, and bounded. */
constexpr int kMaxGidsPerPort = 16;
/** Largest integer a JS number holds exactly (2^53 - 1). */
constexpr uint64_t kMaxSafeInteger = (uint64_t{1} << 53) - 1;

class DeviceList {
 public:
  DeviceList() { list_ = ibv_get_device_list(&count_); }
  ~DeviceList() {
    if (list_ != nullptr) ibv_free_device_list(list_);
  }
  DeviceList(const DeviceList&) = delete;
  DeviceList& operator=(const DeviceList&) = delete;
  ibv_device** get() const { return list_; }
  int count() const { return list_ == nullptr || count_ < 0 ? 0 : count_; }

 private:
  ibv_device** list_ = nullptr;
  int count_ = 0;
};

class OpenDevice {
 public:
  explicit OpenDevice(ibv_device* device) : context_(ibv_open_device(device)) {}
  ~OpenDevice() {
    if (context_ != nullptr) ibv_close_device(context_);
  }
  OpenDevice(const OpenDevice&) = delete;
  OpenDevice& operator=(const OpenDevice&) = delete;
  ibv_context* get() const { return context_; }

 private:
  ibv_context* context_;
};

/** The errno of a verbs call that returned `rc` != 0: most return the errno, some -1 with errno set. */
int ErrnoOf(int rc) {
  if (rc > 0) return rc;
  return errno != 0 ? errno : -rc;
}

Napi::Object VerbsError(Napi::Env env, const char* operation, int err) {
  Napi::Object error = Napi::Object::New(env);
  error.Set("operation", operation);
  error.Set("errno", err);
  error.Set("code", verbs::ErrnoName(err));
  error.Set("message", err == 0 ? std::string("unknown error (errno not set)") : verbs::ErrnoMessage(err));
  return error;
}

Napi::Value Uint64Value(Napi::Env env, uint64_t value) {
  if (value <= kMaxSafeInteger) return Napi::Number::New(env, static_cast<double>(value));
  return Napi::String::New(env, std::to_string(value));
}

Napi::Value OrNull(Napi::Env env, int value) {
  return value == 0 ? env.Null() : Napi::Number::New(env, value);
}

Napi::Object Limits(Napi::Env env, const ibv_device_attr& attr) {
  Napi::Object limits = Napi::Object::New(env);
  limits.Set("maxQp", attr.max_qp);
  limits.Set("maxQpWr", attr.max_qp_wr);
  limits.Set("maxSge", attr.max_sge);
  limits.Set("maxCq", attr.max_cq);
  limits.Set("maxCqe", attr.max_cqe);
  limits.Set("maxMr", attr.max_mr);
  limits.Set("maxMrSizeBytes", Uint64Value(env, attr.max_mr_size));
  limits.Set("maxPd", attr.max_pd);
  limits.Set("maxQpRdAtom", attr.max_qp_rd_atom);
  limits.Set("atomicCap", verbs::AtomicCapName(attr.atomic_cap));
  return limits;
}

Napi::Array Gids(Napi::Env env, ibv_context* context, uint8_t port_number, int table_length) {
  Napi::Array gids = Napi::Array::New(env);
  const int scanned = table_length < kMaxGidsPerPort ? table_length : kMaxGidsPerPort;
  uint32_t count = 0;
  for (int index = 0; index < scanned; ++index) {
    union ibv_gid gid;
    std::memset(&gid, 0, sizeof gid);
    // A failed or all-zero entry is an unused slot (RoCE tables have holes): skipped, as ibv_devinfo does.
    if (ibv_query_gid(context, port_number, index, &gid) != 0 || verbs::GidIsZero(gid)) continue;
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("index", index);
    entry.Set("gid", verbs::FormatGid(gid));
    gids.Set(count++, entry);
  }
  return gids;
}

Napi::Object Port(Napi::Env env, ibv_context* context, uint8_t port_number) {
  Napi::Object port = Napi::Object::New(env);
  port.Set("portNumber", port_number);
  ibv_port_attr attr;
  std::memset(&attr, 0, sizeof attr);
  errno = 0;
  const int rc = ibv_query_port(context, port_number, &attr);
  if (rc != 0) {
    port.Set("error", VerbsError(env, "ibv_query_port", ErrnoOf(rc)));
    return port;
  }
  port.Set("error", env.Null());
  port.Set("state", verbs::PortStateName(attr.state));
  port.Set("physState", verbs::PhysStateName(attr.phys_state));
  port.Set("maxMtuBytes", OrNull(env, verbs::MtuBytes(attr.max_mtu)));
  port.Set("activeMtuBytes", OrNull(env, verbs::MtuBytes(attr.active_mtu)));
  port.Set("lid", attr.lid);
  port.Set("smLid", attr.sm_lid);
  port.Set("linkLayer", verbs::LinkLayerName(attr.link_layer));
  const verbs::LaneSpeed speed = verbs::DecodeActiveSpeed(attr.active_speed);
  const int lanes = verbs::DecodeActiveWidthLanes(attr.active_width);
  port.Set("activeSpeedCode", attr.active_speed);
  port.Set("activeSpeed", speed.name == nullptr ? env.Null() : Napi::String::New(env, speed.name));
  port.Set("laneSpeedGbps", speed.name == nullptr ? env.Null() : Napi::Number::New(env, speed.gbps));
  port.Set("activeWidthCode", attr.active_width);
  port.Set("activeWidthLanes", OrNull(env, lanes));
  port.Set("speedGbps",
           speed.name == nullptr || lanes == 0 ? env.Null() : Napi::Number::New(env, speed.gbps * lanes));
  port.Set("gidTableLength", attr.gid_tbl_len);
  port.Set("gids", Gids(env, context, port_number, attr.gid_tbl_len));
  return port;
}

Napi::Object Device(Napi::Env env, ibv_device* device) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("name", ibv_get_device_name(device));
  result.Set("nodeGuid", verbs::FormatGuid(ibv_get_device_guid(device)));
  result.Set("nodeType", verbs::NodeTypeName(device->node_type));
  result.Set("transportType", verbs::TransportTypeName(device->transport_type));

  errno = 0;
  OpenDevice open(device);
  if (open.get() == nullptr) {
    result.Set("error", VerbsError(env, "ibv_open_device", errno));
    return result;
  }
  ibv_device_attr attr;
  std::memset(&attr, 0, sizeof attr);
  errno = 0;
  const int rc = ibv_query_device(open.get(), &attr);
  if (rc != 0) {
    result.Set("error", VerbsError(env, "ibv_query_device", ErrnoOf(rc)));
    return result;
  }
  result.Set("error", env.Null());
  result.Set("firmwareVersion", std::string(attr.fw_ver, strnlen(attr.fw_ver, sizeof attr.fw_ver)));
  result.Set("sysImageGuid", verbs::FormatGuid(attr.sys_image_guid));
  result.Set("vendorId", attr.vendor_id);
  result.Set("vendorPartId", attr.vendor_part_id);
  result.Set("hardwareVersion", attr.hw_ver);
  result.Set("physPortCount", attr.phys_port_cnt);
  result.Set("limits", Limits(env, attr));
  Napi::Array ports = Napi::Array::New(env, attr.phys_port_cnt);
  for (uint32_t number = 1; number <= attr.phys_port_cnt; ++number) {
    ports.Set(number - 1, Port(env, open.get(), static_cast<uint8_t>(number)));
  }
  result.Set("ports", ports);
  return result;
}

Napi::Value QueryRdmaDevices(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object report = Napi::Object::New(env);
  Napi::Array devices = Napi::Array::New(env);
  report.Set("devices", devices);

  errno = 0;
  DeviceList list;
  if (list.get() == nullptr) {
    report.Set("error", VerbsError(env, "ibv_get_device_list", errno));
    return report;
  }
  report.Set("error", env.Null());
  ibv_device** entries = list.get();
  for (int index = 0; index < list.count() && entries[index] != nullptr; ++index) {
    devices.Set(static_cast<uint32_t>(index), Device(env, entries[index]));
  }
  return report;
}

}  // namespace

void InitVerbs(Napi::Env env, Napi::Object exports) {
  exports.Set("queryRdmaDevices", Napi::Function::New(env, QueryRdmaDevices, "queryRdmaDevices"));
}

}  // namespace dwcp
