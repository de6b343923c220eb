#!/usr/bin/env bats
# Cables between our switches: "dpipe vde_plug A = vde_plug B" locally and through OpenSSH
# (a private sshd on 127.0.0.1 with its own keys), jumbo frames up to 65535 bytes, and
# vde_plug's tunnel-broker login-shell mode ("vde_plug -c vde_plug" as run by sshd).

load ../helpers/common

SSHD=/usr/sbin/sshd

setup() {
	T=$BATS_TEST_TMPDIR
}

# start_sshd: private sshd on a free port of 127.0.0.1, root login with a key only. Sets
# SSH_PORT and the SSH array (client command line without the destination).
start_sshd() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (sshd privilege separation)"
	[ -x "$SSHD" ] || skip "openssh-server not installed"
	command -v ssh-keygen >/dev/null || skip "ssh-keygen not installed"
	mkdir -p "$T/ssh"
	[ -d /run/sshd ] || mkdir -m 0755 /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/hostkey"
	ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/id"
	cp "$T/ssh/id.pub" "$T/ssh/authorized_keys"
	local try
	for try in 1 2 3 4 5; do
		SSH_PORT=$((20000 + RANDOM % 40000))
		cat >"$T/ssh/sshd_config" <<-EOF
			Port $SSH_PORT
			ListenAddress 127.0.0.1
			HostKey $T/ssh/hostkey
			PidFile none
			AuthorizedKeysFile $T/ssh/authorized_keys
			PermitRootLogin prohibit-password
			PubkeyAuthentication yes
			PasswordAuthentication no
			KbdInteractiveAuthentication no
			UsePAM no
			StrictModes no
			PrintMotd no
		EOF
		: >"$T/ssh/sshd.log"
		bg "$SSHD" -D -e -f "$T/ssh/sshd_config" 2>"$T/ssh/sshd.log"
		if wait_for 5 grep -q "Server listening on 127.0.0.1 port $SSH_PORT" "$T/ssh/sshd.log"; then
			SSH=(ssh -F /dev/null -i "$T/ssh/id" -p "$SSH_PORT" -o BatchMode=yes
				-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR)
			return 0
		fi
		cat "$T/ssh/sshd.log" >&2
		kill_started
	done
	return 1
}

# cross FROM TO SIZE COUNT SRCMAC [SEND_ARGS]: COUNT frames of SIZE bytes sent on switch FROM
# arrive intact and in order on switch TO.
cross() {
	local from=$1 to=$2 size=$3 count=$4 src=$5
	shift 5
	pkt_recv_bg "$T/got.$from.$size" "$T/$to" --count "$count" --from "$src" --timeout 8000
	"$PKT" send "$T/$from" --size "$size" --count "$count" --interval 2 --src "$src" "$@" \
		>"$T/sent.$from.$size"
	wait "$PKT_PID"
	[ "$(wc -l <"$T/sent.$from.$size")" -eq "$count" ]
	diff "$T/sent.$from.$size" "$T/got.$from.$size"
}

@test "sshd harness: key login runs a command" {
	start_sshd
	run "${SSH[@]}" root@127.0.0.1 'echo "remote:$SSH_CLIENT"'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "remote:127.0.0.1 "* ]]
}

@test "dpipe vde_plug A = ssh vde_plug B joins two switches" {
	start_sshd
	start_switch a
	start_switch b
	bg "$DPIPE" "$PLUG" -D cable-a "$T/a" = "${SSH[@]}" root@127.0.0.1 \
		env "LD_LIBRARY_PATH=$LD_LIBRARY_PATH" "$PLUG" -D cable-b "$T/b"
	wait_for 10 port_has a cable-a
	wait_for 10 port_has b cable-b
	run mgmt b port/print
	[[ "$output" == *"cable-b"*"SSH=127.0.0.1"* ]]
	cross a b 60 3 02:00:00:00:20:01
	cross b a 1514 3 02:00:00:00:20:02
	cross a b 9000 2 02:00:00:00:20:03
}

@test "dpipe vde_plug A = vde_plug B joins two switches" {
	start_switch a
	start_switch b
	bg "$DPIPE" "$PLUG" -D cable-a "$T/a" = "$PLUG" -D cable-b "$T/b"
	wait_for 5 port_has a cable-a
	wait_for 5 port_has b cable-b
	cross a b 60 5 02:00:00:00:21:01
	cross b a 1514 5 02:00:00:00:21:02
}

