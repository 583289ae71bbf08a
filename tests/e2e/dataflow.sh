#!/bin/bash
# The bash -c scripts below expand their own positional parameters:
# shellcheck disable=SC2016
# Flight-log data followed through carriers before it leaves: a pipe, a FIFO,
# derived files (gzip, tar, cp), a unix socketpair, a unix stream relay,
# sendfile, splice, a descriptor inherited across dup2 + exec, a descriptor
# passed with SCM_RIGHTS, a multi-hop pipeline through a temporary file, and
# io_uring (open, read, send, a write into a pipe, reads and sends on
# registered files, sends that succeed without a completion, and datagrams
# from an unconnected UDP socket naming their peer in msg_name), a file
# written in place with pwrite, a pipe filled with vmsplice, and a carrier
# file a tainted cat wrote (the control of the truncation twin below).
# Each scenario sends to its own destination port; its alert must name the
# origin log, the sender, the destination and the chain of processes and
# carriers in order. Benign twins of the same shapes carry untainted data
# and must not alert.
#
# Harness rule: this shell never reads anything a tainted process wrote (its
# output, a file it made, a pipe from it); that would make this shell a
# carrier's reader and taint every later child. Scenario pipelines run in
# bash -c child shells in the ground-station namespace, their output goes to
# files read only after the tracer stopped, and pids come from $! or from
# the tracer's own output.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/scenarios.sh
. "$(dirname "$0")/scenarios.sh"

P_PIPE=9101
P_FIFO=9102
P_GZIP=9103
P_TAR=9104
P_CP=9105
P_PAIR=9106
P_RELAY=9107
P_SENDFILE=9108
P_SPLICE=9109
P_DUP=9110
P_SCM=9111
P_MULTI=9112
P_URING=9113
P_URING_PIPE=9114
P_URING_FIXED=9115
P_URING_SKIP=9116
P_PWRITE=9117
P_SQLITE=9150
P_VMSPLICE=9118
P_CARRIER=9119
P_URING_SENDTO=9120
P_B_PIPE=9121
P_B_FILE=9122
P_B_RELAY=9123
P_B_SENDFILE=9124
P_B_FIFO=9125
P_B_URING=9126
P_B_URING_FIXED=9127
P_B_URING_SKIP=9128
P_B_PWRITE=9129
P_B_SQLITE=9151
P_B_VMSPLICE=9130
P_B_TRUNC=9131
P_B_URING_SENDTO=9132
P_URING_SPLICE=9133
P_B_URING_SPLICE=9134
P_MQUEUE=9135
P_B_MQUEUE=9136
P_B_URING_TRUNC=9137
# truncate(path): the control (appended to, never emptied) and the twins
P_APPENDED=9138
P_B_TRUNCATE=9139
P_B_TRUNCATE_SHM=9140
P_B_TRUNCATE_COLD=9141
FWMQ=$FW_HELPERS/fwmq
FWURING=$FW_HELPERS/fwuring
PY=/usr/bin/python3

fw_init
for tool in gzip tar base64 mkfifo head; do
	command -v "$tool" >/dev/null || fw_abort "$tool is not installed"
done
if ! "$PY" -c 'import os; os.splice; os.sendfile' 2>/dev/null; then
	fw_abort "$PY with os.splice (Python >= 3.10) is needed"
fi
fw_netns_setup
# peer_count PORT FILE: a TCP listener in the peer namespace that appends
# what it receives to FILE (only its size is looked at)
peer_count() {
	local i
	: >"$2"
	nsenter --net="/run/netns/$FW_PEER" socat -u \
		"TCP4-LISTEN:$1,reuseaddr,fork" "OPEN:$2,wronly,append" \
		</dev/null >/dev/null 2>>"$FW_TMP/peers.log" &
	FW_BG_PIDS+=("$!")
	for ((i = 0; i < 200; i++)); do
		if [ -n "$(ss -N "$FW_PEER" -H -lnt "sport = :$1" 2>/dev/null)" ]; then
			return 0
		fi
		fw_proc_done "$!" && break
		sleep 0.05
	done
	fw_abort "counting listener on port $1 did not come up"
}
for p in "$P_PIPE" "$P_FIFO" "$P_GZIP" "$P_TAR" "$P_CP" "$P_PAIR" \
	"$P_SENDFILE" "$P_SPLICE" "$P_DUP" "$P_SCM" "$P_MULTI" \
	"$P_URING" "$P_URING_PIPE" "$P_URING_FIXED" "$P_B_PIPE" "$P_B_FILE" \
	"$P_B_RELAY" "$P_B_SENDFILE" "$P_B_FIFO" "$P_B_URING" \
	"$P_B_URING_FIXED" "$P_URING_SKIP" "$P_B_URING_SKIP" "$P_PWRITE" \
	"$P_VMSPLICE" "$P_B_PWRITE" "$P_B_VMSPLICE" "$P_CARRIER" "$P_B_TRUNC" \
	"$P_URING_SPLICE" "$P_B_URING_SPLICE" "$P_MQUEUE" "$P_B_MQUEUE" \
	"$P_B_URING_TRUNC"; do
	fw_peer_listen tcp4 "$p"
