#!/bin/bash
# The journald sink against a real systemd-journald that this suite starts
# in a private mount namespace (tmpfs on /run/systemd, /run/log and
# /var/log/journal): an egress alert's fields (MESSAGE_ID, PRIORITY,
# SYSLOG_IDENTIFIER, origins, destination, bytes, chain), the ready entry
# with the hooks attached, the stopped entry, the catalog explanation with
# `journalctl -x`; journald stopped while the tracer runs: alerts on stderr
# at once and in the journal, in order, once journald is back; 5,000
# alerts through a 30 s outage all arrive, complete and in order, with the
# final statistics (the spool on disk, drained at journald's pace); a
# spool left by a tracer killed during an outage is sent by a later
# start, first and in order; a journald that reads nothing (SIGSTOP) is
# reported and loses nothing; --output auto picks the journal when the
# socket exists and text when it does not.
set -u
# Everything below runs in a mount namespace of its own: the mounts vanish
# with it, the host's /run and /var are never touched
if [ -z "${FW_JOURNAL_NS:-}" ]; then
	exec unshare -m --propagation private env FW_JOURNAL_NS=1 \
		bash "$0" "$@"
fi
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_A=9150
P_B=9151
P_C=9152
P_D=9153
JD_PID=
JSOCK=/run/systemd/journal/socket
ID_EGRESS=4eee73de679b47a9be7f6b54d969cd1e
ID_READY=4cc712c6346e46d4a4a876f92abbfded
ID_STOPPED=db79719aab4048c0a5eb066275484dba

fw_init
# the journald spool of every tracer here: this suite's own
export STATE_DIRECTORY=$FW_TMP/state
SPOOL=$STATE_DIRECTORY/journal.spool
command -v journalctl >/dev/null || fw_abort "journalctl is not installed"
[ -x /lib/systemd/systemd-journald ] ||
	fw_abort "no /lib/systemd/systemd-journald (package systemd)"

# shellcheck disable=SC2317 # called from the traps
jd_cleanup() {
	if [ -n "$JD_PID" ] && ! fw_proc_done "$JD_PID"; then
		kill -TERM "$JD_PID" 2>/dev/null
		fw_wait_pid "$JD_PID" 10
	fi
	fw_cleanup
}
trap jd_cleanup EXIT
trap 'jd_cleanup; exit 130' INT
trap 'jd_cleanup; exit 143' TERM

for d in /run/systemd /run/log /var/log/journal /var/lib/systemd/catalog; do
	{ mkdir -p "$d" && mount -t tmpfs -o mode=0755 tmpfs "$d"; } ||
		fw_abort "cannot mount a tmpfs on $d"
done

# jd_start: a journald of our own, ready when its socket takes datagrams
jd_start() {
	local i
	/lib/systemd/systemd-journald </dev/null >>"$FW_TMP/journald.log" 2>&1 &
	JD_PID=$!
	for ((i = 0; i < 200; i++)); do
		[ -S "$JSOCK" ] && journalctl --sync 2>/dev/null && return 0
		fw_proc_done "$JD_PID" && break
		sleep 0.05
	done
	fw_abort "journald did not come up: $(tail -n 5 "$FW_TMP/journald.log")"
}

jd_stop() {
	kill -TERM "$JD_PID"
	fw_wait_pid "$JD_PID" 10
	JD_PID=
}

# jq_journal FILE MATCH...: entries of this run matching journalctl MATCHes,
# one JSON object a line, into FILE
jq_journal() {
	local out=$1
	shift
	journalctl --sync 2>/dev/null
	journalctl -o json --no-pager SYSLOG_IDENTIFIER=flightwatch "$@" \
		>"$out" 2>>"$FW_TMP/journalctl.err"
}

# jwait SECONDS FILE MATCH...: poll until an entry matches
jwait() {
	local secs=$1 out=$2 i
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		jq_journal "$out" "$@"
		[ -s "$out" ] && return 0
		sleep 0.1
	done
	return 1
}

# tracer NAME ARGS...: flightwatch run ARGS in the background
tracer() {
	FW_TRACER_NAME=$1
	shift
	FW_OUT=$FW_TMP/$FW_TRACER_NAME.out
	FW_ERR=$FW_TMP/$FW_TRACER_NAME.err
	"$FW_BIN" run "$@" </dev/null >"$FW_OUT" 2>"$FW_ERR" &
	FW_TRACER_PID=$!
	note "$FW_TRACER_NAME: flightwatch run $* (pid $FW_TRACER_PID)"
}

