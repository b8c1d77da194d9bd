#pragma once
// Pure decoding of libibverbs values into the names and units the verbs diagnostics report: enum names, MTU
// bytes, link speed in Gbit/s, GUID and GID text, errno text. No verbs calls, no N-API.
#include <infiniband/verbs.h>

#include <cstdint>
#include <string>

namespace dwcp {
namespace verbs {

/** Node type, as ibv_node_type_str names it (e.g. "InfiniBand channel adapter"). */
const char* NodeTypeName(int node_type);
/** Transport type, as ibv_devinfo names it (e.g. "InfiniBand", "iWARP"). */
const char* TransportTypeName(int transport_type);
/** Atomic capability, e.g. "ATOMIC_HCA". */
const char* AtomicCapName(int atomic_cap);
/** Logical port state, e.g. "PORT_ACTIVE". */
const char* PortStateName(int state);
/** Physical port state, e.g. "LINK_UP". */
const char* PhysStateName(int phys_state);
/** Link layer: "InfiniBand" (also for UNSPECIFIED, as the kernel and ibv_devinfo treat it) or "Ethernet". */
const char* LinkLayerName(int link_layer);
/** Bytes of an ibv_mtu value (IBV_MTU_256..IBV_MTU_4096), or 0 when the value is not one of them. */
int MtuBytes(int mtu);

/** An active_speed code decoded: the generation's name and its nominal data rate per lane. */
struct LaneSpeed {
  const char* name;  // e.g. "EDR"; nullptr when the code is unknown
  double gbps;       // per lane, e.g. 25 for EDR; 0 when unknown
};
/** Decodes ibv_port_attr.active_speed (1 SDR … 128 NDR). */
LaneSpeed DecodeActiveSpeed(int code);
/** Lanes of ibv_port_attr.active_width (1 → 1X, 2 → 4X, 4 → 8X, 8 → 12X, 16 → 2X), 0 when unknown. */
int DecodeActiveWidthLanes(int code);

/** A GUID given in network byte order, as four groups of four hex digits: "0002:c903:00fa:ced0". */
std::string FormatGuid(__be64 guid_be);
/** A GID as eight groups of four hex digits, IPv6 style without compression. */
std::string FormatGid(const union ibv_gid& gid);
/** Whether every byte of the GID is zero (an unused table entry). */
bool GidIsZero(const union ibv_gid& gid);

/** strerror text, thread-safe ("Function not implemented"). */
std::string ErrnoMessage(int err);
/** The errno's symbolic name ("ENOSYS"), or "" when unknown to this table. */
const char* ErrnoName(int err);

}  // namespace verbs
}  // namespace dwcp