done
for p in "$P_APPENDED" "$P_B_TRUNCATE" "$P_B_TRUNCATE_SHM" \
	"$P_B_TRUNCATE_COLD"; do
	fw_peer_listen tcp4 "$p"
done
fw_peer_listen tcp6 "$P_PIPE"
fw_peer_listen udp4 "$P_URING_SENDTO"
fw_peer_listen udp4 "$P_B_URING_SENDTO"
fw_peer_listen tcp4 "$P_SQLITE"
fw_peer_listen tcp4 "$P_B_SQLITE"
RECEIVED=$FW_TMP/relay.received
peer_count "$P_RELAY" "$RECEIVED"
fw_probe_network "$P_PIPE" "$P_PIPE"

WATCH=$FW_TMP/Telemetry
WORK=$FW_TMP/work
mkdir -p "$WATCH" "$WORK"
LOGNAME_=2026-11-21\ 23-10-05.tlog
LOG=$WATCH/$LOGNAME_
fw_mklog tlog 96k "$LOG"
SIZE=$(fw_size "$LOG")
# opened first through io_uring: nothing else touches it
LOG_URING="$WATCH/2026-11-21 23-40-00.tlog"
fw_mklog tlog 96k "$LOG_URING"
# untainted data of the same size, written before the tracer starts
PLAIN=$WORK/plain.bin
head -c "$SIZE" /dev/urandom >"$PLAIN"
FIFO=$WORK/relay.fifo
FIFO_B=$WORK/benign.fifo
mkfifo "$FIFO" "$FIFO_B" || fw_abort "mkfifo failed"

# ---- python helpers (written here by this untainted shell) ------------------
sc_write_dataflow_scripts "$WORK"

fw_tracer_start dataflow --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"

declare -A MIN # port -> bytes the alert must reach
CARRIER_SCENARIOS=0

# sc_sh NAME SCRIPT ARGS...: fw_sc with bash -c SCRIPT (ARGS are $1...)
sc_sh() {
	local name=$1 script=$2
	shift 2
	fw_sc "$name" bash -c "$script" "$name" "$@"
}

# wait_children PID SECONDS: until PID has no child left (socat's forks)
wait_children() {
	local i max=$(($2 * 20))
	for ((i = 0; i < max; i++)); do
		[ -z "$(pgrep -P "$1" 2>/dev/null)" ] && return 0
		sleep 0.05
	done
	return 1
}

# relay NAME SOCKET PORT: a "socat -u UNIX-LISTEN:SOCKET,fork TCP4:peer:PORT"
# in the ground station; FW_PIDS[NAME] is its pid
relay() {
	local i
	fw_gs_bg socat -u "UNIX-LISTEN:$2,fork" "TCP4:$FW_PEER_IP4:$3" \
		>"$FW_TMP/sc-$1.err" 2>&1
	FW_PIDS[$1]=$FW_BG
	FW_BG_PIDS+=("$FW_BG")
	for ((i = 0; i < 200; i++)); do
		[ -S "$2" ] && return 0
		fw_proc_done "$FW_BG" && break
		sleep 0.05
	done
	fail "$1: relay listening" "socket $2" "none after 10 s"
	return 1
}

# relay_done NAME: wait for the relay's connection child, then stop it
relay_done() {
	[ -n "${FW_PIDS[$1]:-}" ] || return 0
	wait_children "${FW_PIDS[$1]}" 10 ||
		note "$1: relay child still running after 10 s"
	kill -TERM "${FW_PIDS[$1]}" 2>/dev/null
	fw_wait_pid "${FW_PIDS[$1]}" 5
}

# ---- 1. pipe ---------------------------------------------------------------
sc_sh pipe "$SC_PIPE" \
	"$LOG" "$FW_PEER_IP4" "$P_PIPE"
MIN[$P_PIPE]=$SIZE
CARRIER_SCENARIOS=$((CARRIER_SCENARIOS + 1))

# ---- 2. FIFO ---------------------------------------------------------------
sc_sh fifo 'cat -- "$1" >"$2" & exec socat -u "OPEN:$2,rdonly" "TCP4:$3:$4"' \
	"$LOG" "$FIFO" "$FW_PEER_IP4" "$P_FIFO"
MIN[$P_FIFO]=$SIZE
CARRIER_SCENARIOS=$((CARRIER_SCENARIOS + 1))

# ---- 3. derived file: gzip -------------------------------------------------
GZ=$WORK/flight.gz
sc_sh gzip "$SC_GZIP" \
	"$LOG" "$GZ" "$FW_PEER_IP4" "$P_GZIP"