# wait_grep SECONDS FILE REGEX
wait_grep() {
	local i
	for ((i = 0; i < $1 * 20; i++)); do
		grep -qE "$3" "$2" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

stop_tracer() {
	kill -TERM "$FW_TRACER_PID"
	fw_wait_pid "$FW_TRACER_PID" "$FW_STOP_TIMEOUT"
	FW_TRACER_PID=
	check "$FW_TRACER_NAME: exit status after SIGTERM" -eq 0 "$FW_RC"
}

# send PORT LOG...: a process reads each LOG and sends it all to the peer;
# FW_BG gets its pid
send() {
	local port=$1 args=() f
	shift
	for f in "$@"; do
		args+=(--read read "$f")
	done
	fw_gs_bg "$FWSEND" --timeout 30 "${args[@]}" --send write \
		--to "$FW_PEER_IP4" --port "$port"
	FW_BG_PIDS+=("$FW_BG")
	fw_wait_pid "$FW_BG" 30
	[ "$FW_RC" = 0 ] || note "fwsend to port $port exited with $FW_RC"
}

fw_netns_setup
for p in "$P_A" "$P_B" "$P_C" "$P_D"; do
	fw_peer_listen tcp4 "$p"
done
fw_peer_listen tcp6 "$P_A"
fw_probe_network "$P_A" "$P_A"

WATCH=$FW_TMP/logs
mkdir -p "$WATCH"
LOG1=$WATCH/flight1.tlog
LOG2=$WATCH/flight2.ulg
fw_mklog tlog 64k "$LOG1"
fw_mklog ulog 16k "$LOG2"
SIZE1=$(fw_size "$LOG1")
SIZE2=$(fw_size "$LOG2")

# the catalog as `make install` lays it out, indexed where journalctl -x
# looks (the overlay and the tmpfs live in this namespace only)
make -s -C "$FW_ROOT" install DESTDIR="$FW_TMP/root" PREFIX=/usr \
	>"$FW_TMP/install.log" 2>&1 || fw_abort "make install failed: $(tail -n 3 "$FW_TMP/install.log")"
mount -t overlay overlay \
	-o "lowerdir=$FW_TMP/root/usr/lib/systemd/catalog:/usr/lib/systemd/catalog" \
	/usr/lib/systemd/catalog || fw_abort "cannot overlay the catalog directory"
journalctl --update-catalog 2>"$FW_TMP/catalog.err" ||
	fw_abort "journalctl --update-catalog: $(cat "$FW_TMP/catalog.err")"

jd_start

# --- journal mode: ready, an egress alert, stopped -----------------------------
tracer journal --output journal --no-default-rules --watch "$WATCH" \
	--record "$FW_TMP/journal.fwt"
TPID=$FW_TRACER_PID
if jwait "$FW_READY_TIMEOUT" "$FW_TMP/ready.json" MESSAGE_ID=$ID_READY _PID="$TPID"; then
	pass "journal: ready entry in the journal"
else
	fw_abort "no ready entry from pid $TPID: $(tail -n 5 "$FW_ERR")"
fi
R=$(head -n 1 "$FW_TMP/ready.json")
check "ready: PRIORITY info" == 6 "$(fw_get "$R" .PRIORITY)"
check "ready: MESSAGE" starts "flightwatch ready: " "$(fw_get "$R" .MESSAGE)"
check "ready: FLIGHTWATCH_HOOK lists tp_btf/sys_enter" == true \
	"$(jq '[.FLIGHTWATCH_HOOK] | flatten | index("tp_btf/sys_enter") != null' <<<"$R")"
check "ready: FLIGHTWATCH_HOOKS_ATTACHED = number of hooks" == \
	"$(jq '[.FLIGHTWATCH_HOOK] | flatten | length' <<<"$R")" \
	"$(fw_get "$R" .FLIGHTWATCH_HOOKS_ATTACHED)"
check "ready: FLIGHTWATCH_WATCHED_DIRECTORIES" == 1 \
	"$(fw_get "$R" .FLIGHTWATCH_WATCHED_DIRECTORIES)"
check "ready: no hook left out here" == null \
	"$(jq -c '.FLIGHTWATCH_HOOK_NOT_ATTACHED' <<<"$R")"

send "$P_A" "$LOG1" "$LOG2"
SENDER=$FW_BG
if jwait 10 "$FW_TMP/egress.json" MESSAGE_ID=$ID_EGRESS \
	FLIGHTWATCH_PROCESS_PID="$SENDER" FLIGHTWATCH_UPDATE=0; then
	pass "egress: alert entry in the journal"
else
	fail "egress: alert entry in the journal" "an entry for pid $SENDER" \
		"none; stderr: $(tail -n 3 "$FW_ERR")"
fi
E=$(head -n 1 "$FW_TMP/egress.json")
note "a real journal entry (journalctl -o json):"
note "$E"
check "egress: MESSAGE_ID" == "$ID_EGRESS" "$(fw_get "$E" .MESSAGE_ID)"
check "egress: PRIORITY err (severity high)" == 3 "$(fw_get "$E" .PRIORITY)"
check "egress: SYSLOG_IDENTIFIER" == flightwatch \
	"$(fw_get "$E" .SYSLOG_IDENTIFIER)"
check "egress: MESSAGE" =~ "^fwsend \\(pid $SENDER\\) sent [0-9]+ bytes to $FW_PEER_IP4:$P_A/tcp after reading flight log " \
	"$(fw_get "$E" .MESSAGE)"
check "egress: FLIGHTWATCH_ORIGIN_PATH repeated, one per origin" == \
	"$(jq -cn --arg a "$LOG1" --arg b "$LOG2" '[$a, $b] | sort')" \
	"$(jq -c '[.FLIGHTWATCH_ORIGIN_PATH] | flatten | sort' <<<"$E")"
check "egress: FLIGHTWATCH_DESTINATION_IP" == "$FW_PEER_IP4" \
	"$(fw_get "$E" .FLIGHTWATCH_DESTINATION_IP)"
check "egress: FLIGHTWATCH_DESTINATION_PORT" == "$P_A" \
	"$(fw_get "$E" .FLIGHTWATCH_DESTINATION_PORT)"
check "egress: FLIGHTWATCH_NETWORK_TRANSPORT" == tcp \
	"$(fw_get "$E" .FLIGHTWATCH_NETWORK_TRANSPORT)"
check "egress: FLIGHTWATCH_DESTINATION_BYTES > 0" -gt 0 \
	"$(fw_get "$E" .FLIGHTWATCH_DESTINATION_BYTES)"
check "egress: FLIGHTWATCH_PROCESS_EXECUTABLE" == "$FWSEND" \
	"$(fw_get "$E" .FLIGHTWATCH_PROCESS_EXECUTABLE)"
check "egress: FLIGHTWATCH_PROCESS_COMMAND_LINE" starts "$FWSEND --timeout 30" \
	"$(fw_get "$E" .FLIGHTWATCH_PROCESS_COMMAND_LINE)"
check "egress: FLIGHTWATCH_PROCESS_PARENT_PID is a number" =~ '^[0-9]+$' \
	"$(fw_get "$E" .FLIGHTWATCH_PROCESS_PARENT_PID)"
check "egress: FLIGHTWATCH_USER_ID" == 0 "$(fw_get "$E" .FLIGHTWATCH_USER_ID)"
check "egress: FLIGHTWATCH_SEVERITY" == 73 "$(fw_get "$E" .FLIGHTWATCH_SEVERITY)"
check "egress: FLIGHTWATCH_VERIFIED" == 1 "$(fw_get "$E" .FLIGHTWATCH_VERIFIED)"
check "egress: FLIGHTWATCH_EVENT_ID" =~ '^[0-9a-f]{16}-[0-9]+$' \
	"$(fw_get "$E" .FLIGHTWATCH_EVENT_ID)"
check "egress: FLIGHTWATCH_CHAIN" =~ "^$WATCH/flight[12]\\.(tlog|ulg) \\+ $WATCH/flight[12]\\.(tlog|ulg) -> fwsend\\[$SENDER\\] -> $FW_PEER_IP4:$P_A/tcp\$" \
	"$(fw_get "$E" .FLIGHTWATCH_CHAIN)"
check "egress: FLIGHTWATCH_CHAIN_JSON ends at the destination" == \
	"destination $FW_PEER_IP4 $P_A" \
	"$(jq -r '.FLIGHTWATCH_CHAIN_JSON | fromjson | last | "\(.type) \(.ip) \(.port)"' <<<"$E")"
check "egress: FLIGHTWATCH_TIMESTAMP" =~ '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T' \
	"$(fw_get "$E" .FLIGHTWATCH_TIMESTAMP)"
# the final count arrives as an update of the same event id
if jwait 10 "$FW_TMP/final.json" MESSAGE_ID=$ID_EGRESS \
	FLIGHTWATCH_PROCESS_PID="$SENDER" \
	FLIGHTWATCH_DESTINATION_BYTES="$((SIZE1 + SIZE2))"; then
	pass "egress: the final byte count ($((SIZE1 + SIZE2))) reached the journal"
else
	fail "egress: final byte count" "$((SIZE1 + SIZE2))" \
		"$(jq -r .FLIGHTWATCH_DESTINATION_BYTES "$FW_TMP/egress.json" | tr '\n' ' ')"
fi
F=$(tail -n 1 "$FW_TMP/final.json")
check "update: same FLIGHTWATCH_EVENT_ID" == "$(fw_get "$E" .FLIGHTWATCH_EVENT_ID)" \
	"$(fw_get "$F" .FLIGHTWATCH_EVENT_ID)"
check "update: FLIGHTWATCH_UPDATE=1" == 1 "$(fw_get "$F" .FLIGHTWATCH_UPDATE)"
check "update: FLIGHTWATCH_ORIGINS_JSON bytes read" == "$((SIZE1 + SIZE2))" \
	"$(jq -r '.FLIGHTWATCH_ORIGINS_JSON | fromjson | map(.bytes_read) | add' <<<"$F")"
check "update: FLIGHTWATCH_BYTES_READ" == "$((SIZE1 + SIZE2))" \
	"$(fw_get "$F" .FLIGHTWATCH_BYTES_READ)"

# the catalog explains the entry
journalctl -x --no-pager MESSAGE_ID=$ID_EGRESS FLIGHTWATCH_PROCESS_PID="$SENDER" \
	>"$FW_TMP/explained.txt" 2>&1
X=$(cat "$FW_TMP/explained.txt")
check "catalog: journalctl -x shows the subject" contains \
	"Flight-log data left the host" "$X"
check "catalog: journalctl -x says what to do" contains "What to do" "$X"
check "catalog: @MESSAGE@ filled in" contains "fwsend (pid $SENDER) sent" "$X"
# every MESSAGE_ID the sink sends has its catalog entry
journalctl --list-catalog >"$FW_TMP/catalog.txt" 2>/dev/null
missing=
n_ids=0
for id in $(sed -n 's/^#define FW_MSGID_[A-Z_]* "\([0-9a-f]*\)".*/\1/p' \
	"$FW_ROOT/user/sink/journal_entry.h"); do
	n_ids=$((n_ids + 1))
	grep -q "^$id " "$FW_TMP/catalog.txt" || missing+=" $id"
done
check "catalog: MESSAGE_IDs defined by the sink" -ge 6 "$n_ids"
check "catalog: an entry for each of them" == "" "$missing"

check "journal mode: nothing on stderr" == "" "$(cat "$FW_ERR")"
check "journal mode: nothing on stdout" == "" "$(cat "$FW_OUT")"

# --- journald goes away while the tracer runs ----------------------------------
jd_stop
send "$P_B" "$LOG1"
FIRST=$FW_BG
send "$P_C" "$LOG2"
SECOND=$FW_BG
if wait_grep 10 "$FW_ERR" "ALERT .*\\(pid $SECOND\\) sent"; then
	pass "fallback: the alerts appear on stderr at once"
else
	fail "fallback: alerts on stderr" "ALERT lines for $FIRST and $SECOND" \
		"$(tail -n 5 "$FW_ERR")"
fi
check "fallback: stderr has the first alert" contains "(pid $FIRST) sent" \
	"$(cat "$FW_ERR")"
check "fallback: the tracer says journald is unavailable" contains \
	"flightwatch: warning: journald unavailable (Connection refused)" \
	"$(grep journald "$FW_ERR")"
jq_journal "$FW_TMP/absent.json" FLIGHTWATCH_PROCESS_PID="$FIRST"
check "fallback: nothing in the journal while it is down" == "" \
	"$(cat "$FW_TMP/absent.json")"

jd_start
if jwait 10 "$FW_TMP/resent.json" MESSAGE_ID=$ID_EGRESS \
	FLIGHTWATCH_PROCESS_PID="$SECOND"; then
	pass "resend: the spooled alerts reach journald once it is back"
else
	fail "resend: spooled alerts in the journal" "an entry for pid $SECOND" \
		"none; stderr: $(tail -n 3 "$FW_ERR")"
fi
jq_journal "$FW_TMP/both.json" MESSAGE_ID=$ID_EGRESS \
	FLIGHTWATCH_PROCESS_PID="$FIRST" + MESSAGE_ID=$ID_EGRESS \
	FLIGHTWATCH_PROCESS_PID="$SECOND"
check "resend: in order (first sender's alert before the second's)" == \
	"$FIRST $SECOND" \
	"$(jq -r '.FLIGHTWATCH_PROCESS_PID' "$FW_TMP/both.json" | uniq | tr '\n' ' ' | sed 's/ $//')"
check "resend: marked FLIGHTWATCH_SPOOLED=1" == 1 \
	"$(jq -r '.FLIGHTWATCH_SPOOLED' "$FW_TMP/both.json" | sort -u | tr '\n' ' ' | sed 's/ $//')"
check "resend: the destination port survived" == "$P_B" \
	"$(jq -r 'select(.FLIGHTWATCH_PROCESS_PID == "'"$FIRST"'") | .FLIGHTWATCH_DESTINATION_PORT' "$FW_TMP/both.json" | head -n 1)"
check "resend: the tracer says so" =~ \
	"^flightwatch: warning: journald is back: [1-9][0-9]* spooled entries re-sent\$" \
	"$(grep 'journald is back' "$FW_ERR")"

# a new alert goes straight to the journal again
send "$P_D" "$LOG1"
AFTER=$FW_BG
if jwait 10 "$FW_TMP/after.json" MESSAGE_ID=$ID_EGRESS \
	FLIGHTWATCH_PROCESS_PID="$AFTER"; then
	pass "after the outage: a new alert goes to the journal"
else
	fail "after the outage: new alert in the journal" "pid $AFTER" "none"
fi
check "after the outage: not spooled" == null \
	"$(head -n 1 "$FW_TMP/after.json" | jq -c .FLIGHTWATCH_SPOOLED)"
check "after the outage: not on stderr" !contains "(pid $AFTER)" \
	"$(cat "$FW_ERR")"

stop_tracer
jq_journal "$FW_TMP/stopped.json" MESSAGE_ID=$ID_STOPPED _PID="$TPID"
S=$(head -n 1 "$FW_TMP/stopped.json")
check "stopped: entry in the journal" starts "flightwatch stopped: " \
	"$(fw_get "$S" .MESSAGE)"
check "stopped: FLIGHTWATCH_STATS_ALERTS >= 4" -ge 4 \
	"$(fw_get "$S" .FLIGHTWATCH_STATS_ALERTS)"
check "stopped: FLIGHTWATCH_STATS_LOST" == 0 "$(fw_get "$S" .FLIGHTWATCH_STATS_LOST)"

# --- replay into the journal ----------------------------------------------------
"$FW_BIN" replay --output journal "$FW_TMP/journal.fwt" </dev/null \
	>"$FW_TMP/replay.out" 2>"$FW_TMP/replay.err" &
RPID=$!
fw_wait_pid "$RPID" 30
check "replay --output journal: exit status" -eq 0 "$FW_RC"
jq_journal "$FW_TMP/replayed.json" MESSAGE_ID=$ID_EGRESS _PID="$RPID" \
	FLIGHTWATCH_PROCESS_PID="$SENDER" FLIGHTWATCH_UPDATE=0
check "replay --output journal: the recorded alert, same event id" == \
	"$(fw_get "$E" .FLIGHTWATCH_EVENT_ID)" \
	"$(head -n 1 "$FW_TMP/replayed.json" | jq -r .FLIGHTWATCH_EVENT_ID)"
check "replay --output journal: the recorded time" == \
	"$(fw_get "$E" .FLIGHTWATCH_TIMESTAMP)" \
	"$(head -n 1 "$FW_TMP/replayed.json" | jq -r .FLIGHTWATCH_TIMESTAMP)"
check "replay --output journal: nothing on stdout" == "" \
	"$(cat "$FW_TMP/replay.out")"

# --- 5,000 alerts through a 30 s journald outage -------------------------------
# One process reads a flight log, then sends a datagram to each of N ports
# of the peer: N flows, N alerts, all raised while journald is away. When
# it is back, every one must reach the journal, complete and in the order
# raised, at journald's pace, and the final statistics after them.
N_ALERTS=${FW_OUTAGE_ALERTS:-5000}
OUTAGE_S=${FW_OUTAGE_SECONDS:-30}
# udp_burst PORT0 N: fw_gs_bg the sender (FW_BG its pid)
udp_burst() {
	# shellcheck disable=SC2016 # python, not shell
	fw_gs_bg python3 -c '
import socket, sys, time
data = open(sys.argv[1], "rb").read(64)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[4])):
    s.sendto(data, (sys.argv[2], int(sys.argv[3]) + i))
    if i % 100 == 99:
        time.sleep(0.01)
