#!/usr/bin/env bash
# Installs what the test suite needs from the system, as root on Debian (12 or later): the Debian packages below
# and pnpm 10. Packages already present are left alone, so a second run changes nothing.
#
# - cmake, g++, gcc, libibverbs-dev, libucx-dev: the native addon builds from source against libibverbs and
#   libucx; rdma-core, ibverbs-utils and ucx-utils: the tests compare with the verbs CLI and ucx_info.
# - iproute2, iperf3: the WAN emulator (tools/wan-emulator) makes network namespaces joined by a user-space
#   delay line on /dev/net/tun (root), and measures its paths with iperf3.
# - openssl: test certificates; zstd, lz4: the HDE interop tests decode our frames with the CLIs.
# - prometheus (with promtool): the operations tests check the alert rules and have a real Prometheus scrape
#   live nodes.
set -euo pipefail

APT_PACKAGES=(cmake g++ gcc libibverbs-dev rdma-core ibverbs-utils libucx-dev ucx-utils iproute2 iperf3 openssl
  zstd lz4 prometheus)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "the tests need these Debian packages: ${missing[*]} (run this script as root, or install them)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# pnpm 10, as pinned by package.json's packageManager field.
if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version)" != 10.* ]]; then
  npm install -g pnpm@10
fi