MIN[$P_GZIP]=$(fw_size "$GZ" 2>/dev/null || echo 1)
CARRIER_SCENARIOS=$((CARRIER_SCENARIOS + 1))

# ---- 4. derived file: tar czf ----------------------------------------------
TGZ=$WORK/flight.tgz
sc_sh tar 'tar czf "$2" -C "$1" "$3" && exec socat -u "FILE:$2" "TCP4:$4:$5"' \
	"$WATCH" "$TGZ" "$LOGNAME_" "$FW_PEER_IP4" "$P_TAR"
MIN[$P_TAR]=$(fw_size "$TGZ" 2>/dev/null || echo 1)
CARRIER_SCENARIOS=$((CARRIER_SCENARIOS + 1))

# ---- 5. derived file: cp ---------------------------------------------------
COPY=$WORK/copy.bin
sc_sh cp 'cp -- "$1" "$2" && exec socat -u "FILE:$2" "TCP4:$3:$4"' \
	"$LOG" "$COPY" "$FW_PEER_IP4" "$P_CP"
MIN[$P_CP]=$SIZE
CARRIER_SCENARIOS=$((CARRIER_SCENARIOS + 1))

# ---- 5b. a file written in place (pwrite), then uploaded -------------------
PWRITTEN=$WORK/pwritten.db
sc_sh pwrite '"$1" "$2" "$3" "$4" && exec socat -u "FILE:$4" "TCP4:$5:$6"' \
	"$PY" "$WORK/pwrite.py" "$LOG" "$PWRITTEN" "$FW_PEER_IP4" "$P_PWRITE"
MIN[$P_PWRITE]=$SIZE
CARRIER_SCENARIOS=$((CARRIER_SCENARIOS + 1))

# ---- 5b'. a database: sqlite3 stores the log as a blob (its pages written
# in place with pwrite64), and the database file is uploaded
SQLITE_DB=$WORK/flights.sqlite
SC_SQLITE='sqlite3 "$2" "create table t(b blob); $1" </dev/null &&
	exec socat -u "FILE:$2" "TCP4:$3:$4"'
# sqlite_insert FILE: the statement that stores FILE (an SQL literal)
sqlite_insert() {
	local q="'"
	echo "insert into t values(readfile('${1//$q/$q$q}'));"
}
sc_sh sqlite "$SC_SQLITE" "$(sqlite_insert "$LOG")" "$SQLITE_DB" \
	"$FW_PEER_IP4" "$P_SQLITE"
MIN[$P_SQLITE]=$SIZE
CARRIER_SCENARIOS=$((CARRIER_SCENARIOS + 1))

# ---- 5c. a pipe filled with vmsplice ----------------------------------------
sc_sh vmsplice '"$1" "$2" "$3" | socat -u - "TCP4:$4:$5"' \
	"$PY" "$WORK/vmsplice.py" "$LOG" "$FW_PEER_IP4" "$P_VMSPLICE"
MIN[$P_VMSPLICE]=$SIZE
CARRIER_SCENARIOS=$((CARRIER_SCENARIOS + 1))

# ---- 5d. a carrier file written by a tainted cat, uploaded --------------------
CARRIER=$WORK/carrier.bin
sc_sh carrier 'cat -- "$1" >"$2" && exec socat -u "FILE:$2" "TCP4:$3:$4"' \
	"$LOG" "$CARRIER" "$FW_PEER_IP4" "$P_CARRIER"
MIN[$P_CARRIER]=$SIZE
CARRIER_SCENARIOS=$((CARRIER_SCENARIOS + 1))

# ---- 6. unix socketpair between parent and child ---------------------------
fw_sc pair "$PY" "$FWPAIR" stream "$LOG" "$FW_PEER_IP4" "$P_PAIR"
MIN[$P_PAIR]=$SIZE
CARRIER_SCENARIOS=$((CARRIER_SCENARIOS + 1))

# ---- 7. unix stream relay --------------------------------------------------
SOCK=$WORK/relay.sock
if relay relay "$SOCK" "$P_RELAY"; then
	fw_sc relay-client socat -u "FILE:$LOG" "UNIX-CONNECT:$SOCK"
fi # the relay is stopped once its alert is complete (below)
MIN[$P_RELAY]=$SIZE
CARRIER_SCENARIOS=$((CARRIER_SCENARIOS + 1))

# ---- 8. sendfile -----------------------------------------------------------
fw_sc sendfile "$PY" "$WORK/sendfile.py" "$LOG" "$FW_PEER_IP4" "$P_SENDFILE"
MIN[$P_SENDFILE]=$SIZE

# ---- 9. splice through a pipe ----------------------------------------------
fw_sc splice "$PY" "$WORK/splice.py" "$LOG" "$FW_PEER_IP4" "$P_SPLICE"
MIN[$P_SPLICE]=$SIZE