time.sleep(1)
' "$LOG1" "$FW_PEER_IP4" "$1" "$2"
	FW_BG_PIDS+=("$FW_BG")
}
# raised FILE PID: the destination ports of PID's alerts printed on stderr
raised() {
	sed -n "s/^.*ALERT.* (pid $2) sent [0-9]* bytes to $FW_PEER_IP4:\([0-9]*\)\/udp .*\$/\1/p" "$1"
}
# n_raised FILE PID N: at least N first alerts for PID on stderr
# shellcheck disable=SC2317 # called through fw_wait_for
n_raised() {
	[ "$(raised "$1" "$2" | sort -u | wc -l)" -ge "$3" ]
}
# arrived PID N: at least N first alerts for PID in the journal
# shellcheck disable=SC2317 # called through fw_wait_for
arrived() {
	journalctl --sync 2>/dev/null
	[ "$(journalctl -o cat --output-fields=MESSAGE --no-pager \
		MESSAGE_ID="$ID_EGRESS" FLIGHTWATCH_PROCESS_PID="$1" \
		FLIGHTWATCH_UPDATE=0 2>/dev/null | wc -l)" -ge "$2" ]
}

tracer outage --output journal --no-default-rules --watch "$WATCH"
OPID=$FW_TRACER_PID
jwait "$FW_READY_TIMEOUT" "$FW_TMP/outage-ready.json" MESSAGE_ID=$ID_READY \
	_PID="$OPID" || fw_abort "outage: no ready entry from $OPID"
