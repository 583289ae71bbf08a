#!/bin/bash
# Restarts: the kernel's taint state is pinned in bpffs, so a process that
# read a flight log before the tracer was killed (-9) alerts when it sends
# after the next start, whether it still holds the file open or closed it;
# --fresh starts clean (its positive control: a read and send after that
# start alerts); a stale pinned layout is refused with a warning.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_CLOSED=9060
P_OPEN=9061
P_CLEAN=9062
P_FRESH=9063
P_AFTER=9064

fw_init
fw_peers 9065 9066
for port in "$P_CLOSED" "$P_OPEN" "$P_CLEAN" "$P_FRESH" "$P_AFTER"; do
	fw_peer_listen tcp4 "$port"
done
command -v python3 >/dev/null || fw_abort "python3 is not installed"

WATCH=$FW_TMP/Telemetry
mkdir -p "$WATCH"
LOG=$WATCH/flight.tlog
fw_mklog tlog 64k "$LOG"
SIZE=$(fw_size "$LOG")

# fw_reader NAME PORT [open]: a process that reads the log (closing it, or
# holding it open), then waits for $FW_TMP/go-NAME before it sends
fw_reader() {
	local name=$1 port=$2
	if [ "${3:-}" = open ]; then
		fw_gs_bg python3 "$FWHOLD" "$LOG" "$FW_TMP/read-$name" \
			"$FW_TMP/go-$name" "$FW_PEER_IP4" "$port"
	else
		fw_gs_bg "$FWSEND" --timeout 300 --read read "$LOG" \
			--touch "$FW_TMP/read-$name" --wait-file "$FW_TMP/go-$name" \
			--send write --to "$FW_PEER_IP4" --port "$port"
	fi
	FW_PIDS[$name]=$FW_BG
	FW_BG_PIDS+=("$FW_BG")
	fw_wait_file "$FW_TMP/read-$name" 20 ||
		fail "$name: read the log" "$FW_TMP/read-$name" "none"
}

# fw_release NAME: let it send, and wait until it is done
fw_release() {
	touch "$FW_TMP/go-$1"
	fw_wait_pid "${FW_PIDS[$1]}" 30
}

# fw_kill_tracer: the tracer dies without a word (a crash)
fw_kill_tracer() {
	kill -KILL "$FW_TRACER_PID"
	wait "$FW_TRACER_PID" 2>/dev/null
	FW_TRACER_PID=
}

ready_field() {
	fw_json "$FW_OUT" | jq -r "select(.event.action == \"ready\") | $1" |
		head -n 1
}

# --- a first run reads, is killed, a second run takes over -----------------
fw_tracer_start first --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"
check "first: a clean start takes nothing over" == false \
	"$(ready_field '.flightwatch.state_reused')"
fw_reader closed "$P_CLOSED"
fw_reader open "$P_OPEN" open
fw_kill_tracer
for map in tainted reads carries watched_files; do
	check "killed: map $map stays pinned" == yes \
		"$([ -e "$FW_STATE_DIR/$map" ] && echo yes || echo no)"
done

# a process that started after the crash and read nothing: its send is the
# benign twin of the two readers'
FW_STATE_KEEP=1
fw_tracer_start second --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start again"
check "second: the pinned state is taken over" == true \
	"$(ready_field '.flightwatch.state_reused')"
check "second: both readers' reads restored" -ge 2 \
	"$(ready_field '.flightwatch.reads_restored')"
check "second: the ready message says so" contains "taint state of the previous run taken over" \
	"$(ready_field '.message')"
# a second tracer on the same state while this one runs (a `record` next
# to the service) keeps none, rather than share this one's taint
timeout $((FW_READY_TIMEOUT + 10)) "$FW_BIN" record -o "$FW_TMP/side.fwt" --no-default-rules \
	--watch "$WATCH" </dev/null >/dev/null 2>"$FW_TMP/side.err" &
SIDE=$!
fw_wait_for "$FW_READY_TIMEOUT" grep -q "ready" "$FW_TMP/side.err"
kill -INT "$SIDE" 2>/dev/null
fw_wait_pid "$SIDE" 10
check "a second tracer on the state in use keeps none" contains \
	"another tracer is using it" "$(cat "$FW_TMP/side.err")"
for map in tainted reads; do
	check "the first tracer's map $map is still pinned" == yes \
		"$([ -e "$FW_STATE_DIR/$map" ] && echo yes || echo no)"
done
fw_release closed
fw_release open
fw_sc clean "$FWSEND" --timeout 20 --bytes "$SIZE" --send write \
	--to "$FW_PEER_IP4" --port "$P_CLEAN"
fw_wait_alerts 10 "${FW_PIDS[closed]}:$SIZE" "${FW_PIDS[open]}:$SIZE" ||
	note "not every restored reader's alert within 10 s"
fw_tracer_stop
fw_expect_flow "read before the crash, file closed" "${FW_PIDS[closed]}" \
	"$FW_PEER_IP4" "$P_CLOSED" tcp ipv4 "$SIZE" "$LOG"
fw_expect_flow "read before the crash, file held open" "${FW_PIDS[open]}" \
	"$FW_PEER_IP4" "$P_OPEN" tcp ipv4 "$SIZE" "$LOG"
a=$(fw_last_alert "${FW_PIDS[open]}" "$P_OPEN")
check "held open: the process is named" == python3 \
	"$(fw_get "$a" .process.name)"
fw_expect_no_alert "untainted sender after the restart" "${FW_PIDS[clean]}"

# --- --fresh forgets; a read after that start still alerts ------------------
FW_STATE_KEEP=0
fw_tracer_start keeper --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"
fw_reader forgotten "$P_FRESH"
fw_kill_tracer
fw_tracer_start fresh --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start with --fresh"
check "fresh: nothing taken over" == false \
	"$(ready_field '.flightwatch.state_reused')"
fw_release forgotten
fw_sc after "$FWSEND" --timeout 20 --read read "$LOG" --send write \
	--to "$FW_PEER_IP4" --port "$P_AFTER"
fw_wait_alerts 10 "${FW_PIDS[after]}:$SIZE" ||
	note "no alert for the control within 10 s"
fw_tracer_stop
fw_expect_no_alert "fresh: a read before --fresh" "${FW_PIDS[forgotten]}"
fw_expect_flow "fresh: control read and sent after the start" \
	"${FW_PIDS[after]}" "$FW_PEER_IP4" "$P_AFTER" tcp ipv4 "$SIZE" "$LOG"

# --- a pinned map of another layout is not taken over -----------------------
rm -rf "$FW_STATE_DIR"
mkdir -p "$FW_STATE_DIR"
bpftool map create "$FW_STATE_DIR/tainted" type hash key 4 value 4 \
	entries 16 name tainted 2>"$FW_TMP/bpftool.err" ||
	fw_abort "bpftool map create failed: $(cat "$FW_TMP/bpftool.err")"
FW_STATE_KEEP=1
fw_tracer_start stale --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start over a stale state"
check "stale: not taken over" == false \
	"$(ready_field '.flightwatch.state_reused')"
check "stale: said on stderr" contains "does not fit this run (map tainted)" \
	"$(cat "$FW_ERR")"
fw_tracer_stop

fw_finish
