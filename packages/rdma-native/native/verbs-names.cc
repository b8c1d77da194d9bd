#include "verbs-names.h"

#include <endian.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace dwcp {
namespace verbs {

const char* NodeTypeName(int node_type) {
  switch (node_type) {
    case IBV_NODE_CA: return "InfiniBand channel adapter";
    case IBV_NODE_SWITCH: return "InfiniBand switch";
    case IBV_NODE_ROUTER: return "InfiniBand router";
    case IBV_NODE_RNIC: return "iWARP NIC";
    case IBV_NODE_USNIC: return "usNIC";
    case IBV_NODE_USNIC_UDP: return "usNIC UDP";
    case IBV_NODE_UNSPECIFIED: return "unspecified";
    default: return "unknown";
  }
}

const char* TransportTypeName(int transport_type) {
  switch (transport_type) {
    case IBV_TRANSPORT_IB: return "InfiniBand";
    case IBV_TRANSPORT_IWARP: return "iWARP";
    case IBV_TRANSPORT_USNIC: return "usNIC";
    case IBV_TRANSPORT_USNIC_UDP: return "usNIC UDP";
    case IBV_TRANSPORT_UNSPECIFIED: return "unspecified";
    default: return "unknown";
  }
}

const char* AtomicCapName(int atomic_cap) {
  switch (atomic_cap) {
    case IBV_ATOMIC_NONE: return "ATOMIC_NONE";
    case IBV_ATOMIC_HCA: return "ATOMIC_HCA";
    case IBV_ATOMIC_GLOB: return "ATOMIC_GLOB";
    default: return "unknown";
  }
}

const char* PortStateName(int state) {
  switch (state) {
    case IBV_PORT_NOP: return "PORT_NOP";
    case IBV_PORT_DOWN: return "PORT_DOWN";
    case IBV_PORT_INIT: return "PORT_INIT";
    case IBV_PORT_ARMED: return "PORT_ARMED";
    case IBV_PORT_ACTIVE: return "PORT_ACTIVE";
    case IBV_PORT_ACTIVE_DEFER: return "PORT_ACTIVE_DEFER";
    default: return "unknown";
  }
}

const char* PhysStateName(int phys_state) {
  // IBTA PortInfo:PortPhysicalState, as ibv_devinfo prints it.
  switch (phys_state) {
    case 1: return "SLEEP";
    case 2: return "POLLING";
    case 3: return "DISABLED";
    case 4: return "PORT_CONFIGURATION_TRAINING";
    case 5: return "LINK_UP";
    case 6: return "LINK_ERROR_RECOVERY";
    case 7: return "PHY_TEST";
    default: return "unknown";
  }
}

const char* LinkLayerName(int link_layer) {
  switch (link_layer) {
    case IBV_LINK_LAYER_UNSPECIFIED:  // drivers predating the field: InfiniBand
    case IBV_LINK_LAYER_INFINIBAND: return "InfiniBand";
    case IBV_LINK_LAYER_ETHERNET: return "Ethernet";
    default: return "unknown";
  }
}

int MtuBytes(int mtu) {
  return mtu >= IBV_MTU_256 && mtu <= IBV_MTU_4096 ? 128 << mtu : 0;
}

LaneSpeed DecodeActiveSpeed(int code) {
  // Nominal data rate per lane, as ibv_devinfo prints it (4X EDR = 100 Gbit/s, 4X FDR = 56 Gbit/s).
  switch (code) {
    case 1: return {"SDR", 2.5};
    case 2: return {"DDR", 5};
    case 4: return {"QDR", 10};
    case 8: return {"FDR10", 10};
    case 16: return {"FDR", 14};
    case 32: return {"EDR", 25};
    case 64: return {"HDR", 50};
    case 128: return {"NDR", 100};
    default: return {nullptr, 0};
  }
}

int DecodeActiveWidthLanes(int code) {
  switch (code) {
    case 1: return 1;
    case 2: return 4;
    case 4: return 8;
    case 8: return 12;
    case 16: return 2;
    default: return 0;
  }
}

std::string FormatGuid(__be64 guid_be) {
  const uint64_t guid = be64toh(guid_be);
  char text[20];
  std::snprintf(text, sizeof text, "%04x:%04x:%04x:%04x", static_cast<unsigned>((guid >> 48) & 0xffff),
                static_cast<unsigned>((guid >> 32) & 0xffff), static_cast<unsigned>((guid >> 16) & 0xffff),
                static_cast<unsigned>(guid & 0xffff));
  return text;
}

std::string FormatGid(const union ibv_gid& gid) {
  char text[40];
  char* at = text;
  for (int group = 0; group < 8; ++group) {
    std::snprintf(at, text + sizeof text - at, group == 0 ? "%02x%02x" : ":%02x%02x", gid.raw[2 * group],
                  gid.raw[2 * group + 1]);
    at += group == 0 ? 4 : 5;
  }
  return text;
}

bool GidIsZero(const union ibv_gid& gid) {
  for (uint8_t byte : gid.raw) {
    if (byte != 0) return false;
  }
  return true;
}

// strerror_r is the GNU variant (returns the text) with _GNU_SOURCE, the XSI one (fills the buffer) otherwise.
static const char* StrerrorResult(const char* text, const char*) { return text; }
static const char* StrerrorResult(int rc, const char* buffer) { return rc == 0 ? buffer : "Unknown error"; }

std::string ErrnoMessage(int err) {
  char buffer[256] = {0};
  return StrerrorResult(strerror_r(err, buffer, sizeof buffer), buffer);
}

const char* ErrnoName(int err) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char* name = strerrorname_np(err);
  return name == nullptr ? "" : name;
#else
  switch (err) {
    case ENOSYS: return "ENOSYS";
    case ENODEV: return "ENODEV";
    case ENOENT: return "ENOENT";
    case ENXIO: return "ENXIO";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOMEM: return "ENOMEM";
    case EINVAL: return "EINVAL";
    case EIO: return "EIO";
    case EBUSY: return "EBUSY";
    case EAGAIN: return "EAGAIN";
    case EFAULT: return "EFAULT";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    default: return "";
  }
#endif
}

}  // namespace verbs
}  // namespace dwcp
