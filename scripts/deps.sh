#!/bin/sh
# Installs (as root, with apt-get) every Debian package the build, the tools and the test suite use.
# Only what is missing is installed; safe to run again.
set -eu
PKGS="build-essential autoconf automake libtool pkg-config
	libreadline-dev libseccomp-dev libssl-dev
	bats python3 socat procps psmisc iproute2 iputils-ping tcpdump tshark strace iperf3 kmod
	vde2 vdeplug libvdeplug2 libvdeplug-dev
	qemu-system-x86 user-mode-linux openssh-server openssh-client"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends $missing
fi
