#!/bin/bash
# The bash -c scripts below expand their own positional parameters:
# shellcheck disable=SC2016
# Local relays: a tainted process hands flight-log data to a local proxy
# over loopback TCP or UDP, and the proxy sends it out. The alert must name
# the proxy as the sender, the tainted client in its chain and a loopback
# hop between them (also a UDP proxy reached at the host's own
# non-loopback address, bound to it and bound to the wildcard address,
# and one on loopback bound to the wildcard). Benign twins: the same proxies forwarding untainted
# data, and a later connection that reuses the exact 4-tuple of a tainted
# one (the relay must have forgotten the first flow when it closed).
#
# Harness rule (see dataflow.sh): this shell never reads what a tainted
# process wrote; scenario output goes to files read after the tracer stops.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/scenarios.sh
. "$(dirname "$0")/scenarios.sh"

P_TCP=9201 # the tainted TCP connection, forwarded by the proxy's 1st child
P_REUSE=9202 # untainted, same 4-tuple, forwarded by its 2nd child
P_SOCAT=9203 # socat as the proxy
P_UDP=9204 # UDP datagrams, forwarded over TCP
P_B_UDP=9205 # untainted datagrams through another UDP proxy
P_LOCAL=9206 # socat as the proxy on the host's own non-loopback address
P_UDP_HOST=9207 # a UDP proxy bound to the host's own address
P_UDP_ANY=9208 # a UDP proxy bound to the wildcard, reached at that address
P_UDP_LO_ANY=9209 # a UDP proxy bound to the wildcard, reached on loopback
P_B_UDP_ANY=9210 # untainted datagrams through a wildcard-bound proxy
L_TCP=7001
L_SOCAT=7002
L_UDP=7003
L_B_UDP=7004
L_LOCAL=7005
L_UDP_HOST=7006
L_UDP_ANY=7007
L_UDP_LO_ANY=7008
L_B_UDP_ANY=7009
CPORT=40123 # the client's fixed source port: the reused 4-tuple
PY=/usr/bin/python3

fw_init
command -v "$PY" >/dev/null || fw_abort "$PY is needed"
fw_netns_setup
for p in "$P_TCP" "$P_REUSE" "$P_SOCAT" "$P_UDP" "$P_B_UDP" "$P_LOCAL" \
	"$P_UDP_HOST" "$P_UDP_ANY" "$P_UDP_LO_ANY" "$P_B_UDP_ANY"; do
	fw_peer_listen tcp4 "$p"
done

WATCH=$FW_TMP/Telemetry
WORK=$FW_TMP/work
mkdir -p "$WATCH" "$WORK"
LOG="$WATCH/2026-11-22 01-00-00.tlog"
fw_mklog tlog 64k "$LOG"
SIZE=$(fw_size "$LOG")
PLAIN=$WORK/plain.bin
head -c "$SIZE" /dev/urandom >"$PLAIN"

# ---- python helpers (written by this untainted shell) ----------------------
sc_write_scripts "$WORK"

fw_tracer_start relays --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"


# ---- 1 + 2. forking TCP proxy: tainted connection, then the same 4-tuple --
sc_start tcp-proxy "$WORK/tcp.ready" "$PY" "$WORK/tcp_proxy.py" "$L_TCP" \
	"$WORK/tcp.ready" "$FW_PEER_IP4" "$P_TCP" "$P_REUSE"
fw_sc tcp-client "$PY" "$WORK/tcp_client.py" "$LOG" "$CPORT" "$L_TCP"
fw_sc reuse-client "$PY" "$WORK/tcp_client.py" "$PLAIN" "$CPORT" "$L_TCP"
fw_wait_pid "${FW_PIDS[tcp-proxy]}" 30
check "tcp-proxy: exit status" -eq 0 "$FW_RC"

# ---- 3. socat as the proxy ------------------------------------------------
sc_socat_proxy socat 127.0.0.1 "$L_SOCAT" "$P_SOCAT" "$LOG"
fw_wait_pid "${FW_PIDS[socat-proxy]}" 30
# ---- 3b. the same on the host's own address, not loopback ------------------
sc_socat_proxy local "$FW_GS_IP4" "$L_LOCAL" "$P_LOCAL" "$LOG"
fw_wait_pid "${FW_PIDS[local-proxy]}" 30

# ---- 4. UDP proxy, and its benign twin ------------------------------------
sc_start udp-proxy "$WORK/udp.ready" "$PY" "$WORK/udp_proxy.py" "$L_UDP" \
	"$WORK/udp.ready" "$FW_PEER_IP4" "$P_UDP"
sc_start b-udp-proxy "$WORK/b-udp.ready" "$PY" "$WORK/udp_proxy.py" \
	"$L_B_UDP" "$WORK/b-udp.ready" "$FW_PEER_IP4" "$P_B_UDP"
fw_sc udp-client "$PY" "$WORK/udp_client.py" "$LOG" "$L_UDP"
fw_sc b-udp-client "$PY" "$WORK/udp_client.py" "$PLAIN" "$L_B_UDP"
fw_wait_pid "${FW_PIDS[udp-proxy]}" 30
check "udp-proxy: exit status" -eq 0 "$FW_RC"
fw_wait_pid "${FW_PIDS[b-udp-proxy]}" 30
check "b-udp-proxy: exit status" -eq 0 "$FW_RC"