# Frames above vdeplug4's 9234 bytes must be IPv4/IPv6/ARP for our stream decoder to accept them
# (its resynchronisation heuristic), hence --ipv4 for the 65535-byte ones.
@test "9000- and 65535-byte frames cross a vde_plug cable intact" {
	start_switch a
	start_switch b
	bg "$DPIPE" "$PLUG" -D cable-a "$T/a" = "$PLUG" -D cable-b "$T/b"
	wait_for 5 port_has a cable-a
	wait_for 5 port_has b cable-b
	cross a b 9000 3 02:00:00:00:22:01
	cross b a 9000 3 02:00:00:00:22:02
	cross a b 65535 2 02:00:00:00:22:03 --ipv4
	cross b a 65535 2 02:00:00:00:22:04 --ipv4
}

@test "65535-byte frames cross an ssh cable intact" {
	start_sshd
	start_switch a
	start_switch b
	bg "$DPIPE" "$PLUG" -D cable-a "$T/a" = "${SSH[@]}" root@127.0.0.1 \
		env "LD_LIBRARY_PATH=$LD_LIBRARY_PATH" "$PLUG" -D cable-b "$T/b"
	wait_for 10 port_has a cable-a
	wait_for 10 port_has b cable-b
	cross a b 65535 2 02:00:00:00:23:01 --ipv4
	cross b a 65535 2 02:00:00:00:23:02 --ipv4
}

# broker_home: a HOME whose default switch is our test switch "sw".
broker_home() {
	mkdir -p "$T/home/.vdeplug"
	echo "vde://$T/sw" >"$T/home/.vdeplug/default"
}

@test "tunnel broker: sshd runs vde_plug -c vde_plug into the default switch" {
	start_sshd
	start_switch sw
	broker_home
	pkt_recv_bg "$T/got" "$T/sw" --count 2 --type 0x88b5 --from 02:00:00:00:24:01
	# what sshd does for a user whose login shell is vde_plug: SHELL -c "vde_plug"
	timeout 20 "$DPIPE" "$PKT" send - --out "$T/sent" --size 1514 --count 2 --linger 1000 \
		--src 02:00:00:00:24:01 = "${SSH[@]}" root@127.0.0.1 \
		env "HOME=$T/home" "LD_LIBRARY_PATH=$LD_LIBRARY_PATH" "$PLUG" -c vde_plug
	wait "$PKT_PID"
	diff "$T/sent" "$T/got"
}

@test "tunnel broker: the port description carries SSH=<client address>" {
	start_switch sw
	broker_home
	bg_held env "HOME=$T/home" "SSH_CLIENT=192.0.2.7 40000 22" "$PLUG" -c vde_plug
	wait_for 5 port_has sw "SSH=192.0.2.7"
	run mgmt sw port/print
	echo "$output"
	[[ "$output" =~ user=[a-z0-9]+\ [pP][iI][dD]=[0-9]+\ SSH=192\.0\.2\.7 ]]
}

@test "tunnel broker: frames both ways through vde_plug -c vde_plug" {
	start_switch sw
	broker_home
	pkt_recv_bg "$T/got_in" "$T/sw" --count 2 --type 0x88b5 --from 02:00:00:00:25:01
	SSH_CLIENT="192.0.2.8 40000 22" HOME="$T/home" timeout 10 "$DPIPE" \
		"$PKT" send - --out "$T/sent_in" --size 300 --count 2 --linger 1000 \
		--src 02:00:00:00:25:01 = "$PLUG" -c vde_plug
	wait "$PKT_PID"
	diff "$T/sent_in" "$T/got_in"
	# and out of the switch into the broker's stream
	SSH_CLIENT="192.0.2.8 40000 22" HOME="$T/home" bg "$DPIPE" \
		"$PKT" recv - --out "$T/got_out" --count 2 --type 0x88b5 --timeout 8000 \
		= "$PLUG" -c vde_plug
	local rx=$BG_PID
	wait_for 5 port_has sw "SSH=192.0.2.8"
	"$PKT" send "$T/sw" --size 300 --count 2 --src 02:00:00:00:25:02 >"$T/sent_out"
	wait "$rx"
	diff "$T/sent_out" "$T/got_out"
}

@test "tunnel broker: any command other than vde_plug is refused" {
	start_switch sw
	broker_home
	run env HOME="$T/home" SSH_CLIENT="192.0.2.9 40000 22" "$PLUG" -c "touch $T/pwned"
	echo "$output"
	[ "$status" -ne 0 ]
	[ ! -e "$T/pwned" ]
	run mgmt sw port/print
	[[ "$output" != *"SSH=192.0.2.9"* ]]
}
