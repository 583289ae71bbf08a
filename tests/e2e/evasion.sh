#!/bin/bash
# Ways out that a program wanting to hide an upload would pick: flight-log
# bytes in ICMP echo requests from a raw socket (IPv4 and IPv6), and in the
# TCP handshake (sendto with MSG_FASTOPEN on an unconnected socket), and
# from a thread that goes on sending after the main thread that read the
# log has exited (pthread_exit: the process outlives its leader), and
# one sendmmsg call whose UDP messages go to two hosts, and sends whose
# destination (sockaddr, msghdr) sits in pages the sender never touched
# (--cold-args: the kernel faults them in as it copies them; a BPF program
# reading them at the call's entry cannot). Each must alert with the destination, the transport and the bytes; benign
# twins of the same shapes carrying untainted data must not.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/scenarios.sh
. "$(dirname "$0")/scenarios.sh"

P_TFO=9301
P_B_TFO=9302
P_THREAD=9303
P_B_THREAD=9304
P_MMSG=9305
P_COLD_UDP=9306
P_COLD_MSG=9307
P_COLD_TCP=9308
P_B_COLD=9309
FWSEND=$FW_HELPERS/fwsend
FWTHREAD=$FW_HELPERS/fwthread
PY=/usr/bin/python3

fw_init
fw_netns_setup
fw_peer_listen tcp4 "$P_TFO"
fw_peer_listen tcp4 "$P_B_TFO"
fw_peer_listen tcp4 "$P_THREAD"
fw_peer_listen tcp4 "$P_B_THREAD"
fw_peer_listen udp4 "$P_MMSG"
fw_peer_listen udp4 "$P_COLD_UDP"
fw_peer_listen udp4 "$P_COLD_MSG"
fw_peer_listen tcp4 "$P_COLD_TCP"
fw_peer_listen udp4 "$P_B_COLD"
fw_peer_listen tcp6 "$P_TFO"
fw_probe_network "$P_TFO" "$P_TFO"

WATCH=$FW_TMP/Telemetry
WORK=$FW_TMP/work
mkdir -p "$WATCH" "$WORK"
LOG="$WATCH/2026-11-26 08-00-00.tlog"
fw_mklog tlog 48k "$LOG"
SIZE=$(fw_size "$LOG")
PLAIN=$WORK/plain.bin
head -c "$SIZE" /dev/urandom >"$PLAIN"

# ---- scenario programs (written by this untainted shell) ---------------------
sc_write_scripts "$WORK"

fw_tracer_start evasion --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"

fw_sc icmp4 "$PY" "$WORK/icmp.py" "$LOG" 4 "$FW_PEER_IP4"
fw_sc icmp6 "$PY" "$WORK/icmp.py" "$LOG" 6 "$FW_PEER_IP6"
fw_sc tfo "$PY" "$WORK/tfo.py" "$LOG" "$FW_PEER_IP4" "$P_TFO"
fw_sc thread "$FWTHREAD" "$LOG" "$FW_PEER_IP4" "$P_THREAD"
fw_sc mmsg "$PY" "$WORK/mmsg.py" "$LOG" "$FW_PEER_IP4" "$FW_PEER_IP4B" "$P_MMSG"
cold() {
	local name=$1 file=$2 mode=$3 proto=$4 port=$5
	fw_sc "$name" "$FWSEND" --timeout 30 --read read "$file" --cold-args \
		--send "$mode" --proto "$proto" --to "$FW_PEER_IP4" --port "$port"
}
cold cold-udp "$LOG" sendto udp "$P_COLD_UDP"
cold cold-msg "$LOG" sendmsg udp "$P_COLD_MSG"
cold cold-tcp "$LOG" sendmsg tcp "$P_COLD_TCP"
fw_sc b-icmp4 "$PY" "$WORK/icmp.py" "$PLAIN" 4 "$FW_PEER_IP4"
cold b-cold "$PLAIN" sendto udp "$P_B_COLD"
fw_sc b-tfo "$PY" "$WORK/tfo.py" "$PLAIN" "$FW_PEER_IP4" "$P_B_TFO"
fw_sc b-thread "$FWTHREAD" "$PLAIN" "$FW_PEER_IP4" "$P_B_THREAD"

