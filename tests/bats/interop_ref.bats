#!/usr/bin/env bats
# Interoperability with Debian's reference VDE: vdeplug4's vde_plug and libvdeplug, vde2's
# unixcmd/unixterm and vde_switch 2.3.2, each mixed with our switch, vde_plug and libvdeplug.
# Frames are generated and checked with vde_pkt (one line per frame: size, MACs, type, CRC).

load ../helpers/common

REF_DPIPE=/usr/bin/dpipe
REF_UNIXTERM=/usr/bin/unixterm

setup() {
	for t in "$REF_SW" "$REF_PLUG" "$REF_DPIPE"; do
		[ -x "$t" ] || skip "reference tool $t not installed"
	done
	T=$BATS_TEST_TMPDIR
}

# plug_cmd ours|ref|ref-on-ours: the vde_plug command line: ours, Debian's on Debian's own
# libvdeplug, or Debian's binary on our libvdeplug.
plug_cmd() {
	case "$1" in
	ref) PLUG_CMD=(env -u LD_LIBRARY_PATH "$REF_PLUG") ;;
	ref-on-ours) PLUG_CMD=("$REF_PLUG") ;;
	*) PLUG_CMD=("$PLUG") ;;
	esac
}

# stream_recv_bg OUT DESCR KIND SWITCH [ARGS]: "vde_pkt recv -" behind a vde_plug of KIND (see
# plug_cmd; joined by Debian's dpipe); waits until the switch lists DESCR. Sets PKT_PID.
stream_recv_bg() {
	local out=$1 descr=$2 sw=$4
	plug_cmd "$3"
	shift 4
	bg "$REF_DPIPE" "$PKT" recv - --out "$out" "$@" = "${PLUG_CMD[@]}" -D "$descr" "$T/$sw"
	PKT_PID=$BG_PID
	wait_for 5 port_has "$sw" "$descr"
}

# stream_send OUT KIND SWITCH [ARGS]: "vde_pkt send -" behind a vde_plug of KIND, lines to OUT.
# The sender keeps the stream open for a second after its last frame: a plug that sees EOF at
# once may leave the switch before its last frames are read (Debian's switch then drops them).
stream_send() {
	local out=$1 sw=$3
	plug_cmd "$2"
	shift 3
	timeout 10 "$REF_DPIPE" "$PKT" send - --out "$out" --linger 1000 "$@" = "${PLUG_CMD[@]}" \
		-D sender "$T/$sw"
}

# maps_has PID PATH: the process maps the file PATH (compared after resolving symlinks).
maps_has() {
	local want
	want=$(readlink -f "$2")
	awk '{print $6}' "/proc/$1/maps" | sort -u | while read -r f; do
		[ -n "$f" ] && [ "$(readlink -f "$f" 2>/dev/null)" = "$want" ] && echo yes
	done | grep -q yes
}

@test "Debian unixcmd reads port/print from our switch" {
	start_switch sw
	pkt_recv_bg "$T/r" "$T/sw" --count 0 --timeout 10000 --descr "ref-unixcmd-probe"
	run "$REF_UNIXCMD" -f /etc/vde2/vdecmd -s "$T/sw.mgmt" port/print
	echo "$output"
	[[ "$output" == *"ref-unixcmd-probe"* ]]
	[[ "$output" == *ACTIVE* ]]
}

@test "Debian unixterm drives our switch's console" {
	[ -x "$REF_UNIXTERM" ] || skip "unixterm not installed"
	start_switch sw
	run bash -c '(sleep 0.5; echo showinfo; sleep 0.5; echo no/such/command; sleep 0.5) |
		timeout 10 "$0" "$1"' "$REF_UNIXTERM" "$T/sw.mgmt"
	echo "$output"
	[[ "$output" == *'vde$ '* ]]
	[[ "$output" == *"0000 DATA END WITH '.'"* ]]
	[[ "$output" == *"1000 Success"* ]]
	[[ "$output" == *"1038 Function not implemented"* ]]
}

@test "Debian vde_plug attaches to our switch with its description" {
	start_switch sw
	bg_held env -u LD_LIBRARY_PATH "$REF_PLUG" -D ref-plug-descr "$T/sw"
	local plugpid=$BG_PID
	wait_for 5 port_has sw "ref-plug-descr"
	run mgmt sw port/print
	echo "$output"
	[[ "$output" =~ ref-plug-descr\ user=[a-z0-9]+\ pid=[0-9]+ ]]
	# the port goes away with the plug
	kill -TERM "$plugpid"
	wait_for 5 port_lacks sw "ref-plug-descr"
}

@test "frames from Debian vde_plug reach our vde_plug through our switch" {
	start_switch sw
	stream_recv_bg "$T/got" our-recv ours sw --count 3 --type 0x88b5 --timeout 8000
	stream_send "$T/sent" ref sw --size 1514 --count 3 --interval 5 \
		--src 02:00:00:00:0a:01
	wait "$PKT_PID"
	cat "$T/sent"
	[ "$(wc -l <"$T/sent")" -eq 3 ]
	diff "$T/sent" "$T/got"
}

@test "frames from our vde_plug reach Debian vde_plug through our switch" {
	start_switch sw
	stream_recv_bg "$T/got" ref-recv ref sw --count 3 --type 0x88b5 --timeout 8000
	stream_send "$T/sent" ours sw --size 1000 --count 3 --interval 5 --src 02:00:00:00:0a:02 \
		--dst 02:00:00:00:0b:02
	wait "$PKT_PID"
	[ "$(wc -l <"$T/sent")" -eq 3 ]
	diff "$T/sent" "$T/got"
}

