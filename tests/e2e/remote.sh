#!/bin/bash
# The bash -c scripts below expand their own positional parameters:
# shellcheck disable=SC2016
# A remote shell as the way out: OpenSSH's client runs `cat LOG` through
# sshd on this host (in the ground station's namespace, on loopback) and
# its output is piped to an uploader. Without a terminal (`ssh`) the log
# crosses a pipe, sshd, a loopback TCP connection and the client; with one
# (`ssh -tt`) the remote cat writes into a pty whose master sshd reads.
# Both uploads must alert with the log as origin; the same sessions over
# an unwatched file stay quiet.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_PIPE=9341
P_TTY=9342
P_B_PIPE=9343
P_B_TTY=9344
SSHD_PORT=2222

fw_init
command -v ssh >/dev/null || fw_abort "no ssh client"
fw_netns_setup
for p in "$P_PIPE" "$P_TTY" "$P_B_PIPE" "$P_B_TTY"; do
	fw_peer_listen tcp4 "$p"
done

WATCH=$FW_TMP/Telemetry
mkdir -p "$WATCH"
LOG=$WATCH/flight.tlog
fw_mklog tlog 48k "$LOG"
SIZE=$(fw_size "$LOG")
PLAIN=$FW_TMP/plain.bin
head -c "$SIZE" /dev/urandom >"$PLAIN"

# ---- sshd of its own, on loopback in the ground station ------------------
fw_sshd "$FW_GS" 127.0.0.1 "$SSHD_PORT"
SSH=$FW_SSH

# remote NAME TTY FILE PORT: `ssh [-tt] root@127.0.0.1 cat FILE | socat`
remote() {
	local name=$1 tty=$2 file=$3 port=$4
	fw_sc "$name" bash -c '"$1" $2 -i "$3" -p "$4" -o BatchMode=yes \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o LogLevel=ERROR root@127.0.0.1 "cat -- '\''$5'\''" </dev/null |
		exec socat -u - "TCP4:$6:$7"' "$name" ssh "$tty" "$SSH/user" \
		"$SSHD_PORT" "$file" "$FW_PEER_IP4" "$port"
}

fw_tracer_start remote --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"

remote pipe -T "$LOG" "$P_PIPE"
remote tty -tt "$LOG" "$P_TTY"
remote b-pipe -T "$PLAIN" "$P_B_PIPE"
remote b-tty -tt "$PLAIN" "$P_B_TTY"

fw_wait_alerts_by .destination.port 15 "$P_PIPE:$SIZE" "$P_TTY:$SIZE" ||
	note "not every upload's alert reached $SIZE bytes"
fw_tracer_stop

port_alert() {
	fw_json "$FW_OUT" | jq -c --argjson port "$1" '
		select(.event.kind == "alert" and .destination.port == $port)' |
		tail -n 1
}
for name in pipe tty; do
	port=P_${name^^}
	a=$(port_alert "${!port}")
	if check "$name: the upload of the session's output alerts" != "" "$a"; then
		check "$name: origin is the log" == "$LOG" \
			"$(fw_get "$a" '.flightwatch.origins[0].path')"
		check "$name: the uploader sends" == socat \
			"$(fw_get "$a" .process.name)"
		check "$name: destination.bytes >= $SIZE" -ge "$SIZE" \
			"$(fw_get "$a" .destination.bytes)"
		check "$name: sshd and the client are in the chain" == "ssh sshd" \
			"$(fw_get "$a" '[.flightwatch.chain[] | select(.type == "process") |
				.name | select(. == "sshd" or . == "ssh")] | unique |
				join(" ")')"
	fi
done
check "tty: the chain has a terminal hop" != "" \
	"$(fw_get "$(port_alert "$P_TTY")" '.flightwatch.chain[] |
		select(.type != "process" and .type != "origin" and
		.type != "destination" and .type != "loopback" and .type != "pipe") |
		.type')"
check "benign ssh session over an unwatched file: no alert" == "" \
	"$(port_alert "$P_B_PIPE")"
check "benign ssh -tt session over an unwatched file: no alert" == "" \
	"$(port_alert "$P_B_TTY")"
check "stats: lost" -eq 0 "$(fw_get "$(fw_stats)" .lost)"

fw_finish
