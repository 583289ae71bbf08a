#!/bin/bash
# Egress of a watched flight log: every read and send syscall variant, TCP
# and UDP (connected and not), IPv4, IPv6 and v4-mapped IPv6, a real program
# (socat), taint inherited across fork, alert latency, and a hostile file
# name that must still give valid JSON.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/scenarios.sh
. "$(dirname "$0")/scenarios.sh"

P_TCP4=9001
P_TCP6=9002
P_UDP4=9003
P_UDP6=9004
P_SOCAT=9005

fw_init
fw_netns_setup
fw_peer_listen tcp4 "$P_TCP4"
fw_peer_listen tcp6 "$P_TCP6"
fw_peer_listen udp4 "$P_UDP4"
fw_peer_listen udp6 "$P_UDP6"
fw_peer_listen tcp4 "$P_SOCAT"
fw_probe_network "$P_TCP4" "$P_TCP6"

WATCH=$FW_TMP/Telemetry
mkdir -p "$WATCH"
LOG="$WATCH/2026-11-21 22-33-41.tlog"
fw_mklog tlog 64k "$LOG"
SIZE=$(fw_size "$LOG")
EVIL=$WATCH/$'evil\n"\xff.tlog'
fw_mklog tlog 16k "$EVIL"
EVIL_SIZE=$(fw_size "$EVIL")
FWSEND_EXE=$(readlink -f "$FWSEND")

fw_tracer_start egress --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"

declare -A PID
WAIT_SPECS=()

# send NAME ARGS...: run fwsend in the ground-station namespace and wait for
# it; PID[NAME] is its pid (ip netns exec execs it). Nothing a tainted
# sender writes (a pid file, its output) is read back by this shell: that
# would make the shell a carrier's reader, and every later child of it
# would then inherit the taint, as the model says it must.
send() {
	local name=$1
	shift
	fw_gs_bg "$FWSEND" --timeout 30 "$@"
	fw_wait_pid "$FW_BG" 40
	check "$name: fwsend exit status" -eq 0 "$FW_RC"
	PID[$name]=$FW_BG
	WAIT_SPECS+=("${PID[$name]}:$SIZE")
}

# --- the simple TCP case, timed -----------------------------------------------
t0=$(fw_now_ms)
send tcp4 --read read "$LOG" --send write --to "$FW_PEER_IP4" --port "$P_TCP4"
if t1=$(fw_wait_first_alert "${PID[tcp4]}" 5); then
	pass "tcp4: alert within 5000 ms (latency $((t1 - t0)) ms from start of the sender)"
else
	fail "tcp4: alert within 5000 ms" "an alert line for pid ${PID[tcp4]}" \
		"none after 5000 ms"
fi

# --- transports, address families, every read and send variant, fork ------
# (scenarios.sh: enforce.sh runs the same calls)
sc_egress_sends send "$LOG" "$P_TCP4" "$P_UDP4" "$P_TCP6" "$P_UDP6"
FORK_PARENT=${PID[fork]}
unset 'WAIT_SPECS[-1]' # the sender is the child, found below

# --- a real program -----------------------------------------------------------
fw_gs_bg socat -u "FILE:$LOG" "TCP4:$FW_PEER_IP4:$P_SOCAT"
SOCAT_PID=$FW_BG
fw_wait_pid "$SOCAT_PID" 30
check "socat: exit status" -eq 0 "$FW_RC"
WAIT_SPECS+=("$SOCAT_PID:$SIZE")

# --- a hostile file name ------------------------------------------------------
send evil --read read "$EVIL" --send write --to "$FW_PEER_IP4" --port "$P_TCP4"
WAIT_SPECS+=("${PID[evil]}:$EVIL_SIZE")

if ! fw_wait_alerts 15 "${WAIT_SPECS[@]}"; then
	note "not every expected alert reached its size within 15 s"
fi
fw_tracer_stop INT

