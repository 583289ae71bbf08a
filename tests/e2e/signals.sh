#!/bin/bash
# Stopping: SIGTERM exits 0 with the stats line, and flushes the final byte
# count of a flow whose sender is still alive; text mode announces
# readiness on stderr and exits 0 on SIGINT.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_TCP4=9040
P_TCP6=9041

fw_init
fw_netns_setup
fw_peer_listen tcp4 "$P_TCP4"
fw_peer_listen tcp6 "$P_TCP6"
fw_probe_network "$P_TCP4" "$P_TCP6"

WATCH=$FW_TMP/Telemetry
mkdir -p "$WATCH"
LOG=$WATCH/flight.tlog
fw_mklog tlog 256k "$LOG"
SIZE=$(fw_size "$LOG")

# --- JSON mode, SIGTERM while a tainted sender is still alive -----------------
fw_tracer_start sigterm --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"

nsenter --net="/run/netns/$FW_GS" "$FWSEND" --timeout 60 --stats \
	--read read "$LOG" --send write --to "$FW_PEER_IP4" --port "$P_TCP4" \
	--hold-file "$FW_TMP/release" \
	</dev/null >"$FW_TMP/holder.stats" 2>"$FW_TMP/holder.err" &
HOLDER=$!
FW_BG_PIDS+=("$HOLDER")
for ((i = 0; i < 400; i++)); do
	grep -q bytes_sent= "$FW_TMP/holder.stats" && break
	fw_proc_done "$HOLDER" && break
	sleep 0.05
done
check "holder: sent the whole log" contains "bytes_sent=$SIZE" \
	"$(cat "$FW_TMP/holder.stats" "$FW_TMP/holder.err")"
check "holder: still alive when the tracer stops" == alive \
	"$(fw_proc_done "$HOLDER" && echo exited || echo alive)"
if ! fw_wait_first_alert "$HOLDER" 5 >/dev/null; then
	note "no alert for the holder (pid $HOLDER) within 5 s"
fi

fw_tracer_stop TERM
stats=$(fw_stats)
note "stats: $stats"
for field in exec fork exit file_read connect send; do
	check "stats: events.$field is a number" =~ '^[0-9]+$' \
		"$(jq -r ".events.$field" <<<"$stats" 2>/dev/null)"
done
check "stats: lost is a number" =~ '^[0-9]+$' \
	"$(jq -r .lost <<<"$stats" 2>/dev/null)"
check "stats: the line is the last one on stdout" == metric/stats \
	"$(fw_json | tail -n 1 | jq -r '"\(.event.kind)/\(.event.action)"')"
fw_expect_flow "holder (final count flushed at stop)" "$HOLDER" \
	"$FW_PEER_IP4" "$P_TCP4" tcp ipv4 "$SIZE" "$LOG"

touch "$FW_TMP/release"
fw_wait_pid "$HOLDER" 20
check "holder: exit status" -eq 0 "$FW_RC"

# --- text mode ----------------------------------------------------------------
OUT=$FW_TMP/text.out
ERR=$FW_TMP/text.err
"$FW_BIN" run --no-default-rules --watch "$WATCH" </dev/null >"$OUT" 2>"$ERR" &
FW_TRACER_PID=$!
t0=$(fw_now_ms)
ready=
for ((i = 0; i < FW_READY_TIMEOUT * 20; i++)); do
	if grep -qw ready "$ERR"; then
		ready=yes
		break
	fi
	fw_proc_done "$FW_TRACER_PID" && break
	sleep 0.05
done
if [ -n "$ready" ]; then
	pass "text: 'ready' on stderr ($(($(fw_now_ms) - t0)) ms)"
	fw_gs "$FWSEND" --timeout 30 --read read "$LOG" --send write \
		--to "$FW_PEER_IP4" --port "$P_TCP4" ||
		note "text: the tainted send failed"
else
	fail "text: 'ready' on stderr" "a line with the word ready" \
		"$(tail -n 5 "$ERR")"
fi
kill -INT "$FW_TRACER_PID" 2>/dev/null
fw_wait_pid "$FW_TRACER_PID" "$FW_STOP_TIMEOUT"
FW_TRACER_PID=
check "text: exit status after SIGINT" -eq 0 "$FW_RC"
note "text mode stdout (first lines):"
note "$(head -n 5 "$OUT")"

fw_finish
