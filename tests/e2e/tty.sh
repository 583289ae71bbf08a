#!/bin/bash
# The bash -c scripts below expand their own positional parameters:
# shellcheck disable=SC2016
# Terminals as carriers: what a process that read a flight log writes into
# a pty, and another process reads on the other side, taints the reader.
# Real programs: a session under script(1) whose output is piped to an
# uploader and one whose typescript file is uploaded later, a tmux session
# whose pane is captured and uploaded; and a small python program (its pty
# from pty.fork() or os.openpty()) in both directions: a child on the slave
# cats the log and the parent uploads what it reads from the master, and a
# parent writes the log into the master while the child on the slave reads
# it and uploads it; and a pty pair made before the tracer started. Each
# alert must name the log as origin and hold a pty
# in its chain. Benign twins, the same programs with files that are not
# flight logs, stay quiet in the same run.
#
# Harness rule (as in dataflow.sh): this shell never reads what a tainted
# process wrote; the scenarios run in bash -c child shells.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_SCRIPT=9401
P_TYPESCRIPT=9402
P_TMUX=9403
P_FORWARD=9404
P_REVERSE=9405
P_B_SCRIPT=9411
P_B_TYPESCRIPT=9412
P_B_TMUX=9413
P_B_FORWARD=9414
P_B_REVERSE=9415
P_EARLY=9406
P_B_EARLY=9416
PY=/usr/bin/python3
FWPTY=$FW_ROOT/tests/helpers/fwpty.py

fw_init
for tool in script tmux; do
	command -v "$tool" >/dev/null || fw_abort "$tool is not installed"
done
fw_netns_setup
for p in "$P_SCRIPT" "$P_TYPESCRIPT" "$P_TMUX" "$P_FORWARD" "$P_REVERSE" \
	"$P_B_SCRIPT" "$P_B_TYPESCRIPT" "$P_B_TMUX" "$P_B_FORWARD" \
	"$P_B_REVERSE" "$P_EARLY" "$P_B_EARLY"; do
	fw_peer_listen tcp4 "$p"
done

WATCH=$FW_TMP/Telemetry
WORK=$FW_TMP/work
mkdir -p "$WATCH" "$WORK"
LOG=$WATCH/flight.tlog
fw_mklog tlog 32k "$LOG"
SIZE=$(fw_size "$LOG")
# a text log for the tmux pane (a screen shows text)
TXT=$WATCH/flight-notes.txt
fw_mklog text 8k "$TXT"
# untainted look-alikes, written before the tracer starts
PLAIN=$WORK/plain.bin
head -c "$SIZE" /dev/urandom >"$PLAIN"
PLAIN_TXT=$WORK/notes.txt
fw_mklog text 8k "$PLAIN_TXT"
export TERM=xterm

# pairs made before the tracer starts (their master found open by the
# start's scan): the child on the slave waits for a go file to cat
declare -A EARLY
for name in early b-early; do
	case $name in
	early) file=$LOG port=$P_EARLY ;;
	*) file=$PLAIN port=$P_B_EARLY ;;
	esac
	fw_gs_bg "$PY" "$FWPTY" forward "$file" "$FW_PEER_IP4" "$port" \
		"$FW_TMP/go-$name" >"$FW_TMP/sc-$name.err" 2>&1
	EARLY[$name]=$FW_BG
	FW_BG_PIDS+=("$FW_BG")
done

fw_tracer_start tty --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"

declare -A MIN # port -> bytes the alert must reach

# sc_sh NAME SCRIPT ARGS...: fw_sc with bash -c SCRIPT (ARGS are $1...)
sc_sh() {
	local name=$1 script=$2
	shift 2
	fw_sc "$name" bash -c "$script" "$name" "$@"
}

# first, before any pty is opened under the tracer: the ptmx entry that
# maps master reads comes from the start's scan alone
for name in early b-early; do
	touch "$FW_TMP/go-$name"
	fw_wait_pid "${EARLY[$name]}" 30
	check "$name: scenario exit status" -eq 0 "$FW_RC"
done
MIN[$P_EARLY]=$SIZE

# script(1) runs "cat FILE" on a pty and copies what it reads from the
# master to its stdout, a pipe into the uploader
SCRIPT_PIPE='export FWFILE=$1
script -q -c "cat -- \"\$FWFILE\"" /dev/null | exec socat -u - "TCP4:$2:$3"'
# the same with a typescript file, uploaded once script is done
SCRIPT_FILE='export FWFILE=$1
script -q -c "cat -- \"\$FWFILE\"" "$2" >/dev/null &&
	exec socat -u "FILE:$2" "TCP4:$3:$4"'
# a detached tmux session cats FILE; its pane, captured by a tmux client
# (the server read the master and hands the pane over a unix socket), is
# uploaded. Each twin has a server of its own.
TMUX_PANE='sock=$1
tmux -S "$sock" new-session -d -x 160 -y 60 \
	"cat -- \"$2\"; echo FW-END; exec sleep 60" || exit 1
for ((i = 0; i < 100; i++)); do
	tmux -S "$sock" capture-pane -p -S - | grep -q FW-END && break
	sleep 0.1
done
tmux -S "$sock" capture-pane -p -S - | socat -u - "TCP4:$3:$4"
rc=$?
tmux -S "$sock" kill-server
exit $rc'

