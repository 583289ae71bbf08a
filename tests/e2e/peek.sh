#!/bin/bash
# Data taken out of another process's memory: a process that read a flight
# log holds it in its heap; another process reads that memory with
# process_vm_readv or ptrace (PTRACE_ATTACH + PEEKDATA, as a debugger) and
# uploads it. The upload alerts, named after the peeking process, with the
# log as its origin and the holder in its chain. Benign twins: the same
# peeks into a process holding no flight-log data stay quiet. And a
# tainted process that opens a packet socket (AF_PACKET, whose frames are
# not followed) is an alert by itself; an untainted one's is not.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_VM=9311
P_PTRACE=9312
P_B_VM=9313
P_B_PTRACE=9314
P_PROBE6=9315
FWPEEK=$FW_HELPERS/fwpeek
PY=/usr/bin/python3

fw_init
fw_peers "$P_VM" "$P_PROBE6"
for port in "$P_PTRACE" "$P_B_VM" "$P_B_PTRACE"; do
	fw_peer_listen tcp4 "$port"
done
[ -x "$FWPEEK" ] || fw_abort "no $FWPEEK (run tests/run.sh)"

WATCH=$FW_TMP/Telemetry
mkdir -p "$WATCH"
LOG=$WATCH/flight.tlog
fw_mklog tlog 32k "$LOG"
PLAIN=$FW_TMP/plain.bin
head -c 32768 /dev/urandom >"$PLAIN"

# A holder: reads FILE into its heap (malloc'd by fwsend), then waits
declare -A HOLDER
holder() {
	local name=$1 file=$2
	fw_gs_bg "$FWSEND" --timeout 120 --read read "$file" \
		--touch "$FW_TMP/held-$name" --wait-file "$FW_TMP/free-$name" \
		--send none
	HOLDER[$name]=$FW_BG
	FW_BG_PIDS+=("$FW_BG")
	fw_wait_file "$FW_TMP/held-$name" 20 ||
		fail "$name: holder read its file" "$FW_TMP/held-$name" none
}

fw_tracer_start peek --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"

holder tainted "$LOG"
holder plain "$PLAIN"
fw_sc vm "$FWPEEK" vm "${HOLDER[tainted]}" "$FW_PEER_IP4" "$P_VM"
fw_sc ptrace "$FWPEEK" ptrace "${HOLDER[tainted]}" "$FW_PEER_IP4" "$P_PTRACE"
fw_sc b-vm "$FWPEEK" vm "${HOLDER[plain]}" "$FW_PEER_IP4" "$P_B_VM"
fw_sc b-ptrace "$FWPEEK" ptrace "${HOLDER[plain]}" "$FW_PEER_IP4" \
	"$P_B_PTRACE"

# packet sockets: opened by a process that read the log, and by one that
# did not (no frame is sent: opening it is the alert)
cat >"$FW_TMP/packet.py" <<'EOF'
import socket, sys
if sys.argv[1] != "-":
    open(sys.argv[1], "rb").read()
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.close()
EOF
fw_sc packet "$PY" "$FW_TMP/packet.py" "$LOG"
fw_sc b-packet "$PY" "$FW_TMP/packet.py" -

fw_wait_alerts 10 "${FW_PIDS[vm]}:1" "${FW_PIDS[ptrace]}:1" ||
	note "not every peeker's alert within 10 s"
touch "$FW_TMP/free-tainted" "$FW_TMP/free-plain"
fw_tracer_stop

for how in vm ptrace; do
	a=$(fw_last_alert "${FW_PIDS[$how]}")
	check "$how: the peeker's upload alerts" != "" "$a" || continue
	check "$how: process.name" == fwpeek "$(fw_get "$a" .process.name)"
	check "$how: file.path (the holder's log)" == "$LOG" \
		"$(fw_get "$a" .file.path)"
	check "$how: the holder is in the chain" == "${HOLDER[tainted]}" \
		"$(jq -r '[.flightwatch.chain[]? | select(.pid != null) | .pid][0] // empty' <<<"$a")"
	check "$how: destination.bytes" -gt 0 "$(fw_get "$a" .destination.bytes)"
done
fw_expect_no_alert "b-vm: peek of a process holding no flight log" \
	"${FW_PIDS[b-vm]}"
fw_expect_no_alert "b-ptrace: peek of a process holding no flight log" \
	"${FW_PIDS[b-ptrace]}"

a=$(fw_json | jq -c --arg pid "${FW_PIDS[packet]}" 'select(.event.kind ==
	"alert" and .event.action == "flightlog-packet-socket" and
	(.process.pid | tostring) == $pid)' | head -n 1)
check "packet: a tainted process's packet socket alerts" != "" "$a"
check "packet: its origin" == "$LOG" "$(fw_get "$a" .file.path)"
fw_expect_no_alert "b-packet: an untainted process's packet socket" \
	"${FW_PIDS[b-packet]}"

fw_finish