@test "Debian vde_plug cables two of our switches, both directions" {
	start_switch a
	start_switch b
	bg env -u LD_LIBRARY_PATH "$REF_PLUG" -D ref-cable "vde://$T/a" "vde://$T/b"
	wait_for 5 port_has a ref-cable
	wait_for 5 port_has b ref-cable
	pkt_recv_bg "$T/got_b" "$T/b" --count 2 --type 0x88b5
	"$PKT" send "$T/a" --size 1514 --count 2 --src 02:00:00:00:0c:01 >"$T/sent_a"
	wait "$PKT_PID"
	diff "$T/sent_a" "$T/got_b"
	pkt_recv_bg "$T/got_a" "$T/a" --count 2 --type 0x88b5
	"$PKT" send "$T/b" --size 60 --count 2 --src 02:00:00:00:0c:02 >"$T/sent_b"
	wait "$PKT_PID"
	diff "$T/sent_b" "$T/got_a"
}

@test "Debian vde_plug runs on our libvdeplug" {
	local lib="$VDE_BIN/libvdeplug/.libs/libvdeplug.so.2"
	[ -e "$lib" ] || skip "our libvdeplug is not built"
	start_switch a
	start_switch b
	# no "ref": Debian's binary, our LD_LIBRARY_PATH
	bg "$REF_PLUG" -D ours-under-ref "$T/a" "$T/b"
	wait_for 5 port_has a ours-under-ref
	wait_for 5 port_has b ours-under-ref
	maps_has "$BG_PID" "$lib"
	! maps_has "$BG_PID" /usr/lib/x86_64-linux-gnu/libvdeplug.so.2 || false
	pkt_recv_bg "$T/got" "$T/b" --count 2 --type 0x88b5
	"$PKT" send "$T/a" --size 1514 --count 2 --src 02:00:00:00:0d:01 >"$T/sent"
	wait "$PKT_PID"
	diff "$T/sent" "$T/got"
}

@test "Debian vde_plug's stream mode runs on our libvdeplug's vdestream codec" {
	[ -e "$VDE_BIN/libvdeplug/.libs/libvdeplug.so.2" ] || skip "our libvdeplug is not built"
	start_switch sw
	stream_recv_bg "$T/got" ref-rx ref-on-ours sw --count 3 --timeout 8000 \
		--from 02:00:00:00:0d:02
	stream_send "$T/sent" ref-on-ours sw --size 1514 --count 3 --interval 5 \
		--src 02:00:00:00:0d:02
	wait "$PKT_PID"
	diff "$T/sent" "$T/got"
}

@test "our libvdeplug attaches to Debian's switch with its description" {
	start_ref_switch sw
	pkt_recv_bg "$T/r" "$T/sw" --count 0 --timeout 10000 --descr "our-lib-on-ref"
	run mgmt sw port/print
	echo "$output"
	[[ "$output" == *"our-lib-on-ref"* ]]
	[[ "$output" == *ACTIVE* ]]
	run "$REF_UNIXCMD" -f /etc/vde2/vdecmd -s "$T/sw.mgmt" port/print
	[[ "$output" == *"our-lib-on-ref"* ]]
}

@test "frames cross Debian's switch between two of our libvdeplug clients" {
	start_ref_switch sw
	pkt_recv_bg "$T/got1" "$T/sw" --count 4 --type 0x88b5 --descr rx1
	"$PKT" send "$T/sw" --size 1514 --count 2 --src 02:00:00:00:0e:01 >"$T/sent"
	"$PKT" send "$T/sw" --size 60 --count 2 --seq 3 --src 02:00:00:00:0e:01 >>"$T/sent"
	wait "$PKT_PID"
	diff "$T/sent" "$T/got1"
	# unicast the other way, to the learned MAC of the first sender
	pkt_recv_bg "$T/got2" "$T/sw" --count 1 --type 0x88b5 --from 02:00:00:00:0e:02 --descr rx2
	"$PKT" send "$T/sw" --size 200 --src 02:00:00:00:0e:02 --dst 02:00:00:00:0e:01 >"$T/sent2"
	wait "$PKT_PID"
	diff "$T/sent2" "$T/got2"
}

@test "our vde_plug and Debian vde_plug exchange frames through Debian's switch" {
	start_ref_switch sw
	stream_recv_bg "$T/got" ref-recv ref sw --count 2 --type 0x88b5 --timeout 8000
	stream_send "$T/sent" ours sw --size 1514 --count 2 --interval 5 --src 02:00:00:00:0f:01
	wait "$PKT_PID"
	diff "$T/sent" "$T/got"
	stream_recv_bg "$T/got2" our-recv ours sw --count 2 --type 0x88b5 --timeout 8000
	stream_send "$T/sent2" ref sw --size 1514 --count 2 --interval 5 \
		--src 02:00:00:00:0f:02
	wait "$PKT_PID"
	diff "$T/sent2" "$T/got2"
}

@test "our vde_plug cables Debian's switch to our switch" {
	start_ref_switch refsw
	start_switch oursw
	bg "$REF_DPIPE" "$PLUG" -D cable-l "$T/refsw" = "$PLUG" -D cable-r "$T/oursw"
	wait_for 5 port_has refsw cable-l
	wait_for 5 port_has oursw cable-r
	pkt_recv_bg "$T/got" "$T/oursw" --count 2 --type 0x88b5
	"$PKT" send "$T/refsw" --size 1514 --count 2 --src 02:00:00:00:10:01 >"$T/sent"
	wait "$PKT_PID"
	diff "$T/sent" "$T/got"
	pkt_recv_bg "$T/got2" "$T/refsw" --count 2 --type 0x88b5
	"$PKT" send "$T/oursw" --size 100 --count 2 --src 02:00:00:00:10:02 >"$T/sent2"
	wait "$PKT_PID"
	diff "$T/sent2" "$T/got2"
}
