#!/bin/bash
# Flight logs found by name, outside any watched directory: the built-in
# patterns (tracer run WITHOUT --no-default-rules) and a --pattern added on
# the command line; content grading (severity 73 for a verified log, 47
# for a look-alike name with other content); a log under a name no pattern
# matches does not alert.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_TCP4=9020
P_TCP6=9021

fw_init
fw_netns_setup
fw_peer_listen tcp4 "$P_TCP4"
fw_peer_listen tcp6 "$P_TCP6"
fw_probe_network "$P_TCP4" "$P_TCP6"

DIR=$FW_TMP/misc/2026-11-21
mkdir -p "$DIR"

# name -> TYPE:expected content ("" = not checked)
declare -A FILES=(
	[log_7_2026-11-21.ulg]=ulog:ulog
	["2026-11-21 22-33-41.tlog"]=tlog:tlog
	[mav.tlog.raw]=tlog:
	[FlightDataQx81Zt.mavlink]=tlog:
	[log_3_2026-11-21.px4log]=ulog:
	["DJIFlightRecord_2026-11-21_[22-33-41].txt"]=dji-txt:dji-txt
	[FLY042.DAT]=dji-dat:dji-dat
	[fwtest_0042.bin]=dataflash:dataflash
)
LOOKALIKE=$DIR/log_8_2026-11-21.ulg
UNMATCHED=$DIR/flight-notes.data

for name in "${!FILES[@]}"; do
	fw_mklog "${FILES[$name]%%:*}" 64k "$DIR/$name"
done
fw_mklog text 64k "$LOOKALIKE"
fw_mklog tlog 64k "$UNMATCHED"

fw_tracer_start patterns --pattern 'fwtest_*.bin' ||
	fw_abort "tracer did not start"

declare -A PID
SPECS=()

# run NAME FILE: read FILE, send it over TCP
run() {
	fw_gs_bg "$FWSEND" --timeout 30 --read read "$2" --send write \
		--to "$FW_PEER_IP4" --port "$P_TCP4"
	PID[$1]=$FW_BG
	fw_wait_pid "$FW_BG" 40
	check "$1: fwsend exit status" -eq 0 "$FW_RC"
}

run unmatched "$UNMATCHED"
for name in "${!FILES[@]}"; do
	run "$name" "$DIR/$name"
	SPECS+=("${PID[$name]}:$(fw_size "$DIR/$name")")
done
run lookalike "$LOOKALIKE"
SPECS+=("${PID[lookalike]}:$(fw_size "$LOOKALIKE")")
# the same ULog over IPv6
fw_gs_bg "$FWSEND" --timeout 30 --read preadv "$DIR/log_7_2026-11-21.ulg" \
	--send sendmsg --to "$FW_PEER_IP6" --port "$P_TCP6"
PID[ulg6]=$FW_BG
fw_wait_pid "$FW_BG" 40
check "ulg6: fwsend exit status" -eq 0 "$FW_RC"
SPECS+=("${PID[ulg6]}:$(fw_size "$DIR/log_7_2026-11-21.ulg")")

fw_wait_alerts 15 "${SPECS[@]}" ||
	note "not every expected alert reached its size within 15 s"
fw_tracer_stop INT

for name in "${!FILES[@]}"; do
	path=$DIR/$name
	content=${FILES[$name]#*:}
	if fw_expect_flow "$name" "${PID[$name]}" "$FW_PEER_IP4" "$P_TCP4" \
		tcp ipv4 "$(fw_size "$path")" "$path"; then
		a=$(fw_last_alert "${PID[$name]}")
		check "$name: origins[0].match" == pattern \
			"$(fw_get "$a" '.flightwatch.origins[0].match')"
		if [ -n "$content" ]; then
			check "$name: origins[0].content" == "$content" \
				"$(fw_get "$a" '.flightwatch.origins[0].content')"
			check "$name: event.severity (verified content)" -eq 73 \
				"$(fw_get "$a" .event.severity)"
		fi
	fi
done

path=$DIR/log_7_2026-11-21.ulg
if fw_expect_flow ulg6 "${PID[ulg6]}" "$FW_PEER_IP6" "$P_TCP6" tcp ipv6 \
	"$(fw_size "$path")" "$path"; then
	check "ulg6: origins[0].content" == ulog \
		"$(fw_get "$(fw_last_alert "${PID[ulg6]}")" \
			'.flightwatch.origins[0].content')"
fi

if fw_expect_flow lookalike "${PID[lookalike]}" "$FW_PEER_IP4" "$P_TCP4" \
	tcp ipv4 "$(fw_size "$LOOKALIKE")" "$LOOKALIKE"; then
	a=$(fw_last_alert "${PID[lookalike]}")
	check "lookalike: origins[0].match" == pattern \
		"$(fw_get "$a" '.flightwatch.origins[0].match')"
	check "lookalike: origins[0].content" == none \
		"$(fw_get "$a" '.flightwatch.origins[0].content')"
	check "lookalike: event.severity (unverified content)" -eq 47 \
		"$(fw_get "$a" .event.severity)"
fi

fw_expect_no_alert "a tlog named flight-notes.data (no pattern)" \
	"${PID[unmatched]}"

fw_finish