sc_sh script "$SCRIPT_PIPE" "$LOG" "$FW_PEER_IP4" "$P_SCRIPT"
MIN[$P_SCRIPT]=$SIZE
sc_sh typescript "$SCRIPT_FILE" "$LOG" "$WORK/typescript" \
	"$FW_PEER_IP4" "$P_TYPESCRIPT"
MIN[$P_TYPESCRIPT]=$SIZE
sc_sh tmux "$TMUX_PANE" "$WORK/tmux.sock" "$TXT" "$FW_PEER_IP4" "$P_TMUX"
MIN[$P_TMUX]=1024
fw_sc forward "$PY" "$FWPTY" forward "$LOG" "$FW_PEER_IP4" "$P_FORWARD"
MIN[$P_FORWARD]=$SIZE
fw_sc reverse "$PY" "$FWPTY" reverse "$LOG" "$FW_PEER_IP4" "$P_REVERSE"
MIN[$P_REVERSE]=$SIZE

sc_sh b-script "$SCRIPT_PIPE" "$PLAIN" "$FW_PEER_IP4" "$P_B_SCRIPT"
sc_sh b-typescript "$SCRIPT_FILE" "$PLAIN" "$WORK/b-typescript" \
	"$FW_PEER_IP4" "$P_B_TYPESCRIPT"
sc_sh b-tmux "$TMUX_PANE" "$WORK/b-tmux.sock" "$PLAIN_TXT" "$FW_PEER_IP4" \
	"$P_B_TMUX"
fw_sc b-forward "$PY" "$FWPTY" forward "$PLAIN" "$FW_PEER_IP4" "$P_B_FORWARD"
fw_sc b-reverse "$PY" "$FWPTY" reverse "$PLAIN" "$FW_PEER_IP4" "$P_B_REVERSE"

specs=()
for p in "${!MIN[@]}"; do
	specs+=("$p:${MIN[$p]}")
done
fw_wait_alerts_by .destination.port 15 "${specs[@]}" ||
	note "not every scenario's alert reached its size within 15 s"
fw_tracer_stop INT

# port_alerts PORT: every alert line to destination PORT
port_alerts() {
	fw_json "$FW_OUT" | jq -c --argjson port "$1" '
		select(.event.kind == "alert" and .destination.port == $port)'
}

# flow NAME PORT SENDER_NAME LOG: the last alert to PORT comes from
# SENDER_NAME, names LOG as its origin, holds a pty in its chain and has
# at least MIN[PORT] bytes
flow() {
	local name=$1 port=$2 pname=$3 log=$4 a
	a=$(port_alerts "$port" | tail -n 1)
	if ! check "$name: alert to port $port" != "" "$a"; then
		note "scenario output: $(cat "$FW_TMP/sc-$name.err" 2>/dev/null)"
		return 1
	fi
	check "$name: process.name" == "$pname" "$(fw_get "$a" .process.name)"
	check "$name: chain starts at the log" == "origin $log" \
		"$(fw_get "$a" '.flightwatch.chain[0] | "\(.type) \(.path)"')"
	check "$name: a pty in the chain" == true \
		"$(jq '[.flightwatch.chain[].type] | index("pty") != null' <<<"$a")" ||
		note "$name: chain $(fw_get "$a" '[.flightwatch.chain[].type] | join(",")')"
	check "$name: destination.ip" == "$FW_PEER_IP4" \
		"$(fw_get "$a" .destination.ip)"
	check "$name: destination.bytes >= ${MIN[$port]}" -ge "${MIN[$port]}" \
		"$(fw_get "$a" .destination.bytes)"
}

flow script "$P_SCRIPT" socat "$LOG"
flow typescript "$P_TYPESCRIPT" socat "$LOG"
flow tmux "$P_TMUX" socat "$TXT"
flow forward "$P_FORWARD" python3 "$LOG"
flow reverse "$P_REVERSE" python3 "$LOG"
flow early "$P_EARLY" python3 "$LOG"
# the reverse direction: the child, not the parent that read the log, sends
a=$(port_alerts "$P_REVERSE" | tail -n 1)
check "reverse: the sender is the child on the slave" != \
	"${FW_PIDS[reverse]}" "$(fw_get "$a" .process.pid)"

for twin in script:$P_B_SCRIPT typescript:$P_B_TYPESCRIPT tmux:$P_B_TMUX \
	forward:$P_B_FORWARD reverse:$P_B_REVERSE early:$P_B_EARLY; do
	check "b-${twin%%:*}: the same terminal with no flight log: no alert" \
		== "" "$(port_alerts "${twin#*:}")"
done

# a pty index (the slave's inode number) is reused once its pair is
# closed: when the benign twin got the tainted pair's index, it must still
# be quiet, since a pair's mark does not pass to the next pair of that
# index (and tmux's origin above is its own log, not an earlier pair's)
idx=$(sed -n 's/^fwpty: pts //p' "$FW_TMP/sc-forward.err")
b_idx=$(sed -n 's/^fwpty: pts //p' "$FW_TMP/sc-b-forward.err")
if [ -n "$idx" ] && [ "$idx" = "$b_idx" ]; then
	pass "b-forward: /dev/pts/$b_idx, the tainted pair's index reused, stays quiet"
else
	skip "b-forward: a reused pty index" \
		"pairs got /dev/pts/${idx:-?} and /dev/pts/${b_idx:-?} (another pty opened in between)"
fi

fw_finish
