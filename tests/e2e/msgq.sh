#!/bin/bash
# Data handed over through a System V message queue (msgsnd, msgrcv): a
# sender reads a flight log and puts it into a queue in 4 KiB messages; a
# receiver that never opened the log takes them and uploads them
# (tests/helpers/fwmsgq.c). Both orders: the messages queued before the
# receiver starts, and a receiver already blocked in msgrcv, to which the
# kernel hands each message directly. Each upload alerts with the log as
# origin and the queue in the chain; the same pair moving a file that is
# not a log stays quiet.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_PROBE4=9451
P_PROBE6=9452
P_QUEUED=9453
P_WAITING=9454
P_BENIGN=9455
FWMSGQ=$FW_HELPERS/fwmsgq

fw_init
fw_peers "$P_PROBE4" "$P_PROBE6"
[ -x "$FWMSGQ" ] || fw_abort "no $FWMSGQ (run tests/run.sh)"
for port in "$P_QUEUED" "$P_WAITING" "$P_BENIGN"; do
	fw_peer_listen tcp4 "$port"
done

WATCH=$FW_TMP/Telemetry
mkdir -p "$WATCH"
LOG=$WATCH/flight.tlog
# (small enough that every message fits in a queue: msgmnb is 16 KiB by
# default)
fw_mklog tlog 12k "$LOG"
SIZE=$(fw_size "$LOG")
PLAIN=$FW_TMP/plain.bin
head -c "$SIZE" /dev/urandom >"$PLAIN"
# queue keys of this run only
K_QUEUED=$((($$ << 8) + 1))
K_WAITING=$((($$ << 8) + 2))
K_BENIGN=$((($$ << 8) + 3))

fw_tracer_start msgq --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"

# queued: every message is in the queue before the receiver starts
fw_sc q-send "$FWMSGQ" send --key "$K_QUEUED" "$LOG"
fw_sc queued "$FWMSGQ" recv --key "$K_QUEUED" --bytes "$SIZE" \
	--to "$FW_PEER_IP4" --port "$P_QUEUED"
# waiting: the receiver blocks in msgrcv before the sender reads the log
fw_gs_bg "$FWMSGQ" recv --key "$K_WAITING" --bytes "$SIZE" \
	--to "$FW_PEER_IP4" --port "$P_WAITING" >"$FW_TMP/sc-waiting.err" 2>&1
FW_PIDS[waiting]=$FW_BG
sleep 0.5
fw_sc w-send "$FWMSGQ" send --key "$K_WAITING" "$LOG"
fw_wait_pid "${FW_PIDS[waiting]}" 30
check "waiting: scenario exit status" -eq 0 "$FW_RC"
# benign twin: the same pair on a file that is not a log
fw_sc b-send "$FWMSGQ" send --key "$K_BENIGN" "$PLAIN"
fw_sc benign "$FWMSGQ" recv --key "$K_BENIGN" --bytes "$SIZE" \
	--to "$FW_PEER_IP4" --port "$P_BENIGN"

fw_wait_alerts 15 "${FW_PIDS[queued]}:$SIZE" "${FW_PIDS[waiting]}:$SIZE" ||
	note "not every alert reached $SIZE bytes"
fw_tracer_stop

for name in queued waiting; do
	port=P_${name^^}
	fw_expect_flow "$name" "${FW_PIDS[$name]}" "$FW_PEER_IP4" \
		"${!port}" tcp ipv4 "$SIZE" "$LOG"
	a=$(fw_last_alert "${FW_PIDS[$name]}" "${!port}")
	check "$name: the chain passes the queue" == \
		"origin,process,msg_queue,process,destination" \
		"$(fw_get "$a" '[.flightwatch.chain[].type] | join(",")')"
	check "$name: the queue's node names it" =~ '^msgqueue:\[[0-9]+\]$' \
		"$(fw_get "$a" '.flightwatch.chain[2].name')"
	check "$name: the sender is the chain's first process" -eq \
		"${FW_PIDS[${name:0:1}-send]}" \
		"$(fw_get "$a" '.flightwatch.chain[1].pid')"
done
check "benign: a queue of untainted data: no alert" == "" \
	"$(fw_alerts "${FW_PIDS[benign]}")"
check "stats: lost" -eq 0 "$(fw_get "$(fw_stats)" .lost)"
fw_finish