# ---- 10. dup2 + exec: the exec'd program reads an inherited descriptor ------
sc_sh dup 'exec 3<"$1" 4<&3 3<&-; exec socat -u FD:4 "TCP4:$2:$3"' \
	"$LOG" "$FW_PEER_IP4" "$P_DUP"
MIN[$P_DUP]=$SIZE

# ---- 11. SCM_RIGHTS: an unrelated process receives the descriptor ----------
SCM_SOCK=$WORK/scm.sock
fw_gs_bg "$PY" "$WORK/scm_recv.py" "$SCM_SOCK" "$WORK/scm.ready" \
	"$FW_PEER_IP4" "$P_SCM" >"$FW_TMP/sc-scm-recv.err" 2>&1
FW_PIDS[scm-recv]=$FW_BG
if fw_wait_file "$WORK/scm.ready" 10; then
	fw_sc scm-send "$PY" "$WORK/scm_send.py" "$LOG" "$SCM_SOCK"
else
	fail "scm: receiver ready" "$WORK/scm.ready" "none after 10 s"
fi
fw_wait_pid "${FW_PIDS[scm-recv]}" 20
check "scm-recv: scenario exit status" -eq 0 "$FW_RC"
MIN[$P_SCM]=$SIZE

# ---- 12. multi-hop: pipe, gzip, base64, temporary file, pipe ----------------
B64=$WORK/flight.b64
sc_sh multi "$SC_MULTI" \
	"$LOG" "$B64" "$FW_PEER_IP4" "$P_MULTI"
MIN[$P_MULTI]=$(fw_size "$B64" 2>/dev/null || echo 1)
CARRIER_SCENARIOS=$((CARRIER_SCENARIOS + 1))

# ---- 13. io_uring: open, read and send are io_uring requests ---------------
fw_sc uring "$FWURING" send "$LOG_URING" "$FW_PEER_IP4" "$P_URING"
fw_sc uring-sendto "$FWURING" sendto "$LOG" "$FW_PEER_IP4" "$P_URING_SENDTO"
MIN[$P_URING_SENDTO]=$SIZE
MIN[$P_URING]=$(fw_size "$LOG_URING")

# ---- 14. io_uring: read, then write into a pipe another program sends -------
sc_sh uring-pipe '"$1" cat "$2" | socat -u - "TCP4:$3:$4"' \
	"$FWURING" "$LOG" "$FW_PEER_IP4" "$P_URING_PIPE"
MIN[$P_URING_PIPE]=$SIZE
# io_uring splice requests from the log straight into a pipe: no read or
# write request, no read(2)
sc_sh uring-splice "$SC_URING_SPLICE" \
	"$FWURING" "$LOG" "$FW_PEER_IP4" "$P_URING_SPLICE"
MIN[$P_URING_SPLICE]=$SIZE
sc_sh b-uring-splice "$SC_URING_SPLICE" \
	"$FWURING" "$PLAIN" "$FW_PEER_IP4" "$P_B_URING_SPLICE"
# a POSIX message queue between a reader of the log and an uploader
sc_sh mqueue "$SC_MQUEUE" \
	"$FWMQ" "$LOG" "$FW_PEER_IP4" "$P_MQUEUE"
MIN[$P_MQUEUE]=$SIZE
sc_sh b-mqueue "$SC_MQUEUE" \
	"$FWMQ" "$PLAIN" "$FW_PEER_IP4" "$P_B_MQUEUE"
CARRIER_SCENARIOS=$((CARRIER_SCENARIOS + 1))

# ---- 15. io_uring on registered (fixed) files ------------------------------
fw_sc uring-fixed "$FWURING" --fixed send "$LOG" "$FW_PEER_IP4" \
	"$P_URING_FIXED"
MIN[$P_URING_FIXED]=$SIZE

# ---- 16. io_uring sends that succeed without a completion ------------------
fw_sc uring-skip "$FWURING" --skip send "$LOG" "$FW_PEER_IP4" "$P_URING_SKIP"
MIN[$P_URING_SKIP]=$SIZE

# ---- benign twins ----------------------------------------------------------
sc_sh b-pipe "$SC_B_PIPE" \
	"$FW_PEER_IP4" "$P_B_PIPE"
sc_sh b-file 'head -c 70000 /dev/urandom | gzip -c >"$1" && exec socat -u "FILE:$1" "TCP4:$2:$3"' \
	"$WORK/clean.gz" "$FW_PEER_IP4" "$P_B_FILE"
B_SOCK=$WORK/benign.sock
if relay b-relay "$B_SOCK" "$P_B_RELAY"; then
	fw_sc b-relay-client socat -u "FILE:$PLAIN" "UNIX-CONNECT:$B_SOCK"
