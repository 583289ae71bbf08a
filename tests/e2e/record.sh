#!/bin/bash
# Trace recording, replay and report: a live scenario traced with
# `run --json --record FILE`; the recording is 0600, replays to the same
# alerts as the live run (pids, destinations, final bytes, origin paths,
# event.action sequence and event.id per flow), re-checks with other rules
# (--allow), gives a report as text, JSON and a Graphviz graph that renders;
# a truncated copy (cut after the blocks of the first flow, which are
# waited for on disk while tracing) replays its valid prefix and exits
# non-zero naming the offset; `flightwatch record -o` records with no alert
# output, writing the file as it goes.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_TCP4=9101
P_TCP6=9102
P_UDP4=9103

fw_init
fw_netns_setup
fw_peer_listen tcp4 "$P_TCP4"
fw_peer_listen tcp6 "$P_TCP6"
fw_peer_listen udp4 "$P_UDP4"
fw_probe_network "$P_TCP4" "$P_TCP6"

WATCH=$FW_TMP/Telemetry
mkdir -p "$WATCH"
LOG=$WATCH/flight-1.tlog
LOG2=$WATCH/flight-2.ulg
fw_mklog tlog 64k "$LOG"
fw_mklog ulog 32k "$LOG2"
SIZE=$(fw_size "$LOG")
SIZE2=$(fw_size "$LOG2")
TRACE=$FW_TMP/live.fwt

# A umask that would give everyone read access: the trace must still be 0600
umask 022
fw_tracer_start live --no-default-rules --watch "$WATCH" --record "$TRACE" ||
	fw_abort "tracer did not start"

# trace_has_flow FILE PID BYTES: the blocks of FILE flushed so far replay
# to an alert of PID with BYTES bytes sent (a block still being written
# reads as damage at the end: replay's exit status is not looked at)
# shellcheck disable=SC2317 # called through fw_wait_for
trace_has_flow() {
	timeout 5 "$FW_BIN" replay --json "$1" 2>/dev/null |
		jq -cR --argjson pid "$2" --argjson bytes "$3" 'fromjson? |
			select(.event.kind == "alert" and .process.pid == $pid and
			       .destination.bytes == $bytes)' | grep -q .
}

declare -A PID
WAIT_SPECS=()
send() {
	local name=$1 size=$2
	shift 2
	fw_gs_bg "$FWSEND" --timeout 30 --pidfile "$FW_TMP/$name.pid" "$@"
	fw_wait_pid "$FW_BG" 40
	check "$name: fwsend exit status" -eq 0 "$FW_RC"
	PID[$name]=$(cat "$FW_TMP/$name.pid" 2>/dev/null || echo "$FW_BG")
	WAIT_SPECS+=("${PID[$name]}:$size")
}

send tcp4 "$SIZE" --read read "$LOG" --send write --to "$FW_PEER_IP4" \
	--port "$P_TCP4"
# the first flow's blocks are on disk before the rest start (the writer
# flushes each second): the truncated copy below is cut after them
fw_wait_alerts 10 "${WAIT_SPECS[@]}" || note "tcp4 alert late"
if fw_wait_for 10 trace_has_flow "$TRACE" "${PID[tcp4]}" "$SIZE"; then
	pass "trace: the first flow flushed to the file while tracing"
else
	fail "trace: the first flow flushed to the file while tracing" \
		"a flushed block replaying to pid ${PID[tcp4]}'s $SIZE bytes within 10 s" \
		"none (file $(fw_size "$TRACE") bytes)"
fi
# the file holds at least the blocks that replay just read
FIRST_SIZE=$(fw_size "$TRACE")
send udp4 "$SIZE2" --read read "$LOG2" --proto udp --send sendto \
	--to "$FW_PEER_IP4" --port "$P_UDP4"
send tcp6 "$SIZE" --read read "$LOG" --send writev --to "$FW_PEER_IP6" \
	--port "$P_TCP6"
send fork "$SIZE" --read read "$LOG" --fork --send write \
	--to "$FW_PEER_IP4" --port "$P_TCP4"
fw_wait_alerts 15 "${WAIT_SPECS[@]}" ||
	note "not every expected alert reached its size within 15 s"
fw_tracer_stop INT

# --- the file -----------------------------------------------------------------
check "live: no trace write error in the stats" == "0 0" \
	"$(fw_stats | jq -r '"\(.trace_write_errors) \(.trace_records_lost)"')"