jd_stop
T_DOWN=$(fw_now_ms)
udp_burst 20000 "$N_ALERTS"
FLOOD=$FW_BG
fw_wait_pid "$FLOOD" 60
check "outage: the sender ran" -eq 0 "$FW_RC"
fw_wait_for 60 n_raised "$FW_ERR" "$FLOOD" "$N_ALERTS"
RAISED=$(raised "$FW_ERR" "$FLOOD" | sort -u | wc -l)
check "outage: $N_ALERTS alerts raised while journald is away" -eq \
	"$N_ALERTS" "$RAISED"
check "outage: the spool is on disk, mode 600" == 600 \
	"$(stat -c %a "$SPOOL" 2>&1)"
SPOOL_BYTES=$(stat -c %s "$SPOOL" 2>/dev/null || echo 0)
check "outage: the spool holds them ($SPOOL_BYTES bytes)" -gt \
	$((N_ALERTS * 1000)) "$SPOOL_BYTES"
# the outage lasts OUTAGE_S seconds in all
while (($(fw_now_ms) - T_DOWN < OUTAGE_S * 1000)); do
	sleep 0.5
done
check "outage: still running after ${OUTAGE_S} s without journald" == alive \
	"$(fw_proc_done "$OPID" && echo gone || echo alive)"