fi
fw_sc b-sendfile "$PY" "$WORK/sendfile.py" "$PLAIN" "$FW_PEER_IP4" \
	"$P_B_SENDFILE"
fw_sc b-uring "$FWURING" send "$PLAIN" "$FW_PEER_IP4" "$P_B_URING"
fw_sc b-uring-sendto "$FWURING" sendto "$PLAIN" "$FW_PEER_IP4" \
	"$P_B_URING_SENDTO"
fw_sc b-uring-fixed "$FWURING" --fixed send "$PLAIN" "$FW_PEER_IP4" \
	"$P_B_URING_FIXED"
fw_sc b-uring-skip "$FWURING" --skip send "$PLAIN" "$FW_PEER_IP4" \
	"$P_B_URING_SKIP"
sc_sh b-pwrite '"$1" "$2" "$3" "$4" && exec socat -u "FILE:$4" "TCP4:$5:$6"' \
	"$PY" "$WORK/pwrite.py" "$PLAIN" "$WORK/clean.db" "$FW_PEER_IP4" \
	"$P_B_PWRITE"
sc_sh b-sqlite "$SC_SQLITE" "$(sqlite_insert "$PLAIN")" "$WORK/clean.sqlite" \
	"$FW_PEER_IP4" "$P_B_SQLITE"
sc_sh b-vmsplice '"$1" "$2" "$3" | socat -u - "TCP4:$4:$5"' \
	"$PY" "$WORK/vmsplice.py" "$PLAIN" "$FW_PEER_IP4" "$P_B_VMSPLICE"
# the same carrier shape, then emptied (O_TRUNC) and rewritten with other
# data by untainted processes before the upload: it carries nothing now
sc_sh b-trunc 'cat -- "$1" >"$2" && head -c 70000 /dev/urandom >"$2" &&
	exec socat -u "FILE:$2" "TCP4:$3:$4"' \
	"$LOG" "$WORK/emptied.bin" "$FW_PEER_IP4" "$P_B_TRUNC"
# the same, emptied and rewritten by io_uring requests (an io_uring open
# with O_TRUNC)
sc_sh b-uring-trunc 'cat -- "$1" >"$2" && "$3" rewrite "$2" &&
	exec socat -u "FILE:$2" "TCP4:$4:$5"' \
	"$LOG" "$WORK/emptied-uring.bin" "$FWURING" "$FW_PEER_IP4" \
	"$P_B_URING_TRUNC"
# the same carrier shape emptied by truncate(path, 0), the coreutils
# program, then appended to (no O_TRUNC): on ext4 (this directory), on
# tmpfs (/dev/shm), and on ext4 with its pages dropped from the cache
# first (fsync + POSIX_FADV_DONTNEED), so that only ext4's truncate sees it.
# Its control: the same file appended to without the truncate alerts.
SHM_FILE=/dev/shm/fwe2e-dataflow-$$.bin
APPEND='cat -- "$1" >"$2" && ${4:+"$4" "$2"} && ${5:+truncate -s 0 "$2"} &&
	head -c 70000 /dev/urandom >>"$2" && exec socat -u "FILE:$2" "TCP4:$3"'
cat >"$WORK/uncache" <<'PYEOF'
#!/usr/bin/python3
# write a file's pages back and drop them from the page cache
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.fsync(fd)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
PYEOF
chmod 755 "$WORK/uncache"
sc_sh appended "$APPEND" "$LOG" "$WORK/appended.bin" \
	"$FW_PEER_IP4:$P_APPENDED" "" ""
MIN[$P_APPENDED]=$SIZE
sc_sh b-truncate "$APPEND" "$LOG" "$WORK/truncated.bin" \
	"$FW_PEER_IP4:$P_B_TRUNCATE" "" yes
sc_sh b-truncate-shm "$APPEND" "$LOG" "$SHM_FILE" \
	"$FW_PEER_IP4:$P_B_TRUNCATE_SHM" "" yes
rm -f "$SHM_FILE"
sc_sh b-truncate-cold "$APPEND" "$LOG" "$WORK/truncated-cold.bin" \
	"$FW_PEER_IP4:$P_B_TRUNCATE_COLD" "$WORK/uncache" yes
sc_sh b-fifo 'head -c 70000 /dev/urandom >"$1" & exec socat -u "OPEN:$1,rdonly" "TCP4:$2:$3"' \
	"$FIFO_B" "$FW_PEER_IP4" "$P_B_FIFO"

# ---- wait for the final byte counts, stop --------------------------------------
# port_alerts PORT: every alert line to destination PORT
port_alerts() {
	fw_json "$FW_OUT" | jq -c --argjson port "$1" '
		select(.event.kind == "alert" and .destination.port == $port)'
}

specs=()
for p in "${!MIN[@]}"; do
	specs+=("$p:${MIN[$p]}")
