#!/usr/bin/env bats
# User-Mode Linux (Debian's linux.uml, which carries its own copy of libvdeplug) as a real VDE
# client of our switch: its vde transport (eth0=vde,DIR) and its uml_switch "daemon" transport
# (eth0=daemon,MAC,unix,DIR/ctl: a v3 request with an abstract-namespace data socket).
# Guests boot the host's / read-only over hostfs with tests/helpers/uml-init.sh as init; they
# ping and send UDP to "vde_pkt echo" on the switch, or to each other. Each boot takes ~3 s.

load ../helpers/common

UML=/usr/bin/linux.uml
# UML switches FP state with FXSAVE only (see uml-run.c): keep the guest's glibc off AVX.
UML_HWCAPS="glibc.cpu.hwcaps=-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD"
UML_HWCAPS+=",-AVX2,-AVX,-FMA,-FMA4,-F16C,-XSAVEC"

setup() {
	[ -x "$UML" ] || skip "user-mode-linux not installed"
	command -v ping >/dev/null || skip "ping (iputils-ping) not installed: the guests need it"
	T=$BATS_TEST_TMPDIR
	UML_INIT=$(readlink -f "$BATS_TEST_DIRNAME/../helpers/uml-init.sh")
	case "$T$UML_INIT" in
	*[[:space:]]*) skip "UML command lines cannot carry paths with blanks" ;;
	esac
	# the seccomp launcher is only needed where the XSAVE area outgrew UML's buffer
	UML_CMD=("$UML")
	if [ -x "$HELPERS/uml-run" ]; then
		UML_CMD=("$HELPERS/uml-run" "$UML")
	fi
}

# uml_args NAME CONSOLE ARGS...: the UML command line for guest NAME in UML_ARGS.
uml_args() {
	local name=$1 con=$2
	shift 2
	UML_ARGS=(timeout 60 "${UML_CMD[@]}" mem=256M root=/dev/root rootfstype=hostfs rootflags=/
		ro "init=$UML_INIT" con=null "con0=$con" "umid=$name" "uml_dir=$T"
		"GLIBC_TUNABLES=$UML_HWCAPS" "$@")
}

# boot_uml NAME ARGS...: boot guest NAME in the foreground; console in $T/NAME.log.
boot_uml() {
	local name=$1
	shift
	uml_args "$name" null,fd:1 "$@"
	TMPDIR=$T "${UML_ARGS[@]}" >"$T/$name.log" 2>&1 </dev/null || true
	grep UMLTEST "$T/$name.log" || tail -20 "$T/$name.log"
}

# boot_uml_bg NAME ARGS...: same, in the background, with UML_WAIT=1 and the console input on
# the FIFO $T/NAME.in: the guest stays up until release_uml NAME. Sets UML_PID.
boot_uml_bg() {
	local name=$1
	shift
	uml_args "$name" fd:0,fd:1 UML_WAIT=1 "$@"
	mkfifo "$T/$name.in"
	TMPDIR=$T "${UML_ARGS[@]}" <>"$T/$name.in" >"$T/$name.log" 2>&1 &
	UML_PID=$!
	VDE_PIDS+=("$UML_PID")
}

# release_uml NAME: let guest NAME finish (it powers off). Input sent before its init reads the
# console would be lost, hence the wait.
release_uml() {
	wait_for 30 grep -q "UMLTEST waiting" "$T/$1.log"
	echo go >"$T/$1.in"
}

# echo_bg IP: "vde_pkt echo" for IP on switch sw, lines in $T/echo.
echo_bg() {
	rm -f "$T/echo.ready"
	bg "$PKT" echo "$T/sw" --ip "$1" --src 02:00:00:00:40:01 --ready "$T/echo.ready" >"$T/echo"
	wait_for 5 test -e "$T/echo.ready"
}

