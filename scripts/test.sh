#!/usr/bin/env bash
# One command for all test set-up and every test: installs the Debian packages the tests need
# (when missing) and runs the whole Maven build with its tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the test suite uses: gcc and Xen's public headers for the C ABI probes and
# differential peers, xenstore-utils and python3-pyxs as real xenstore clients, tshark/capinfos for
# reading captures back; iproute2, iputils-ping and iperf3 for the TAP tests (namespaces, ping, TCP runs).
PACKAGES=(gcc libc6-dev libxen-dev xenstore-utils python3-pyxs tshark iproute2 iputils-ping iperf3)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing missing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

exec mvn -B -ntp verify "$@"