done
fw_wait_alerts_by .destination.port 15 "${specs[@]}" ||
	note "not every scenario's alert reached its size within 15 s"
# the relays' connection children may still be forwarding when their
# clients exit: stop the relays only now, after their children are done
relay_done relay
relay_done b-relay
fw_tracer_stop INT

# ---- assertions ------------------------------------------------------------
# flow NAME PORT MINBYTES SENDER_NAME [LOG]: the common assertions on the
# last alert to PORT, whose origin is LOG (default $LOG); A is that alert
# afterwards (empty when there is none)
A=
flow() {
	local name=$1 port=$2 min=$3 pname=$4 log=${5:-$LOG} transport=${6:-tcp}
	A=$(port_alerts "$port" | tail -n 1)
	if ! check "$name: alert to port $port" != "" "$A"; then
		note "scenario output: $(cat "$FW_TMP/sc-$name.err" 2>/dev/null)"
		return 1
	fi
	check "$name: one sending process to port $port" -eq 1 \
		"$(port_alerts "$port" | jq -r .process.pid | sort -u | wc -l)"
	check "$name: origins include the log" == true \
		"$(jq --arg p "$log" '[.flightwatch.origins[]?.path] |
			index($p) != null' <<<"$A" 2>/dev/null)"
	check "$name: process.name" == "$pname" "$(fw_get "$A" .process.name)"
	check "$name: destination.ip" == "$FW_PEER_IP4" \
		"$(fw_get "$A" .destination.ip)"
	check "$name: network.transport" == "$transport" \
		"$(fw_get "$A" .network.transport)"
	check "$name: destination.bytes >= $min" -ge "$min" \
		"$(fw_get "$A" .destination.bytes)" ||
		note "$name: every line of the flow (time action bytes): $(port_alerts "$port" |
			jq -r '"\(."@timestamp") \(.event.action) \(.destination.bytes)"')"
	check "$name: chain starts at the log" == "origin $log" \
		"$(fw_get "$A" '.flightwatch.chain[0] | "\(.type) \(.path)"')"
	check "$name: chain ends with the sender" -eq \
		"$(fw_get "$A" .process.pid)" \
		"$(fw_get "$A" '[.flightwatch.chain[] | select(.type == "process")] |
			last | .pid')"
	check "$name: chain's destination" == \
		"$FW_PEER_IP4 $port $transport" \
		"$(fw_get "$A" '.flightwatch.chain[-1] |
			"\(.ip) \(.port) \(.transport)"')"
	return 0
}

# chain NAME TYPES PROCESSES: node types in order, and the process names
chain() {
	check "$1: chain node types" == "$2" \
		"$(fw_get "$A" '[.flightwatch.chain[].type] | join(",")')"
	check "$1: chain processes" == "$3" \
		"$(fw_get "$A" '[.flightwatch.chain[] | select(.type == "process") |
			.name] | join(",")')"
}

# carrier_path NAME TYPE PATH: the chain has a TYPE node with that path
carrier_path() {
	check "$1: chain has a $2 node for $3" == true \
		"$(jq --arg t "$2" --arg p "$3" '[.flightwatch.chain[] |
			select(.type == $t and .path == $p)] | length > 0' \
			<<<"$A" 2>/dev/null)"
}

# direct NAME: the sender read the log itself
direct() {
	check "$1: origins[0].bytes_read >= $SIZE" -ge "$SIZE" \
		"$(fw_get "$A" '.flightwatch.origins[0].bytes_read')"
}

if flow pipe "$P_PIPE" "$SIZE" socat; then
	chain pipe origin,process,pipe,process,destination cat,socat
	check "pipe: sender's parent is the pipeline's shell" -eq \
		"${FW_PIDS[pipe]}" "$(fw_get "$A" .process.parent.pid)"
fi

if flow fifo "$P_FIFO" "$SIZE" socat; then
	chain fifo origin,process,fifo,process,destination cat,socat
	carrier_path fifo fifo "$FIFO"
	check "fifo: process.pid" -eq "${FW_PIDS[fifo]}" "$(fw_get "$A" .process.pid)"
fi

if flow gzip "$P_GZIP" "${MIN[$P_GZIP]}" socat; then
	chain gzip origin,process,file,process,destination gzip,socat
	carrier_path gzip file "$GZ"
	check "gzip: process.pid" -eq "${FW_PIDS[gzip]}" "$(fw_get "$A" .process.pid)"
fi

if flow tar "$P_TAR" "${MIN[$P_TAR]}" socat; then
	# tar writes the archive through a pipe into gzip, which writes the file
	chain tar origin,process,pipe,process,file,process,destination \
		tar,gzip,socat
	carrier_path tar file "$TGZ"
	check "tar: process.pid" -eq "${FW_PIDS[tar]}" "$(fw_get "$A" .process.pid)"
fi