# --- assertions on the final output -------------------------------------------
# (details of a flow are checked only when its alert exists)
p=${PID[tcp4]}
if fw_expect_flow tcp4 "$p" "$FW_PEER_IP4" "$P_TCP4" tcp ipv4 "$SIZE" "$LOG"; then
	a=$(fw_last_alert "$p" "$P_TCP4")
	first=$(fw_alerts "$p" "$P_TCP4" | head -n 1)
	check "tcp4: destination.port" == "$P_TCP4" \
		"$(fw_get "$a" .destination.port)"
	check "tcp4: event.kind" == alert "$(fw_get "$a" .event.kind)"
	check "tcp4: first line event.action" == flightlog-egress \
		"$(fw_get "$first" .event.action)"
	check "tcp4: later lines are flightlog-egress-update" == "" \
		"$(fw_alerts "$p" "$P_TCP4" | tail -n +2 |
			jq -r 'select(.event.action != "flightlog-egress-update") | .event.action')"
	check "tcp4: one event.id for the flow" -eq 1 \
		"$(fw_alerts "$p" "$P_TCP4" | jq -r .event.id | sort -u | wc -l)"
	check "tcp4: event.id is a non-empty string" =~ '^"..*"$' \
		"$(jq -c .event.id <<<"$a" 2>/dev/null)"
	check "tcp4: event.severity (verified tlog)" -eq 73 \
		"$(fw_get "$a" .event.severity)"
	check "tcp4: @timestamp is RFC 3339 UTC" =~ \
		'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$' \
		"$(fw_get "$a" '."@timestamp"')"
	check "tcp4: message is non-empty" != "" "$(fw_get "$a" .message)"
	check "tcp4: process.pid" -eq "$p" "$(fw_get "$a" .process.pid)"
	check "tcp4: process.name" == fwsend "$(fw_get "$a" .process.name)"
	check "tcp4: process.executable" == "$FWSEND_EXE" \
		"$(fw_get "$a" .process.executable)"
	check "tcp4: process.command_line" contains \
		"--read read $LOG --send write --to $FW_PEER_IP4 --port $P_TCP4" \
		"$(fw_get "$a" .process.command_line)"
	check "tcp4: process.parent.pid (this shell)" -eq "$$" \
		"$(fw_get "$a" .process.parent.pid)"
	check "tcp4: user.id" == 0 "$(fw_get "$a" .user.id)"
	check "tcp4: origins has one entry" -eq 1 \
		"$(fw_get "$a" '.flightwatch.origins | length')"
	check "tcp4: origins[0].path" == "$LOG" \
		"$(fw_get "$a" '.flightwatch.origins[0].path')"
	check "tcp4: origins[0].bytes_read >= $SIZE" -ge "$SIZE" \
		"$(fw_get "$a" '.flightwatch.origins[0].bytes_read')"
	check "tcp4: origins[0].match" == directory \
		"$(fw_get "$a" '.flightwatch.origins[0].match')"
	check "tcp4: origins[0].content" == tlog \
		"$(fw_get "$a" '.flightwatch.origins[0].content')"
	check "tcp4: flightwatch.confidence is set" != "" \
		"$(fw_get "$a" .flightwatch.confidence)"
fi

fw_expect_flow udp4-sendto "${PID[udp4-sendto]}" "$FW_PEER_IP4" "$P_UDP4" \
	udp ipv4 "$SIZE" "$LOG"
fw_expect_flow udp4-connected "${PID[udp4-connected]}" "$FW_PEER_IP4" \
	"$P_UDP4" udp ipv4 "$SIZE" "$LOG"
fw_expect_flow tcp6 "${PID[tcp6]}" "$FW_PEER_IP6" "$P_TCP6" tcp ipv6 \
	"$SIZE" "$LOG"
fw_expect_flow udp6-sendto "${PID[udp6-sendto]}" "$FW_PEER_IP6" "$P_UDP6" \
	udp ipv6 "$SIZE" "$LOG"
fw_expect_flow tcp-v4mapped "${PID[tcp-v4mapped]}" "$FW_PEER_IP4" \
	"$P_TCP4" tcp ipv4 "$SIZE" "$LOG"
fw_expect_flow udp-v4mapped "${PID[udp-v4mapped]}" "$FW_PEER_IP4" \
	"$P_UDP4" udp ipv4 "$SIZE" "$LOG"

for mode in pread readv preadv preadv2; do
	fw_expect_flow "read-$mode" "${PID[read-$mode]}" "$FW_PEER_IP4" \
		"$P_TCP4" tcp ipv4 "$SIZE" "$LOG" &&
		check "read-$mode: origins[0].bytes_read >= $SIZE" -ge "$SIZE" \
			"$(fw_get "$(fw_last_alert "${PID[read-$mode]}")" \
				'.flightwatch.origins[0].bytes_read')"