jd_start
T_UP=$(fw_now_ms)
fw_wait_for 120 arrived "$FLOOD" "$N_ALERTS"
T_DRAINED=$(fw_now_ms)
jq_journal "$FW_TMP/outage.json" MESSAGE_ID=$ID_EGRESS \
	FLIGHTWATCH_PROCESS_PID="$FLOOD" FLIGHTWATCH_UPDATE=0
ARRIVED=$(jq -r .FLIGHTWATCH_DESTINATION_PORT "$FW_TMP/outage.json" |
	sort -u | wc -l)
check "outage: all $N_ALERTS alerts arrived" -eq "$N_ALERTS" "$ARRIVED"
check "outage: each once" -eq "$N_ALERTS" \
	"$(wc -l <"$FW_TMP/outage.json")"
# in the order raised: the journal's order of ports is stderr's
raised "$FW_ERR" "$FLOOD" >"$FW_TMP/order-raised.txt"
jq -r .FLIGHTWATCH_DESTINATION_PORT "$FW_TMP/outage.json" \
	>"$FW_TMP/order-journal.txt"
if cmp -s "$FW_TMP/order-raised.txt" "$FW_TMP/order-journal.txt"; then
	pass "outage: in the order raised"
else
	fail "outage: in the order raised" "the ports in stderr's order" \
		"$(diff "$FW_TMP/order-raised.txt" "$FW_TMP/order-journal.txt" | head -n 5)"