check "trace file exists" == yes "$([ -s "$TRACE" ] && echo yes || echo no)"
check "trace file mode" == 600 "$(stat -c %a "$TRACE" 2>/dev/null)"
note "trace: $(fw_size "$TRACE") bytes"

# --- replay gives the live alerts -----------------------------------------------
# One line per flow: id, pid, destination, final bytes, origins, actions
flows() {
	fw_json "$1" | jq -sc '
		[.[] | select(.event.kind == "alert")] |
		group_by(.event.id) | map({
			id: .[0].event.id,
			pid: .[0].process.pid,
			ip: .[0].destination.ip,
			port: .[0].destination.port,
			transport: .[0].network.transport,
			bytes: .[-1].destination.bytes,
			origins: (.[-1].flightwatch.origins | map(.path) | sort),
			actions: map(.event.action)
		}) | sort_by(.id) | .[]'
}
LIVE_FLOWS=$(flows "$FW_OUT")
REPLAY_OUT=$FW_TMP/replay.out
"$FW_BIN" replay --json "$TRACE" >"$REPLAY_OUT" 2>"$FW_TMP/replay.err"
check "replay: exit status" -eq 0 "$?"
REPLAY_FLOWS=$(flows "$REPLAY_OUT")
check "replay: live run has a flow per sender" -ge 4 \
	"$(grep -c . <<<"$LIVE_FLOWS")"
check "replay: the same flows, bytes, origins and actions as live" \
	== "$LIVE_FLOWS" "$REPLAY_FLOWS"
for name in tcp4 udp4 tcp6 fork; do
	check "replay: a flow of $name (pid ${PID[$name]})" contains \
		"\"pid\":${PID[$name]}," "$REPLAY_FLOWS"
done
bad=$(jq -rR '. as $l | try (fromjson | empty) catch $l' "$REPLAY_OUT")
check "replay: every stdout line is one JSON object" == "" "$bad"
live_ts=$(fw_json "$FW_OUT" | jq -r 'select(.event.kind == "alert") |
	."@timestamp"' | head -n 1)
replay_ts=$(fw_json "$REPLAY_OUT" | jq -r 'select(.event.kind == "alert") |
	."@timestamp"' | head -n 1)
# the recorded clock mapping, not this run's clock: the same second
check "replay: timestamps from the recorded clock" == "${live_ts:0:19}" \
	"${replay_ts:0:19}"

# --- other rules ------------------------------------------------------------------
"$FW_BIN" replay --json --allow "$FW_PEER_IP4/32" "$TRACE" \
	>"$FW_TMP/allow.out" 2>"$FW_TMP/allow.err"
check "replay --allow: exit status" -eq 0 "$?"
check "replay --allow: no alert to the allowed address" == "" \
	"$(fw_json "$FW_TMP/allow.out" | jq -c --arg ip "$FW_PEER_IP4" \
		'select(.event.kind == "alert" and .destination.ip == $ip)')"
check "replay --allow: the IPv6 flow still alerts" -ge 1 \
	"$(fw_json "$FW_TMP/allow.out" | jq -c --arg ip "$FW_PEER_IP6" \
		'select(.event.kind == "alert" and .destination.ip == $ip)' |
		grep -c .)"

# --- report ---------------------------------------------------------------------
"$FW_BIN" report "$TRACE" >"$FW_TMP/report.txt" 2>"$FW_TMP/report.err"
check "report text: exit status" -eq 0 "$?"
text=$(cat "$FW_TMP/report.txt")
check "report text: a timeline" contains "Timeline" "$text"
check "report text: the flight log and its reader" contains \
	"fwsend (pid ${PID[tcp4]})" "$text"
check "report text: the flight log" contains "$LOG2" "$text"
check "report text: a destination with bytes" contains \
	"-> $FW_PEER_IP4:$P_TCP4/tcp: $SIZE bytes" "$text"

"$FW_BIN" report --format json "$TRACE" >"$FW_TMP/report.json" \
	2>"$FW_TMP/report.err"
check "report json: exit status" -eq 0 "$?"
check "report json: one JSON document" == object \
	"$(jq -r type "$FW_TMP/report.json" 2>&1)"
check "report json: flows as replay" -eq "$(grep -c . <<<"$REPLAY_FLOWS")" \
	"$(jq '.flows | length' "$FW_TMP/report.json" 2>&1)"
check "report json: readers of the tlog" -ge 3 \
	"$(jq --arg p "$LOG" '[.files[] | select(.path == $p) | .readers[]] |
		length' "$FW_TMP/report.json" 2>&1)"
check "report json: udp4 sender's destination bytes" -eq "$SIZE2" \
	"$(jq --argjson pid "${PID[udp4]}" '[.processes[] |
		select(.pid == $pid) | .destinations[].bytes] | add' \
		"$FW_TMP/report.json" 2>&1)"