done
for mode in writev send sendto sendmsg sendmmsg; do
	fw_expect_flow "tcp-$mode" "${PID[tcp-$mode]}" "$FW_PEER_IP4" \
		"$P_TCP4" tcp ipv4 "$SIZE" "$LOG"
done
for mode in sendmsg sendmmsg; do
	fw_expect_flow "udp-$mode" "${PID[udp-$mode]}" "$FW_PEER_IP4" \
		"$P_UDP4" udp ipv4 "$SIZE" "$LOG"
done
for mode in write writev sendmmsg; do
	fw_expect_flow "udp-connected-$mode" "${PID[udp-connected-$mode]}" \
		"$FW_PEER_IP4" "$P_UDP4" udp ipv4 "$SIZE" "$LOG"
done

# the child's pid comes from its alert; the chain names the reader as the
# hop the data came through, independently of process.parent.pid
PID[fork]=$(fw_json "$FW_OUT" | jq -r --argjson pp "$FORK_PARENT" '
	select(.event.kind == "alert" and .process.parent.pid == $pp) |
	.process.pid' | head -n 1)
check "fork: an alert names a child of the reader" != "" "${PID[fork]}"
check "fork: the sender is the child, not the reader" -ne "$FORK_PARENT" \
	"${PID[fork]:-0}"
if [ -n "${PID[fork]}" ] && fw_expect_flow fork "${PID[fork]}" \
	"$FW_PEER_IP4" "$P_TCP4" tcp ipv4 "$SIZE" "$LOG"; then
	check "fork: the chain passes through the reader" == true \
		"$(fw_get "$(fw_last_alert "${PID[fork]}")" \
			"[.flightwatch.chain[] | select(.type == \"process\") |
			 .pid] | index($FORK_PARENT) != null")"
fi
fw_expect_no_alert "fork: the reader (pid $FORK_PARENT) sent nothing" \
	"$FORK_PARENT"

if fw_expect_flow socat "$SOCAT_PID" "$FW_PEER_IP4" "$P_SOCAT" tcp ipv4 \
	"$SIZE" "$LOG"; then
	a=$(fw_last_alert "$SOCAT_PID")
	check "socat: process.name" == socat "$(fw_get "$a" .process.name)"
	check "socat: process.executable" == \
		"$(readlink -f "$(command -v socat)")" \
		"$(fw_get "$a" .process.executable)"
	check "socat: process.command_line" starts "socat -u FILE:$WATCH/" \
		"$(fw_get "$a" .process.command_line)"
	check "socat: process.command_line names the peer" contains \
		"TCP4:$FW_PEER_IP4:$P_SOCAT" "$(fw_get "$a" .process.command_line)"
fi

p=${PID[evil]}
if fw_expect_flow evil "$p" "$FW_PEER_IP4" "$P_TCP4" tcp ipv4 \
	"$EVIL_SIZE" ""; then
	a=$(fw_last_alert "$p")
	check "evil: file.path contains the newline" == true \
		"$(jq '.file.path | contains("\n")' <<<"$a" 2>/dev/null)"
	check "evil: file.path contains the double quote" == true \
		"$(jq '.file.path | contains("\"")' <<<"$a" 2>/dev/null)"
	# the 0xff byte may come out as U+FFFD, \u00ff or similar
	check "evil: file.path is the directory, evil<LF>\"<replacement of 0xff>.tlog" \
		=~ "^$WATCH/evil"$'\n''"[^/]+\.tlog$' "$(fw_get "$a" .file.path)"
	check "evil: origins[0].path equals file.path" == \
		"$(fw_get "$a" .file.path)" \
		"$(fw_get "$a" '.flightwatch.origins[0].path')"
fi

stats=$(fw_stats)
note "stats: $stats"
check "stats: events.file_read >= 1" -ge 1 \
	"$(fw_get "$stats" .events.file_read)"
check "stats: events.send >= 1" -ge 1 "$(fw_get "$stats" .events.send)"
check "stats: lost" -eq 0 "$(fw_get "$stats" .lost)"

fw_finish