# alerts_to PID IP: the alert lines of PID to IP
alerts_to() {
	fw_json "$FW_OUT" | jq -c --argjson pid "$1" --arg ip "$2" '
		select(.event.kind == "alert" and .process.pid == $pid and
		       .destination.ip == $ip)'
}
# every scenario's final byte count, then stop
fw_wait_alerts 15 "${FW_PIDS[icmp4]}:$SIZE" "${FW_PIDS[icmp6]}:$SIZE" \
	"${FW_PIDS[tfo]}:$SIZE" "${FW_PIDS[thread]}:$SIZE" \
	"${FW_PIDS[mmsg]}:8192" "${FW_PIDS[cold-udp]}:$SIZE" \
	"${FW_PIDS[cold-msg]}:$SIZE" "${FW_PIDS[cold-tcp]}:$SIZE" || note "not every alert reached $SIZE bytes"
fw_tracer_stop

# (the positive controls of the benign twins below: the same programs on
# the log)
fw_expect_flow icmp4 "${FW_PIDS[icmp4]}" "$FW_PEER_IP4" 0 icmp ipv4 \
	"$SIZE" "$LOG"
fw_expect_flow icmp6 "${FW_PIDS[icmp6]}" "$FW_PEER_IP6" 0 ipv6-icmp ipv6 \
	"$SIZE" "$LOG"
fw_expect_flow tfo "${FW_PIDS[tfo]}" "$FW_PEER_IP4" "$P_TFO" tcp ipv4 \
	"$SIZE" "$LOG"
fw_expect_flow thread "${FW_PIDS[thread]}" "$FW_PEER_IP4" "$P_THREAD" tcp \
	ipv4 "$SIZE" "$LOG"
# 16 messages of 1 KiB, alternately to each host: 8 KiB each
for host in "$FW_PEER_IP4" "$FW_PEER_IP4B"; do
	a=$(alerts_to "${FW_PIDS[mmsg]}" "$host" | tail -n 1)
	check "mmsg: an alert for $host, from the one sendmmsg call" != "" "$a"
	check "mmsg: $host: destination.bytes" -eq 8192 \
		"$(fw_get "$a" .destination.bytes)"
	check "mmsg: $host: destination.port" -eq "$P_MMSG" \
		"$(fw_get "$a" .destination.port)"
	check "mmsg: $host: network.transport" == udp \
		"$(fw_get "$a" .network.transport)"
done
fw_expect_flow cold-udp "${FW_PIDS[cold-udp]}" "$FW_PEER_IP4" "$P_COLD_UDP" \
	udp ipv4 "$SIZE" "$LOG"
fw_expect_flow cold-msg "${FW_PIDS[cold-msg]}" "$FW_PEER_IP4" "$P_COLD_MSG" \
	udp ipv4 "$SIZE" "$LOG"
fw_expect_flow cold-tcp "${FW_PIDS[cold-tcp]}" "$FW_PEER_IP4" "$P_COLD_TCP" \
	tcp ipv4 "$SIZE" "$LOG"
check "benign UDP sendto of untainted data, cold sockaddr: no alert" == "" \
	"$(alerts_to "${FW_PIDS[b-cold]}" "$FW_PEER_IP4")"
check "benign ICMP echo of untainted data: no alert" == "" \
	"$(alerts_to "${FW_PIDS[b-icmp4]}" "$FW_PEER_IP4")"
check "benign fast open of untainted data: no alert" == "" \
	"$(alerts_to "${FW_PIDS[b-tfo]}" "$FW_PEER_IP4")"
check "benign thread outliving its leader, untainted data: no alert" == "" \
	"$(alerts_to "${FW_PIDS[b-thread]}" "$FW_PEER_IP4")"
check "stats: lost" -eq 0 "$(fw_get "$(fw_stats)" .lost)"

fw_finish
