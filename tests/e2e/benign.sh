#!/bin/bash
# Benign look-alikes that must not alert: reading a flight log without
# sending, sending without reading one, an unrelated sender running while
# another process holds a log, and sends to allowlisted destinations (IPv4
# and IPv6, whole address and address:port). Positive controls run last, in
# the same tracer, to prove it was watching.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_CTRL4=9010 # not allowlisted
P_ALLOW4=9011 # allowlisted on 10.203.0.0/24
P_ALLOW6=9012 # allowlisted on fd42:203::2 only
P_CTRL6=9013 # not allowlisted (but fd42:203::3 is, on every port)
P_UDP4=9014

fw_init
fw_netns_setup
fw_peer_listen tcp4 "$P_CTRL4"
fw_peer_listen tcp4 "$P_ALLOW4"
fw_peer_listen tcp6 "$P_ALLOW6"
fw_peer_listen tcp6 "$P_CTRL6"
fw_peer_listen udp4 "$P_UDP4"
fw_probe_network "$P_CTRL4" "$P_CTRL6"

WATCH=$FW_TMP/logs
mkdir -p "$WATCH"
LOG=$WATCH/mav.tlog
fw_mklog tlog 64k "$LOG"
SIZE=$(fw_size "$LOG")

fw_tracer_start benign --no-default-rules --watch "$WATCH" \
	--allow "$FW_PEER_IP4B/32" \
	--allow "10.203.0.0/24:$P_ALLOW4" \
	--allow "$FW_PEER_IP6B/128" \
	--allow "[$FW_PEER_IP6/128]:$P_ALLOW6" ||
	fw_abort "tracer did not start"

declare -A PID

# run NAME ARGS...: fwsend in the ground station, waited for
run() {
	local name=$1
	shift
	fw_gs_bg "$FWSEND" --timeout 30 "$@"
	PID[$name]=$FW_BG
	fw_wait_pid "$FW_BG" 40
	check "$name: fwsend exit status" -eq 0 "$FW_RC"
}

run read-only --read read "$LOG" --send none
run send-only --bytes "$SIZE" --send write --to "$FW_PEER_IP4" \
	--port "$P_CTRL4"

# Concurrent: A reads the log and stays alive; while it does, B (which read
# nothing) sends to the same peer; then A exits.
fw_gs_bg "$FWSEND" --timeout 30 --read read "$LOG" --send none \
	--touch "$FW_TMP/a.ready" --hold-file "$FW_TMP/b.done"
PID[holder]=$FW_BG
if fw_wait_file "$FW_TMP/a.ready" 20; then
	run unrelated-sender --bytes "$SIZE" --send write --to "$FW_PEER_IP4" \
		--port "$P_CTRL4"
	check "unrelated-sender: ran while the reader was alive" == yes \
		"$(fw_proc_done "${PID[holder]}" && echo no || echo yes)"
else
	fail "concurrent: reader ready" "$FW_TMP/a.ready" "no file after 20 s"
fi
touch "$FW_TMP/b.done"
fw_wait_pid "${PID[holder]}" 20
check "holder: fwsend exit status" -eq 0 "$FW_RC"

run allow-addr4-tcp --read read "$LOG" --send write --to "$FW_PEER_IP4B" \
	--port "$P_CTRL4"
run allow-addr4-udp --read read "$LOG" --proto udp --send sendto \
	--to "$FW_PEER_IP4B" --port "$P_UDP4"
run allow-port4 --read read "$LOG" --send write --to "$FW_PEER_IP4" \
	--port "$P_ALLOW4"
run allow-addr6 --read read "$LOG" --send write --to "$FW_PEER_IP6B" \
	--port "$P_CTRL6"
run allow-port6 --read read "$LOG" --send write --to "$FW_PEER_IP6" \
	--port "$P_ALLOW6"
run allow-v4mapped --read read "$LOG" --send write \
	--to "::ffff:$FW_PEER_IP4B" --port "$P_CTRL4"

# Positive controls: same shapes, destinations not on the allowlist
run control4 --read read "$LOG" --send write --to "$FW_PEER_IP4" \
	--port "$P_CTRL4"
run control6 --read read "$LOG" --send write --to "$FW_PEER_IP6" \
	--port "$P_CTRL6"
run control-udp4 --read read "$LOG" --proto udp --send sendto \
	--to "$FW_PEER_IP4" --port "$P_UDP4"

fw_wait_alerts 15 "${PID[control4]}:$SIZE" "${PID[control6]}:$SIZE" \
	"${PID[control-udp4]}:$SIZE" ||
	note "the positive controls did not all alert within 15 s"
fw_tracer_stop INT

fw_expect_flow control4 "${PID[control4]}" "$FW_PEER_IP4" "$P_CTRL4" tcp \
	ipv4 "$SIZE" "$LOG"
fw_expect_flow control6 "${PID[control6]}" "$FW_PEER_IP6" "$P_CTRL6" tcp \
	ipv6 "$SIZE" "$LOG"
fw_expect_flow control-udp4 "${PID[control-udp4]}" "$FW_PEER_IP4" \
	"$P_UDP4" udp ipv4 "$SIZE" "$LOG"

fw_expect_no_alert "read a log, sent nothing" "${PID[read-only]}"
fw_expect_no_alert "sent without reading a log" "${PID[send-only]}"
fw_expect_no_alert "unrelated sender while another process reads" \
	"${PID[unrelated-sender]:-0}"
fw_expect_no_alert "concurrent reader (sent nothing)" "${PID[holder]}"
fw_expect_no_alert "allowlisted address $FW_PEER_IP4B/32 (tcp)" \
	"${PID[allow-addr4-tcp]}"
fw_expect_no_alert "allowlisted address $FW_PEER_IP4B/32 (udp)" \
	"${PID[allow-addr4-udp]}"
fw_expect_no_alert "allowlisted port 10.203.0.0/24:$P_ALLOW4" \
	"${PID[allow-port4]}"
fw_expect_no_alert "allowlisted address $FW_PEER_IP6B/128" \
	"${PID[allow-addr6]}"
fw_expect_no_alert "allowlisted port [$FW_PEER_IP6/128]:$P_ALLOW6" \
	"${PID[allow-port6]}"
fw_expect_no_alert "allowlisted address reached as ::ffff:$FW_PEER_IP4B" \
	"${PID[allow-v4mapped]}"
check "no alert names any destination on the allowlist" == "" \
	"$(fw_json | jq -c --arg a "$FW_PEER_IP4B" --arg b "$FW_PEER_IP6B" \
		--argjson p4 "$P_ALLOW4" --argjson p6 "$P_ALLOW6" '
		select(.event.kind == "alert") |
		select(.destination.ip == $a or .destination.ip == $b or
		       .destination.port == $p4 or .destination.port == $p6)')"

fw_finish