if flow pwrite "$P_PWRITE" "$SIZE" socat; then
	chain pwrite origin,process,file,process,destination python3,socat
	carrier_path pwrite file "$PWRITTEN"
fi

if flow sqlite "$P_SQLITE" "$SIZE" socat; then
	chain sqlite origin,process,file,process,destination sqlite3,socat
	carrier_path sqlite file "$SQLITE_DB"
fi

if flow vmsplice "$P_VMSPLICE" "$SIZE" socat; then
	chain vmsplice origin,process,pipe,process,destination python3,socat
fi

if flow carrier "$P_CARRIER" "$SIZE" socat; then
	chain carrier origin,process,file,process,destination cat,socat
	carrier_path carrier file "$CARRIER"
fi

if flow appended "$P_APPENDED" "$SIZE" socat; then
	chain appended origin,process,file,process,destination cat,socat
fi

if flow cp "$P_CP" "$SIZE" socat; then
	chain cp origin,process,file,process,destination cp,socat
	carrier_path cp file "$COPY"
	check "cp: process.pid" -eq "${FW_PIDS[cp]}" "$(fw_get "$A" .process.pid)"
fi

if flow pair "$P_PAIR" "$SIZE" python3; then
	chain pair origin,process,unix_socket,process,destination python3,python3
	check "pair: the sender is the parent" -eq "${FW_PIDS[pair]}" \
		"$(fw_get "$A" .process.pid)"
	check "pair: the reader is another process than the sender" -ne \
		"${FW_PIDS[pair]}" "$(fw_get "$A" '.flightwatch.chain[1].pid')"
	check "pair: origins[0].bytes_read is 0 (got it indirectly)" -eq 0 \
		"$(fw_get "$A" '.flightwatch.origins[0].bytes_read')"
fi

check "relay: the peer received all $SIZE bytes" -eq "$SIZE" \
	"$(fw_size "$RECEIVED")"
if flow relay "$P_RELAY" "$SIZE" socat; then
	chain relay origin,process,unix_socket,process,destination socat,socat
	check "relay: the sender is the relay's connection child" -eq \
		"${FW_PIDS[relay]}" "$(fw_get "$A" .process.parent.pid)"
	check "relay: the chain names the client socat" -eq \
		"${FW_PIDS[relay-client]:-0}" "$(fw_get "$A" '.flightwatch.chain[1].pid')"
fi

if flow sendfile "$P_SENDFILE" "$SIZE" python3; then
	chain sendfile origin,process,destination python3
	check "sendfile: process.pid" -eq "${FW_PIDS[sendfile]}" \
		"$(fw_get "$A" .process.pid)"
	direct sendfile
fi

if flow splice "$P_SPLICE" "$SIZE" python3; then
	chain splice origin,process,destination python3
	check "splice: process.pid" -eq "${FW_PIDS[splice]}" \
		"$(fw_get "$A" .process.pid)"
	direct splice
fi

if flow dup "$P_DUP" "$SIZE" socat; then
	chain dup origin,process,destination socat
	check "dup: process.pid (bash exec'd socat)" -eq "${FW_PIDS[dup]}" \
		"$(fw_get "$A" .process.pid)"
	direct dup
fi

if flow scm "$P_SCM" "$SIZE" python3; then
	chain scm origin,process,destination python3
	check "scm: the receiver sends" -eq "${FW_PIDS[scm-recv]}" \
		"$(fw_get "$A" .process.pid)"
	direct scm
fi
fw_expect_no_alert "scm: the process that passed the descriptor" \
	"${FW_PIDS[scm-send]:-0}"

if flow multi "$P_MULTI" "${MIN[$P_MULTI]}" socat; then
	chain multi \
		origin,process,pipe,process,pipe,process,file,process,pipe,process,destination \
		cat,gzip,base64,cat,socat
	carrier_path multi file "$B64"
	check "multi: sender's parent is the pipeline's shell" -eq \
		"${FW_PIDS[multi]}" "$(fw_get "$A" .process.parent.pid)"
fi

if flow uring-sendto "$P_URING_SENDTO" "$SIZE" fwuring "$LOG" udp; then
	chain uring-sendto origin,process,destination fwuring
fi

if flow uring "$P_URING" "${MIN[$P_URING]}" fwuring "$LOG_URING"; then
	chain uring origin,process,destination fwuring
	check "uring: process.pid" -eq "${FW_PIDS[uring]}" \
		"$(fw_get "$A" .process.pid)"
	check "uring: origins[0].bytes_read >= ${MIN[$P_URING]}" -ge \
		"${MIN[$P_URING]}" \
		"$(fw_get "$A" '.flightwatch.origins[0].bytes_read')"
	check "uring: opened through io_uring, matched by its directory" \
		== directory "$(fw_get "$A" '.flightwatch.origins[0].match')"
fi