check "report json: the flow chain ends at the destination" == \
	"$FW_PEER_IP6" "$(jq -r --argjson pid "${PID[tcp6]}" '.flows[] |
		select(.process.pid == $pid) | .chain[-1].ip' \
		"$FW_TMP/report.json" 2>&1)"

"$FW_BIN" report --format dot "$TRACE" >"$FW_TMP/report.dot" \
	2>"$FW_TMP/report.err"
check "report dot: exit status" -eq 0 "$?"
if command -v dot >/dev/null; then
	dot -Tsvg "$FW_TMP/report.dot" >"$FW_TMP/report.svg" \
		2>"$FW_TMP/dot.err"
	check "report dot: renders with dot -Tsvg" -eq 0 "$?" ||
		note "dot: $(head -n 5 "$FW_TMP/dot.err")"
	check "report dot: an SVG" contains "<svg" "$(head -c 2000 "$FW_TMP/report.svg")"
else
	skip "report dot: renders with dot -Tsvg" "graphviz is not installed (make deps)"
fi

# --- a truncated copy -------------------------------------------------------------
# cut halfway between the end of the first flow's blocks and the end of
# the file: the first flow whole, the end block and more missing
size=$(fw_size "$TRACE")
check "truncated: the trace grew after the first flow" -gt "$FIRST_SIZE" "$size"
CUT=$FW_TMP/cut.fwt
head -c $(((FIRST_SIZE + size) / 2)) "$TRACE" >"$CUT"
note "truncated: $(((FIRST_SIZE + size) / 2)) of $size bytes (first flow in the first $FIRST_SIZE)"
"$FW_BIN" replay --json "$CUT" >"$FW_TMP/cut.out" 2>"$FW_TMP/cut.err"
rc=$?
check "truncated: exit status 1" -eq 1 "$rc"
check "truncated: damage reported with its offset" =~ \
	'offset [0-9]+: ' "$(cat "$FW_TMP/cut.err")"