# ---- 5. UDP proxies elsewhere than 127.0.0.1 (NAME LPORT PORT BIND FILE HOST)
udp_relay() {
	sc_start "$1-proxy" "$WORK/$1.ready" "$PY" "$WORK/udp_proxy.py" "$2" \
		"$WORK/$1.ready" "$FW_PEER_IP4" "$3" "$4"
	fw_sc "$1-client" "$PY" "$WORK/udp_client.py" "$5" "$2" "$6"
	fw_wait_pid "${FW_PIDS[$1-proxy]}" 30
	check "$1-proxy: exit status" -eq 0 "$FW_RC"
}
udp_relay udp-host "$L_UDP_HOST" "$P_UDP_HOST" "$FW_GS_IP4" "$LOG" "$FW_GS_IP4"
udp_relay udp-any "$L_UDP_ANY" "$P_UDP_ANY" "" "$LOG" "$FW_GS_IP4"
udp_relay udp-lo-any "$L_UDP_LO_ANY" "$P_UDP_LO_ANY" "" "$LOG" 127.0.0.1
udp_relay b-udp-any "$L_B_UDP_ANY" "$P_B_UDP_ANY" "" "$PLAIN" "$FW_GS_IP4"

fw_wait_alerts_by .destination.port 15 "$P_TCP:$SIZE" "$P_SOCAT:$SIZE" \
	"$P_UDP:$SIZE" "$P_LOCAL:$SIZE" "$P_UDP_HOST:$SIZE" "$P_UDP_ANY:$SIZE" \
	"$P_UDP_LO_ANY:$SIZE" || note "not every relay's alert reached $SIZE bytes"
fw_tracer_stop INT

# ---- assertions ------------------------------------------------------------
port_alerts() {
	fw_json "$FW_OUT" | jq -c --argjson port "$1" '
		select(.event.kind == "alert" and .destination.port == $port)'
}

# relayed NAME PORT CLIENT_PID SENDER_NAME: the alert to PORT is sent by
# the proxy and names the client and a loopback hop before it
relayed() {
	local name=$1 port=$2 client=$3 sender=$4 a
	a=$(port_alerts "$port" | tail -n 1)
	if ! check "$name: alert to port $port" != "" "$a"; then
		note "scenario output: $(cat "$FW_TMP/sc-$name"*.err 2>/dev/null)"
		return 1
	fi
	check "$name: sender" == "$sender" "$(fw_get "$a" .process.name)"
	check "$name: destination.bytes >= $SIZE" -ge "$SIZE" \
		"$(fw_get "$a" .destination.bytes)"
	check "$name: origin is the log" == "$LOG" \
		"$(fw_get "$a" '.flightwatch.origins[0].path')"
	check "$name: chain" == origin,process,loopback,process,destination \
		"$(fw_get "$a" '[.flightwatch.chain[].type] | join(",")')"
	check "$name: the chain names the tainted client" -eq "$client" \
		"$(fw_get "$a" '.flightwatch.chain[1].pid')"
	check "$name: the chain's destination" == "$FW_PEER_IP4 $port" \
		"$(fw_get "$a" '.flightwatch.chain[-1] | "\(.ip) \(.port)"')"
	A=$a
}

A=
if relayed tcp "$P_TCP" "${FW_PIDS[tcp-client]}" python3; then
	check "tcp: the sender is a child of the proxy" -eq "${FW_PIDS[tcp-proxy]}" \
		"$(fw_get "$A" .process.parent.pid)"
fi
check "reused 4-tuple carrying untainted data: no alert" == "" \
	"$(port_alerts "$P_REUSE")"
if relayed socat "$P_SOCAT" "${FW_PIDS[socat-client]}" socat; then
	check "socat: the proxy itself sends" -eq "${FW_PIDS[socat-proxy]}" \
		"$(fw_get "$A" .process.pid)"
fi
if relayed local "$P_LOCAL" "${FW_PIDS[local-client]}" socat; then
	check "local: the proxy itself sends" -eq "${FW_PIDS[local-proxy]}" \
		"$(fw_get "$A" .process.pid)"
fi
check "local: the client's send to the host's own address is no egress" \
	== "" "$(fw_alerts "${FW_PIDS[local-client]}")"
if relayed udp "$P_UDP" "${FW_PIDS[udp-client]}" python3; then
	check "udp: the proxy itself sends" -eq "${FW_PIDS[udp-proxy]}" \
		"$(fw_get "$A" .process.pid)"
fi
check "benign UDP proxy of untainted data: no alert" == "" \
	"$(port_alerts "$P_B_UDP")"
for name in udp-host udp-any udp-lo-any; do
	port=P_${name//-/_}
	port=${port^^}
	if relayed "$name" "${!port}" "${FW_PIDS[$name-client]}" python3; then
		check "$name: the proxy itself sends" -eq \
			"${FW_PIDS[$name-proxy]}" "$(fw_get "$A" .process.pid)"
	fi
	check "$name: the client's datagrams to this host are no egress" \
		== "" "$(fw_alerts "${FW_PIDS[$name-client]}")"
done
check "benign wildcard-bound UDP proxy of untainted data: no alert" == "" \
	"$(port_alerts "$P_B_UDP_ANY")"
check "the clients alert on nothing (loopback is not egress)" == "" \
	"$(fw_alerts "${FW_PIDS[tcp-client]}")$(fw_alerts "${FW_PIDS[udp-client]}")"
check "no alert names a port outside the scenarios" == "" \
	"$(fw_json "$FW_OUT" | jq -c 'select(.event.kind == "alert" and
		(.destination.port < 9201 or .destination.port > 9210)) |
		[.process.pid, .process.name, .destination.port]')"
stats=$(fw_stats)
check "stats: lost" -eq 0 "$(fw_get "$stats" .lost)"
check "stats: no kernel map entry evicted" -eq 0 \
	"$(fw_get "$stats" '[.evicted[]] | add')"

fw_finish