@test "UML eth0=vde attaches to our switch as \"UML vde_transport\", on the port it asks for" {
	start_switch sw
	# eth1 asks for port 7 (ethN=vde,SWITCH,MAC,PORT)
	boot_uml_bg g1 "eth0=vde,$T/sw" "eth1=vde,$T/sw,,7"
	wait_for 30 port_has sw "UML vde_transport"
	wait_for 10 port_has sw "Port 0007"
	run mgmt sw port/print
	echo "$output"
	[[ "$output" == *ACTIVE*"UML vde_transport"* ]]
	[ "$(grep -c "UML vde_transport" <<<"$output")" -eq 2 ]
	[[ "$output" =~ Port\ 0007\ [^$'\n']*ACTIVE ]]
	release_uml g1
	wait "$UML_PID" || true
	grep -q "UMLTEST wait-over go" "$T/g1.log"
	grep -q "UMLTEST done" "$T/g1.log"
	wait_for 5 port_lacks sw "UML vde_transport"
	run mgmt sw port/print
	[[ "$output" != *"Port 0007"*ACTIVE* ]]
}

@test "UML guest (vde transport) pings and talks UDP through our switch" {
	start_switch sw
	echo_bg 10.0.0.1
	boot_uml g1 "eth0=vde,$T/sw,02:00:00:00:41:02" UML_IFS=eth0=10.0.0.2/24 \
		UML_PING=10.0.0.1 UML_UDP=10.0.0.1:7:hello-over-vde
	grep -q "UMLTEST if eth0 10.0.0.2/24 02:00:00:00:41:02" "$T/g1.log"
	grep -q "UMLTEST ping-ok 10.0.0.1" "$T/g1.log"
	grep -q "UMLTEST udp-reply hello-over-vde" "$T/g1.log"
	cat "$T/echo"
	grep -q "arp who-has 10.0.0.1 from 02:00:00:00:41:02" "$T/echo"
	[ "$(grep -c "icmp echo from 10.0.0.2" "$T/echo")" -eq 3 ]
	grep -q "udp from 10.0.0.2:[0-9]* to port 7 len 14 data hello-over-vde" "$T/echo"
}

@test "UML guest (uml_switch daemon transport) pings and talks UDP through our switch" {
	start_switch sw
	echo_bg 10.0.0.1
	boot_uml g1 "eth0=daemon,02:00:00:00:42:02,unix,$T/sw/ctl" UML_IFS=eth0=10.0.0.2/24 \
		UML_PING=10.0.0.1 UML_UDP=10.0.0.1:7:hello-over-daemon
	grep -q "daemon backend (uml_switch version 3)" "$T/g1.log"
	grep -q "UMLTEST ping-ok 10.0.0.1" "$T/g1.log"
	grep -q "UMLTEST udp-reply hello-over-daemon" "$T/g1.log"
	cat "$T/echo"
	grep -q "arp who-has 10.0.0.1 from 02:00:00:00:42:02" "$T/echo"
	[ "$(grep -c "icmp echo from 10.0.0.2" "$T/echo")" -eq 3 ]
}

@test "two UML guests (vde and daemon transports) ping each other through our switch" {
	start_switch sw
	boot_uml_bg g1 "eth0=vde,$T/sw,02:00:00:00:43:01" UML_IFS=eth0=10.0.1.1/24
	local g1=$UML_PID
	wait_for 30 grep -q "UMLTEST waiting" "$T/g1.log"
	boot_uml g2 "eth0=daemon,02:00:00:00:43:02,unix,$T/sw/ctl" UML_IFS=eth0=10.0.1.2/24 \
		UML_PING=10.0.1.1
	release_uml g1
	wait "$g1" || true
	grep -q "UMLTEST ping-ok 10.0.1.1" "$T/g2.log"
	grep -q "UMLTEST ping: 64 bytes from 10.0.1.1" "$T/g2.log"
	grep -q "UMLTEST wait-over go" "$T/g1.log"
}
