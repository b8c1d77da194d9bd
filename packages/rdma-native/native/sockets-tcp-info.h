// struct tcp_info (getsockopt TCP_INFO) as a JS object with unit-suffixed names (header-only: compiled into
// sockets.cc). Only the fields that both this build's <linux/tcp.h> declares and the running kernel filled (the
// length getsockopt returned) are set; the TypeScript type `TcpInfo` documents each name and unit.
#pragma once
#include <linux/tcp.h>
#include <napi.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <limits>

namespace dwcp {
namespace sockets {

/** Whether the first `len` bytes the kernel filled include all of `field`. */
#define DWCP_TCPI_HAS(field) \
  (len >= offsetof(struct tcp_info, field) + sizeof(static_cast<struct tcp_info*>(nullptr)->field))

/** 64-bit counters become JS numbers: exact up to 2^53 (8 PiB of bytes), rounded above. */
inline Napi::Value U64(Napi::Env env, uint64_t value) {
  return Napi::Number::New(env, static_cast<double>(value));
}

/** A pacing rate in bytes per second; the kernel reports "unlimited" as ~0, which becomes Infinity. */
inline Napi::Value Rate(Napi::Env env, uint64_t value) {
  if (value == std::numeric_limits<uint64_t>::max()) {
    return Napi::Number::New(env, std::numeric_limits<double>::infinity());
  }
  return U64(env, value);
}

/** Converts the first `len` bytes of `ti` (as filled by getsockopt(TCP_INFO)) to a JS object. */
inline Napi::Object TcpInfoObject(Napi::Env env, const struct tcp_info& ti, socklen_t len) {
  Napi::Object o = Napi::Object::New(env);
  auto u32 = [&](const char* name, uint32_t value) { o.Set(name, Napi::Number::New(env, value)); };
  o.Set("infoBytes", Napi::Number::New(env, len));

  // The first 8 bytes (states, counters and bit fields); every kernel fills them.
  if (len >= 8) {
    u32("state", ti.tcpi_state);
    u32("caState", ti.tcpi_ca_state);
    u32("retransmits", ti.tcpi_retransmits);
    u32("probes", ti.tcpi_probes);
    u32("backoff", ti.tcpi_backoff);
    u32("options", ti.tcpi_options);
    u32("sndWscale", ti.tcpi_snd_wscale);
    u32("rcvWscale", ti.tcpi_rcv_wscale);
    o.Set("deliveryRateAppLimited", Napi::Boolean::New(env, ti.tcpi_delivery_rate_app_limited != 0));
    u32("fastopenClientFail", ti.tcpi_fastopen_client_fail);
  }

#define DWCP_U32(name, field) \
  if (DWCP_TCPI_HAS(field)) u32(name, ti.field)
#define DWCP_U64(name, field) \
  if (DWCP_TCPI_HAS(field)) o.Set(name, U64(env, ti.field))
#define DWCP_RATE(name, field) \
  if (DWCP_TCPI_HAS(field)) o.Set(name, Rate(env, ti.field))

  DWCP_U32("rtoUs", tcpi_rto);
  DWCP_U32("atoUs", tcpi_ato);
  DWCP_U32("sndMss", tcpi_snd_mss);
  DWCP_U32("rcvMss", tcpi_rcv_mss);
  DWCP_U32("unacked", tcpi_unacked);
  DWCP_U32("sacked", tcpi_sacked);
  DWCP_U32("lost", tcpi_lost);
  DWCP_U32("retrans", tcpi_retrans);
  DWCP_U32("fackets", tcpi_fackets);
  DWCP_U32("lastDataSentMs", tcpi_last_data_sent);
  // tcpi_last_ack_sent is not remembered by Linux (always 0): left out.
  DWCP_U32("lastDataRecvMs", tcpi_last_data_recv);
  DWCP_U32("lastAckRecvMs", tcpi_last_ack_recv);
  DWCP_U32("pmtu", tcpi_pmtu);
  DWCP_U32("rcvSsthresh", tcpi_rcv_ssthresh);
  DWCP_U32("rttUs", tcpi_rtt);
  DWCP_U32("rttvarUs", tcpi_rttvar);
  DWCP_U32("sndSsthresh", tcpi_snd_ssthresh);
  DWCP_U32("sndCwnd", tcpi_snd_cwnd);
  DWCP_U32("advMss", tcpi_advmss);
  DWCP_U32("reordering", tcpi_reordering);
  DWCP_U32("rcvRttUs", tcpi_rcv_rtt);
  DWCP_U32("rcvSpaceBytes", tcpi_rcv_space);
  DWCP_U32("totalRetrans", tcpi_total_retrans);
  DWCP_RATE("pacingRateBytesPerSecond", tcpi_pacing_rate);
  DWCP_RATE("maxPacingRateBytesPerSecond", tcpi_max_pacing_rate);
  DWCP_U64("bytesAcked", tcpi_bytes_acked);
  DWCP_U64("bytesReceived", tcpi_bytes_received);
  DWCP_U32("segsOut", tcpi_segs_out);
  DWCP_U32("segsIn", tcpi_segs_in);
  DWCP_U32("notsentBytes", tcpi_notsent_bytes);
  DWCP_U32("minRttUs", tcpi_min_rtt);
  DWCP_U32("dataSegsIn", tcpi_data_segs_in);
  DWCP_U32("dataSegsOut", tcpi_data_segs_out);
  DWCP_U64("deliveryRateBytesPerSecond", tcpi_delivery_rate);
  DWCP_U64("busyTimeUs", tcpi_busy_time);
  DWCP_U64("rwndLimitedUs", tcpi_rwnd_limited);
  DWCP_U64("sndbufLimitedUs", tcpi_sndbuf_limited);
  DWCP_U32("delivered", tcpi_delivered);
  DWCP_U32("deliveredCe", tcpi_delivered_ce);
  DWCP_U64("bytesSent", tcpi_bytes_sent);
  DWCP_U64("bytesRetrans", tcpi_bytes_retrans);
  DWCP_U32("dsackDups", tcpi_dsack_dups);
  DWCP_U32("reordSeen", tcpi_reord_seen);
  DWCP_U32("rcvOooPack", tcpi_rcv_ooopack);
  DWCP_U32("sndWndBytes", tcpi_snd_wnd);

#undef DWCP_U32
#undef DWCP_U64
#undef DWCP_RATE
  return o;
}

#undef DWCP_TCPI_HAS

}  // namespace sockets
}  // namespace dwcp
