#!/bin/bash
# The in-kernel filter: with nothing to watch (--no-default-rules and an
# empty watched directory), thousands of reads of an unwatched file and
# thousands of untainted TCP and UDP sends must not reach the ring buffer:
# the final stats show file_read, connect and send all 0, and no alert.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_TCP4=9030
P_TCP6=9031
P_UDP4=9032

fw_init
fw_netns_setup
fw_peer_listen tcp4 "$P_TCP4"
fw_peer_listen tcp6 "$P_TCP6"
fw_peer_listen udp4 "$P_UDP4"
fw_probe_network "$P_TCP4" "$P_TCP6"

EMPTY=$FW_TMP/empty-watch
mkdir -p "$EMPTY"
# an ordinary name that no built-in pattern matches; its content is even
# a real tlog, which must not matter: the kernel decides by name and place
DATA=$FW_TMP/data/input-0001.data
mkdir -p "${DATA%/*}"
fw_mklog tlog 64k "$DATA"

fw_tracer_start filter --no-default-rules --watch "$EMPTY" ||
	fw_abort "tracer did not start"

# Every read variant and every send variant, none of them tainted
run_burst() {
	local name=$1 min_reads=$2 min_sends=$3
	shift 3
	nsenter --net="/run/netns/$FW_GS" "$FWSEND" --timeout 60 --stats "$@" \
		</dev/null >"$FW_TMP/$name.stats" 2>"$FW_TMP/$name.err" &
	fw_wait_pid "$!" 70
	check "$name: fwsend exit status" -eq 0 "$FW_RC" ||
		note "$(cat "$FW_TMP/$name.err")"
	note "$name: $(cat "$FW_TMP/$name.stats")"
	check "$name: reads made >= $min_reads" -ge "$min_reads" \
		"$(sed -n 's/.* reads=\([0-9]*\).*/\1/p' "$FW_TMP/$name.stats")"
	check "$name: sends made >= $min_sends" -ge "$min_sends" \
		"$(sed -n 's/.* sends=\([0-9]*\).*/\1/p' "$FW_TMP/$name.stats")"
}

run_burst read-tcp4-write 1000 1000 --read read "$DATA" --chunk 32 \
	--send write --send-chunk 32 --to "$FW_PEER_IP4" --port "$P_TCP4"
run_burst pread-tcp6-send 1000 1000 --read pread "$DATA" --chunk 64 \
	--send send --send-chunk 64 --to "$FW_PEER_IP6" --port "$P_TCP6"
run_burst readv-tcp4-sendmsg 500 500 --read readv "$DATA" --chunk 128 \
	--send sendmsg --send-chunk 128 --to "$FW_PEER_IP4" --port "$P_TCP4"
run_burst preadv-udp4-sendto 500 50 --read preadv "$DATA" --chunk 128 \
	--proto udp --send sendto --to "$FW_PEER_IP4" --port "$P_UDP4"
run_burst preadv2-udp4-sendmmsg 500 5 --read preadv2 "$DATA" --chunk 128 \
	--proto udp --connect --send sendmmsg --to "$FW_PEER_IP4" \
	--port "$P_UDP4"
run_burst tcp4-writev 0 500 --bytes 65536 --send writev --send-chunk 128 \
	--to "$FW_PEER_IP4" --port "$P_TCP4"

fw_tracer_stop INT

stats=$(fw_stats)
note "stats: $stats"
check "stats: events.file_read" -eq 0 "$(fw_get "$stats" .events.file_read)"
check "stats: events.connect" -eq 0 "$(fw_get "$stats" .events.connect)"
check "stats: events.send" -eq 0 "$(fw_get "$stats" .events.send)"
check "stats: lost" -eq 0 "$(fw_get "$stats" .lost)"
check "no alert at all" == "" \
	"$(fw_json | jq -c 'select(.event.kind == "alert")')"

fw_finish