if flow uring-fixed "$P_URING_FIXED" "$SIZE" fwuring; then
	chain uring-fixed origin,process,destination fwuring
	check "uring-fixed: process.pid" -eq "${FW_PIDS[uring-fixed]}" \
		"$(fw_get "$A" .process.pid)"
fi

if flow uring-skip "$P_URING_SKIP" "$SIZE" fwuring; then
	chain uring-skip origin,process,destination fwuring
fi

if flow uring-pipe "$P_URING_PIPE" "$SIZE" socat; then
	chain uring-pipe origin,process,pipe,process,destination fwuring,socat
fi

if flow uring-splice "$P_URING_SPLICE" "$SIZE" socat; then
	chain uring-splice origin,process,pipe,process,destination \
		fwuring,socat
fi
check "benign io_uring splice of untainted data: no alert" == "" \
	"$(port_alerts "$P_B_URING_SPLICE")"

if flow mqueue "$P_MQUEUE" "$SIZE" fwmq; then
	chain mqueue origin,process,file,process,destination fwmq,fwmq
fi
check "benign message queue of untainted data: no alert" == "" \
	"$(port_alerts "$P_B_MQUEUE")"

check "benign pipe of untainted data: no alert" == "" \
	"$(port_alerts "$P_B_PIPE")"
check "benign derived file written by an untainted process: no alert" == "" \
	"$(port_alerts "$P_B_FILE")"
check "benign unix relay of untainted data: no alert" == "" \
	"$(port_alerts "$P_B_RELAY")"
check "benign sendfile of an unwatched file: no alert" == "" \
	"$(port_alerts "$P_B_SENDFILE")"
check "benign FIFO with no tainted writer: no alert" == "" \
	"$(port_alerts "$P_B_FIFO")"
check "benign io_uring send of an unwatched file: no alert" == "" \
	"$(port_alerts "$P_B_URING")"
check "benign io_uring send of an unwatched file, registered: no alert" \
	== "" "$(port_alerts "$P_B_URING_FIXED")"
check "benign io_uring send without completions: no alert" == "" \
	"$(port_alerts "$P_B_URING_SKIP")"
check "benign file of untainted data written in place: no alert" == "" \
	"$(port_alerts "$P_B_PWRITE")"
check "benign sqlite3 database of untainted data: no alert" == "" \
	"$(port_alerts "$P_B_SQLITE")"
check "benign pipe of untainted data filled with vmsplice: no alert" == "" \
	"$(port_alerts "$P_B_VMSPLICE")"
check "benign io_uring datagrams of an unwatched file: no alert" == "" \
	"$(port_alerts "$P_B_URING_SENDTO")"
check "benign carrier emptied and rewritten by an untainted process: no alert" \
	== "" "$(port_alerts "$P_B_TRUNC")"
check "benign carrier emptied and rewritten by io_uring: no alert" == "" \
	"$(port_alerts "$P_B_URING_TRUNC")"
check "benign carrier emptied by truncate -s 0 (ext4) and appended to: no alert" \
	== "" "$(port_alerts "$P_B_TRUNCATE")"
check "benign carrier emptied by truncate -s 0 (tmpfs) and appended to: no alert" \
	== "" "$(port_alerts "$P_B_TRUNCATE_SHM")"
check "benign carrier emptied by truncate -s 0 (ext4, not cached) and appended to: no alert" \
	== "" "$(port_alerts "$P_B_TRUNCATE_COLD")"
# (the tracer sees the whole machine: an alert for another port means that
# taint leaked out of these scenarios; shown as pid, name, port, chain)
check "no alert names a port outside the scenarios" == "" \
	"$(fw_json "$FW_OUT" | jq -c --argjson splice "$P_URING_SPLICE" \
		--argjson mq "$P_MQUEUE" --argjson sqlite "$P_SQLITE" \
		--argjson appended "$P_APPENDED" '
		select(.event.kind == "alert" and
		(.destination.port < 9101 or .destination.port > 9120) and
		.destination.port != $splice and .destination.port != $mq and
		.destination.port != $sqlite and .destination.port != $appended) |
		[.process.pid, .process.name, .process.command_line,
		 .destination.ip, .destination.port, .destination.bytes,
		 [.flightwatch.chain[] | [.type, .pid, .name, .path] |
		  map(select(. != null)) | join(" ")]]')"

stats=$(fw_stats)
note "stats: $stats"
check "stats: events.carrier >= $CARRIER_SCENARIOS" -ge "$CARRIER_SCENARIOS" \
	"$(fw_get "$stats" .events.carrier)"
check "stats: lost" -eq 0 "$(fw_get "$stats" .lost)"
check "stats: no kernel map entry evicted" -eq 0 \
	"$(fw_get "$stats" '[.evicted[]] | add')"
check "stats: no io_uring request on registered files" -eq 0 \
	"$(fw_get "$stats" .uring_fixed_files)"

fw_finish