fi
check "outage: event ids increase in journal order" == "" \
	"$(jq -r '.FLIGHTWATCH_EVENT_ID | sub(".*-"; "")' "$FW_TMP/outage.json" |
		awk 'NR > 1 && $1 <= last { print NR": "$1" after "last; exit }
			{ last = $1 }')"
# complete: every field an alert has, as journald got it
check "outage: every entry complete" == "$N_ALERTS" \
	"$(jq -r --arg log "$LOG1" --arg ip "$FW_PEER_IP4" --arg pid "$OPID" \
		'select(.FLIGHTWATCH_SPOOLED == "1" and
			.FLIGHTWATCH_COLLECTOR_PID == $pid and
			.FLIGHTWATCH_ORIGIN_PATH == $log and
			.FLIGHTWATCH_DESTINATION_IP == $ip and
			.FLIGHTWATCH_NETWORK_TRANSPORT == "udp" and
			(.FLIGHTWATCH_CHAIN | endswith("/udp")) and
			(.FLIGHTWATCH_EVENT_ID | test("^[0-9a-f]{16}-[0-9]+$")) and
			(.MESSAGE | startswith("python3 (pid ")) and
			.PRIORITY == "3") | 1' "$FW_TMP/outage.json" | wc -l)"
check "outage: the tracer says journald is back" =~ \
	"journald is back: [0-9]+ spooled entries re-sent" "$(cat "$FW_ERR")"
stop_tracer
jq_journal "$FW_TMP/outage-stopped.json" MESSAGE_ID=$ID_STOPPED _PID="$OPID"
check "outage: the final statistics reached the journal" -ge "$N_ALERTS" \
	"$(head -n 1 "$FW_TMP/outage-stopped.json" | jq -r '.FLIGHTWATCH_STATS_ALERTS // 0')"
check "outage: nothing left in the spool (its header only)" -eq 32 \
	"$(stat -c %s "$SPOOL" 2>&1)"
check "outage: no entry refused by the spool" !contains "spool full" \
	"$(cat "$FW_ERR")"
note "outage figures: raised $RAISED, arrived $ARRIVED (in order), outage ${OUTAGE_S} s, drained $((T_DRAINED - T_UP)) ms after journald came back, spool ${SPOOL_BYTES} bytes"

# --- a spool left by a tracer killed during an outage -----------------------------
# killed: SIGKILL while journald is away, 100 alerts spooled; second: starts
# and stops (SIGTERM) while journald is still away, adding its own ready
# and statistics entries; third: journald is back, it sends them all
# first, in order, then its own ready entry.
tracer killed --output journal --no-default-rules --watch "$WATCH"
KPID=$FW_TRACER_PID
jwait "$FW_READY_TIMEOUT" "$FW_TMP/killed-ready.json" MESSAGE_ID=$ID_READY \
	_PID="$KPID" || fw_abort "killed: no ready entry from $KPID"
