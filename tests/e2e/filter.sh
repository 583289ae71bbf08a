#!/bin/bash
# The in-kernel filter: thousands of reads of an unwatched file and
# thousands of untainted TCP and UDP sends must not reach the ring buffer.
# Positive controls in the same tracer prove it was watching: a process
# that reads a watched flight log and sends it (TCP over IPv4 before the
# load, TCP over IPv6 after it) moves the kernel counters and alerts. Each
# control accounts for exactly one file_read (its first read of the log),
# one connect and one send (its first send to the destination); the final
# stats must show exactly the controls' 2, 2 and 2, two flows and two
# alerts, and no alert for any other process.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_TCP4=9030
P_TCP6=9031
P_UDP4=9032

fw_init
fw_netns_setup
fw_peer_listen tcp4 "$P_TCP4"
fw_peer_listen tcp6 "$P_TCP6"
fw_peer_listen udp4 "$P_UDP4"
fw_probe_network "$P_TCP4" "$P_TCP6"

# the watched directory holds only the controls' flight log
WATCH=$FW_TMP/logs
mkdir -p "$WATCH"
LOG=$WATCH/control.tlog
fw_mklog tlog 64k "$LOG"
SIZE=$(fw_size "$LOG")
# an ordinary name that no built-in pattern matches; its content is even
# a real tlog, which must not matter: the kernel decides by name and place
DATA=$FW_TMP/data/input-0001.data
mkdir -p "${DATA%/*}"
fw_mklog tlog 64k "$DATA"

fw_tracer_start filter --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"

declare -A PID

# control NAME IP PORT: a process reads the watched log and sends it over
# TCP; waited for until its alert shows the whole log. Its output goes to
# a file read only after the tracer stopped: reading what a tainted
# process wrote would make the reader a carrier's reader (a file_read).
control() {
	local name=$1 ip=$2 port=$3
	fw_gs_bg "$FWSEND" --timeout 30 --read read "$LOG" --send write \
		--to "$ip" --port "$port" >"$FW_TMP/$name.err" 2>&1
	PID[$name]=$FW_BG
	fw_wait_pid "$FW_BG" 40
	check "$name: fwsend exit status" -eq 0 "$FW_RC"
	fw_wait_alerts 15 "${PID[$name]}:$SIZE" ||
		note "$name: no alert for the whole log within 15 s"
}

control control-before "$FW_PEER_IP4" "$P_TCP4"

# Every read variant and every send variant, none of them tainted
run_burst() {
	local name=$1 min_reads=$2 min_sends=$3
	shift 3
	nsenter --net="/run/netns/$FW_GS" "$FWSEND" --timeout 60 --stats "$@" \
		</dev/null >"$FW_TMP/$name.stats" 2>"$FW_TMP/$name.err" &
	fw_wait_pid "$!" 70
	check "$name: fwsend exit status" -eq 0 "$FW_RC" ||
		note "$(cat "$FW_TMP/$name.err")"
	note "$name: $(cat "$FW_TMP/$name.stats")"
	check "$name: reads made >= $min_reads" -ge "$min_reads" \
		"$(sed -n 's/.* reads=\([0-9]*\).*/\1/p' "$FW_TMP/$name.stats")"
	check "$name: sends made >= $min_sends" -ge "$min_sends" \
		"$(sed -n 's/.* sends=\([0-9]*\).*/\1/p' "$FW_TMP/$name.stats")"
}

run_burst read-tcp4-write 1000 1000 --read read "$DATA" --chunk 32 \
	--send write --send-chunk 32 --to "$FW_PEER_IP4" --port "$P_TCP4"
run_burst pread-tcp6-send 1000 1000 --read pread "$DATA" --chunk 64 \
	--send send --send-chunk 64 --to "$FW_PEER_IP6" --port "$P_TCP6"
run_burst readv-tcp4-sendmsg 500 500 --read readv "$DATA" --chunk 128 \
	--send sendmsg --send-chunk 128 --to "$FW_PEER_IP4" --port "$P_TCP4"
run_burst preadv-udp4-sendto 500 50 --read preadv "$DATA" --chunk 128 \
	--proto udp --send sendto --to "$FW_PEER_IP4" --port "$P_UDP4"
run_burst preadv2-udp4-sendmmsg 500 5 --read preadv2 "$DATA" --chunk 128 \
	--proto udp --connect --send sendmmsg --to "$FW_PEER_IP4" \
	--port "$P_UDP4"
run_burst tcp4-writev 0 500 --bytes 65536 --send writev --send-chunk 128 \
	--to "$FW_PEER_IP4" --port "$P_TCP4"

control control-after "$FW_PEER_IP6" "$P_TCP6"

fw_tracer_stop INT
for name in control-before control-after; do
	[ -s "$FW_TMP/$name.err" ] && note "$name: $(cat "$FW_TMP/$name.err")"
done

stats=$(fw_stats)
note "stats: $stats"
# the two controls and nothing else
check "stats: events.file_read (the controls' 2)" -eq 2 \
	"$(fw_get "$stats" .events.file_read)"
check "stats: events.connect (the controls' 2)" -eq 2 \
	"$(fw_get "$stats" .events.connect)"
check "stats: events.send (the controls' 2)" -eq 2 \
	"$(fw_get "$stats" .events.send)"
check "stats: lost" -eq 0 "$(fw_get "$stats" .lost)"
check "stats: flows (the controls' 2)" -eq 2 "$(fw_get "$stats" .flows)"
check "stats: alerts (the controls' 2)" -eq 2 "$(fw_get "$stats" .alerts)"

fw_expect_flow control-before "${PID[control-before]}" "$FW_PEER_IP4" \
	"$P_TCP4" tcp ipv4 "$SIZE" "$LOG"
check "control-before: destination.bytes" -eq "$SIZE" \
	"$(fw_get "$(fw_last_alert "${PID[control-before]}")" .destination.bytes)"
fw_expect_flow control-after "${PID[control-after]}" "$FW_PEER_IP6" \
	"$P_TCP6" tcp ipv6 "$SIZE" "$LOG"
check "control-after: destination.bytes" -eq "$SIZE" \
	"$(fw_get "$(fw_last_alert "${PID[control-after]}")" .destination.bytes)"
check "no alert but the controls'" == "" \
	"$(fw_json | jq -c --argjson a "${PID[control-before]}" \
		--argjson b "${PID[control-after]}" '
		select(.event.kind == "alert" and .process.pid != $a and
		       .process.pid != $b)')"

fw_finish