cut_flows=$(fw_json "$FW_TMP/cut.out" | jq -r 'select(.event.kind == "alert") |
	.event.id' | sort -u)
check "truncated: the valid prefix still alerts" -ge 1 \
	"$(grep -c . <<<"$cut_flows")"
extra=$(comm -23 <(printf '%s\n' "$cut_flows") \
	<(jq -r .id <<<"$REPLAY_FLOWS" | sort -u))
check "truncated: only flows of the full trace" == "" "$extra"
check "truncated: the first flow as in the full replay" == \
	"$(jq -c 'select(.pid == '"${PID[tcp4]}"') | del(.actions, .bytes)' <<<"$REPLAY_FLOWS")" \
	"$(flows "$FW_TMP/cut.out" | jq -c 'select(.pid == '"${PID[tcp4]}"') | del(.actions, .bytes)')"

# --- flightwatch record -o ------------------------------------------------------------
REC=$FW_TMP/rec.fwt
"$FW_BIN" record -o "$REC" --no-default-rules --watch "$WATCH" </dev/null \
	>"$FW_TMP/rec.out" 2>"$FW_TMP/rec.err" &
FW_TRACER_PID=$!
for ((i = 0; i < FW_READY_TIMEOUT * 20; i++)); do
	grep -q 'flightwatch ready' "$FW_TMP/rec.err" 2>/dev/null && break
	fw_proc_done "$FW_TRACER_PID" && break
	sleep 0.05
done
check "record: ready on stderr" contains "flightwatch ready" \
	"$(cat "$FW_TMP/rec.err")"
send rec "$SIZE" --read read "$LOG" --send write --to "$FW_PEER_IP4" \
	--port "$P_TCP4"
# stopped once the flow is on disk: the recording is written as it goes
if fw_wait_for 10 trace_has_flow "$REC" "${PID[rec]}" "$SIZE"; then
	pass "record: the flow flushed to the file while recording"
else
	fail "record: the flow flushed to the file while recording" \
		"a flushed block replaying to pid ${PID[rec]}'s $SIZE bytes within 10 s" \
		"none (file $(fw_size "$REC") bytes)"
fi
kill -INT "$FW_TRACER_PID"
fw_wait_pid "$FW_TRACER_PID" "$FW_STOP_TIMEOUT"
FW_TRACER_PID=
check "record: exit status" -eq 0 "$FW_RC"
check "record: no alert output" == "" "$(cat "$FW_TMP/rec.out")"
check "record: file mode" == 600 "$(stat -c %a "$REC" 2>/dev/null)"
"$FW_BIN" replay --json "$REC" >"$FW_TMP/rec-replay.out" 2>&1
check "record: replay exit status" -eq 0 "$?"
check "record: replay alerts for the sender" == "$SIZE" \
	"$(fw_json "$FW_TMP/rec-replay.out" | jq -r --argjson pid "${PID[rec]}" \
		'select(.event.kind == "alert" and .process.pid == $pid) |
		.destination.bytes' | tail -n 1)"
"$FW_BIN" record -o "$REC" --no-default-rules --watch "$WATCH" \
	>/dev/null 2>"$FW_TMP/rec2.err"
check "record: an existing file is not overwritten" -eq 1 "$?"
check "record: says why" contains "File exists" "$(cat "$FW_TMP/rec2.err")"

# --- a full disk: the recording stops and says so; tracing goes on ------------------
# The trace on a 64 KiB tmpfs mounted in a private mount namespace, filled
# to its last 8 KiB; processes started meanwhile give the records that
# fill it.
FULL=$FW_TMP/full
mkdir -p "$FULL"
ON_SMALL_FS=$FW_TMP/on-small-fs
# flightwatch with $FULL a nearly full tmpfs of its own
cat >"$ON_SMALL_FS" <<EOF
#!/bin/sh
exec unshare -m --propagation private sh -c '
	mount -t tmpfs -o size=64k fwfull "$FULL" &&
	head -c 56k /dev/zero >"$FULL/filler" && exec "\$0" "\$@"' "$FW_BIN" "\$@"
EOF
chmod 755 "$ON_SMALL_FS"
REAL_BIN=$FW_BIN
FW_BIN=$ON_SMALL_FS
fw_tracer_start full --no-default-rules --watch "$WATCH" \
	--record "$FULL/full.fwt" || fw_abort "tracer on a full disk did not start"
FW_BIN=$REAL_BIN
# shellcheck disable=SC2317 # called through fw_wait_for
write_failed() {
	for ((n = 0; n < 50; n++)); do
		/bin/true
	done
	fw_json "$FW_OUT" | jq -e 'select(.event.kind == "state" and
		.event.action == "trace-write-failed")' >/dev/null
}
if fw_wait_for 20 write_failed; then
	pass "full disk: a trace-write-failed state event"
	line=$(fw_json "$FW_OUT" | jq -c 'select(.event.action == "trace-write-failed")')
	check "full disk: the state event names the file and the reason" == \
		"flightwatch: recording stopped: cannot write the trace $FULL/full.fwt: No space left on device; tracing goes on (alerts are still reported, no longer recorded)" \
		"$(fw_get "$line" .message)"
	check "full disk: said once" -eq 1 \
		"$(fw_json "$FW_OUT" | jq -c 'select(.event.action == "trace-write-failed")' | wc -l)"
else
	fail "full disk: a trace-write-failed state event" "one within 20 s" \
		"none; stderr: $(tail -n 3 "$FW_ERR")"
fi
check "full disk: said on stderr" contains \
	"flightwatch: recording stopped: cannot write the trace $FULL/full.fwt: No space left on device" \
	"$(cat "$FW_ERR")"
# tracing goes on: an upload after the failure alerts
send full "$SIZE" --read read "$LOG" --send write --to "$FW_PEER_IP4" \
	--port "$P_TCP4"
fw_wait_alerts 10 "${PID[full]}:$SIZE" ||
	note "no full alert for the upload after the failure within 10 s"
check "full disk: an upload after the failure still alerts" == "$SIZE" \
	"$(fw_alerts "${PID[full]}" | jq -r .destination.bytes | tail -n 1)"
kill -INT "$FW_TRACER_PID"
fw_wait_pid "$FW_TRACER_PID" "$FW_STOP_TIMEOUT"
FW_TRACER_PID=
check "full disk: exit status 1 (the recording is incomplete)" -eq 1 "$FW_RC"
stats=$(fw_stats)
check "full disk: stats trace_write_errors" == 1 \
	"$(jq -r .trace_write_errors <<<"$stats")"
check "full disk: stats trace_records_lost" -gt 0 \
	"$(jq -r .trace_records_lost <<<"$stats")"

fw_finish