jd_stop
udp_burst 30000 100
KSENDER=$FW_BG
fw_wait_pid "$KSENDER" 30
fw_wait_for 30 n_raised "$FW_ERR" "$KSENDER" 100
raised "$FW_ERR" "$KSENDER" >"$FW_TMP/killed-raised.txt"
kill -KILL "$KPID"
fw_wait_pid "$KPID" 10
FW_TRACER_PID=
check "killed: 100 alerts raised, then SIGKILL" -eq 100 \
	"$(sort -u "$FW_TMP/killed-raised.txt" | wc -l)"
tracer second --output journal --no-default-rules --watch "$WATCH"
SPID=$FW_TRACER_PID
wait_grep "$FW_READY_TIMEOUT" "$FW_ERR" '^flightwatch ready: ' ||
	fail "second: ready on stderr (journald away)" "a ready line" \
		"$(tail -n 3 "$FW_ERR")"
check "second: finds the earlier run's spool" =~ \
	"warning: 1[0-9][0-9] journald entries an earlier run could not send are sent first" \
	"$(cat "$FW_ERR")"
stop_tracer
check "second: keeps it, with its own entries, for the next start" =~ \
	"warning: [0-9]+ entries not yet in the journal are kept for the next start" \
	"$(cat "$FW_ERR")"
jd_start
tracer third --output journal --no-default-rules --watch "$WATCH"
TPID3=$FW_TRACER_PID
# its own ready entry, not the second run's that it re-sent (the same
# MESSAGE_ID and _PID): FLIGHTWATCH_COLLECTOR_PID names who raised each
third_ready() {
	jq_journal "$FW_TMP/third.json" _PID="$TPID3"
	[ -n "$(jq -c --arg p "$TPID3" 'select((.FLIGHTWATCH_COLLECTOR_PID //
		$p) == $p and .MESSAGE_ID == "'$ID_READY'")' \
		"$FW_TMP/third.json")" ]
}
fw_wait_for "$FW_READY_TIMEOUT" third_ready ||
	fail "third: ready entry" "an entry" "$(tail -n 3 "$FW_ERR")"

check "third: the killed tracer's alerts, all, in order" == \
	"$(tr '\n' ' ' <"$FW_TMP/killed-raised.txt")" \
	"$(jq -r --arg p "$KPID" 'select(.FLIGHTWATCH_COLLECTOR_PID == $p and
		.MESSAGE_ID == "'$ID_EGRESS'" and .FLIGHTWATCH_UPDATE == "0") |
		.FLIGHTWATCH_DESTINATION_PORT' "$FW_TMP/third.json" | tr '\n' ' ')"
# who raised each entry, in journal order, runs of one collector: first
# the killed one, then the second (ready, stopped), then the third
check "third: the collectors' entries in order" == "$KPID $SPID $TPID3" \
	"$(jq -r '.FLIGHTWATCH_COLLECTOR_PID // "'"$TPID3"'"' "$FW_TMP/third.json" |
		uniq | tr '\n' ' ' | sed 's/ $//')"
check "third: the second run's ready and stopped entries arrived" == \
	"$ID_READY $ID_STOPPED" \
	"$(jq -r --arg p "$SPID" 'select(.FLIGHTWATCH_COLLECTOR_PID == $p) |
		.MESSAGE_ID' "$FW_TMP/third.json" | tr '\n' ' ' | sed 's/ $//')"
stop_tracer

# --- journald there but reading nothing ----------------------------------------
# SIGSTOP: its socket exists and its queue (net.unix.max_dgram_qlen
# datagrams) fills; entries wait in the spool, and after 5 s without
# progress new ones show on stderr too. SIGCONT: all of them arrive.
tracer stuck --output journal --no-default-rules --watch "$WATCH"
jwait "$FW_READY_TIMEOUT" "$FW_TMP/stuck-ready.json" MESSAGE_ID=$ID_READY \
	_PID="$FW_TRACER_PID" || fw_abort "stuck: no ready entry"
kill -STOP "$JD_PID"
udp_burst 40000 100
STUCK1=$FW_BG
fw_wait_pid "$STUCK1" 30
if wait_grep 15 "$FW_ERR" "journald took no entry for 5 s"; then
	pass "stuck: the tracer says journald takes nothing"
else
	fail "stuck: the tracer says journald takes nothing" "a warning" \
		"$(tail -n 3 "$FW_ERR")"
fi
udp_burst 41000 1
STUCK2=$FW_BG
fw_wait_pid "$STUCK2" 30
if wait_grep 10 "$FW_ERR" "ALERT .*\\(pid $STUCK2\\) sent"; then
	pass "stuck: a new alert shows on stderr meanwhile"
else
	fail "stuck: a new alert on stderr" "an ALERT line" "$(tail -n 3 "$FW_ERR")"
fi
kill -CONT "$JD_PID"
fw_wait_for 60 arrived "$STUCK1" 100
fw_wait_for 30 arrived "$STUCK2" 1
jq_journal "$FW_TMP/stuck.json" MESSAGE_ID=$ID_EGRESS FLIGHTWATCH_UPDATE=0 \
	FLIGHTWATCH_PROCESS_PID="$STUCK1" + MESSAGE_ID=$ID_EGRESS \
	FLIGHTWATCH_UPDATE=0 FLIGHTWATCH_PROCESS_PID="$STUCK2"
check "stuck: all 101 alerts arrived once journald reads again" == 101 \
	"$(jq -r '"\(.FLIGHTWATCH_PROCESS_PID) \(.FLIGHTWATCH_DESTINATION_PORT)"' \
		"$FW_TMP/stuck.json" | sort -u | wc -l)"
check "stuck: in order (event ids rise)" == "" \
	"$(jq -r '.FLIGHTWATCH_EVENT_ID | sub(".*-"; "")' "$FW_TMP/stuck.json" |
		awk 'NR > 1 && $1 <= last { print NR": "$1" after "last; exit }
			{ last = $1 }')"
check "stuck: then the tracer says journald is back" contains \
	"journald is back" "$(cat "$FW_ERR")"
stop_tracer

# --- --output auto ------------------------------------------------------------
tracer auto-journal --no-default-rules --watch "$WATCH"
if jwait "$FW_READY_TIMEOUT" "$FW_TMP/auto.json" MESSAGE_ID=$ID_READY \
	_PID="$FW_TRACER_PID"; then
	pass "auto with the socket: the ready entry goes to the journal"
else
	fail "auto with the socket: ready in the journal" "an entry" \
		"none; stderr: $(tail -n 3 "$FW_ERR")"
fi
stop_tracer
check "auto with the socket: stderr silent" == "" "$(cat "$FW_ERR")"

# a person at a terminal: the journal gets the entries and the terminal
# shows them too (script(1) gives the tracer a pseudo-terminal)
if command -v script >/dev/null; then
	printf -v cmd 'exec %q run --no-default-rules --watch %q' \
		"$FW_BIN" "$WATCH"
	script -qfec "$cmd" "$FW_TMP/tty.txt" </dev/null >/dev/null 2>&1 &
	SCRIPT_PID=$!
	FW_BG_PIDS+=("$SCRIPT_PID")
	TTY_PID=
	for ((i = 0; i < 100; i++)); do
		TTY_PID=$(pgrep -P "$SCRIPT_PID" -x flightwatch)
		[ -n "$TTY_PID" ] && break
		sleep 0.05
	done
	if [ -n "$TTY_PID" ] && jwait "$FW_READY_TIMEOUT" "$FW_TMP/tty.json" \
		MESSAGE_ID=$ID_READY _PID="$TTY_PID"; then
		pass "terminal: the ready entry goes to the journal"
	else
		fail "terminal: ready in the journal" "an entry" "none"
	fi
	wait_grep 5 "$FW_TMP/tty.txt" '^flightwatch ready: '
	check "terminal: and the ready line shows on the terminal" contains \
		"flightwatch ready: " "$(cat "$FW_TMP/tty.txt")"
	[ -n "$TTY_PID" ] && kill -TERM "$TTY_PID"
	fw_wait_pid "$SCRIPT_PID" "$FW_STOP_TIMEOUT"
	check "terminal: the stopped line shows on the terminal" contains \
		"flightwatch stopped: " "$(cat "$FW_TMP/tty.txt")"
else
	skip "terminal: echo on a terminal" "script(1) is not installed"
fi

jd_stop
# an empty /run/systemd: no journal socket, whatever the host has
mount -t tmpfs -o mode=0755 tmpfs /run/systemd ||
	fw_abort "cannot mount a tmpfs on /run/systemd"
tracer auto-text --no-default-rules --watch "$WATCH"
if wait_grep "$FW_READY_TIMEOUT" "$FW_ERR" '^flightwatch ready: '; then
	pass "auto without the socket: the ready line on stderr (text)"
	send "$P_A" "$LOG1"
	TEXT_SENDER=$FW_BG
	if wait_grep 10 "$FW_OUT" "ALERT .*\\(pid $TEXT_SENDER\\) sent"; then
		pass "auto without the socket: the alert as text"
	else
		fail "auto without the socket: the alert as text" \
			"an ALERT line" "$(tail -n 3 "$FW_OUT")"
	fi
else
	fail "auto without the socket: ready on stderr" "a ready line" \
		"$(tail -n 3 "$FW_ERR")"
fi
stop_tracer
check "auto without the socket: no journald complaint" !contains \
	"journald" "$(cat "$FW_ERR")"

fw_finish
