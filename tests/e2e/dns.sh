#!/bin/bash
# Destination names and places: a real DNS server (dnsmasq) in the peer
# namespace answers real lookups (glibc's getaddrinfo through a resolv.conf
# bind-mounted in a private mount namespace); the tracer's passive DNS
# names the destination of each alert: A over IPv4, AAAA over IPv6
# transport, a CNAME (the name asked for is reported); a process that
# resolves and sends without reading a flight log raises nothing. GeoIP
# from a MaxMind database written by the test (tests/helpers/mkmmdb.py):
# destination.geo.country_iso_code per address. A recorded trace replays
# and reports with the names; replay --geoip adds countries, --config
# applies severity rules by country and allow rules by domain. Without a
# cgroup v2 mount the tracer runs and reports the DNS hook as not attached.
# A missing, corrupt or truncated database is one error line and a
# non-zero exit.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_A=9301
P_AAAA=9302
P_CNAME=9303
P_BENIGN=9304
P_PROBE6=9305
P_SELF=9306
PY=/usr/bin/python3
MKMMDB=$FW_ROOT/tests/helpers/mkmmdb.py

fw_init
for tool in "$PY" /usr/sbin/dnsmasq unshare mount bpftool; do
	command -v "$tool" >/dev/null || fw_abort "$tool is not installed"
done
fw_netns_setup
fw_peer_listen tcp4 "$P_A"
fw_peer_listen tcp6 "$P_AAAA"
fw_peer_listen tcp4 "$P_CNAME"
fw_peer_listen tcp4 "$P_BENIGN"
fw_peer_listen tcp4 "$P_SELF"
fw_peer_listen tcp6 "$P_PROBE6"
fw_probe_network "$P_A" "$P_PROBE6"

# --- the DNS server ---------------------------------------------------------
# upload.example has an A and an AAAA record; alias.example is a CNAME to
# cdn.example, a host on the peer's second address
nsenter --net="/run/netns/$FW_PEER" /usr/sbin/dnsmasq --conf-file=/dev/null \
	--no-resolv --no-hosts --keep-in-foreground --bind-interfaces \
	--listen-address="$FW_PEER_IP4" --listen-address="$FW_PEER_IP6" \
	--port=53 --user=root --group=root \
	--host-record="upload.example,$FW_PEER_IP4,$FW_PEER_IP6" \
	--host-record="cdn.example,$FW_PEER_IP4B" \
	--cname=alias.example,cdn.example \
	--pid-file="$FW_TMP/dnsmasq.pid" --log-facility="$FW_TMP/dnsmasq.log" \
	</dev/null >/dev/null 2>"$FW_TMP/dnsmasq.err" &
FW_BG_PIDS+=("$!")
DNSMASQ=$!
for ((i = 0; i < 200; i++)); do
	[ -n "$(ss -N "$FW_PEER" -H -lnu 'sport = :53' 2>/dev/null)" ] && break
	fw_proc_done "$DNSMASQ" && break
	sleep 0.05
done
[ -n "$(ss -N "$FW_PEER" -H -lnu 'sport = :53' 2>/dev/null)" ] ||
	fw_abort "dnsmasq did not start: $(cat "$FW_TMP/dnsmasq.err")"

printf 'nameserver %s\noptions timeout:2 attempts:3\n' "$FW_PEER_IP4" \
	>"$FW_TMP/resolv4.conf"
printf 'nameserver %s\noptions timeout:2 attempts:3\n' "$FW_PEER_IP6" \
	>"$FW_TMP/resolv6.conf"

# The client: writes its pid first (before it carries anything, so the
# shell may read it), resolves NAME with getaddrinfo, reads the flight log
# (or sends harmless bytes when LOG is -) and sends what it read. It looks
# up before it reads: a DNS query sent by a process that already carries
# flight-log data is itself a send (an alert to the resolver's port 53,
# by design: DNS can carry data out), which would add a flow per case.
cat >"$FW_TMP/client.py" <<'EOF'
import os, socket, sys
pidfile, fam, name, port, log = sys.argv[1:6]
with open(pidfile, "w") as f:
    f.write("%d\n" % os.getpid())
family = socket.AF_INET6 if fam == "6" else socket.AF_INET
addr = socket.getaddrinfo(name, int(port), family, socket.SOCK_STREAM)[0][4]
data = b"nothing to see here\n" * 64
if log != "-":
    with open(log, "rb") as f:
        data = f.read()
s = socket.socket(family, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(addr)
s.sendall(data)
s.close()
EOF

# A process that names its own destination: it asks a server of its own
# (not a configured resolver) for allowed.example and gets an answer from
# port 53 that says its destination is that name, then uploads the log
cat >"$FW_TMP/selfnamed.py" <<'EOF'
import os, socket, struct, sys
pidfile, server, port, log = sys.argv[1:5]
with open(pidfile, "w") as f:
    f.write("%d\n" % os.getpid())
qname = b"".join(bytes([len(p)]) + p for p in b"allowed.example".split(b".")) + b"\0"
q = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
q.settimeout(10)
q.sendto(struct.pack(">6H", 0x4242, 0x0100, 1, 0, 0, 0) + qname +
         struct.pack(">2H", 1, 1), (server, 53))
q.recvfrom(512)
with open(log, "rb") as f:
    data = f.read()
s = socket.create_connection((server, int(port)), timeout=10)
s.sendall(data)
s.close()
EOF
# ... and the server it asks, on the peer's second address
cat >"$FW_TMP/ownserver.py" <<'EOF'
import socket, struct, sys
addr = sys.argv[1]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((addr, 53))
open(sys.argv[2], "w").close()
msg, peer = u.recvfrom(512)
qid = msg[:2]
question = msg[12:]
answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(addr)
u.sendto(qid + struct.pack(">5H", 0x8180, 1, 1, 0, 0) + question + answer, peer)
EOF

declare -A PID
# client CASE RESOLV FAMILY NAME PORT LOG: run the client in the ground
# station's network namespace with RESOLV as its /etc/resolv.conf
client() {
	local case=$1 resolv=$2
	shift 2
	# shellcheck disable=SC2016
	unshare -m --propagation private sh -c \
		'mount --bind "$1" /etc/resolv.conf && shift &&
		 exec nsenter --net="$0" "$@"' \
		"/run/netns/$FW_GS" "$resolv" "$PY" "$FW_TMP/client.py" \
		"$FW_TMP/$case.pid" "$@" \
		</dev/null >"$FW_TMP/$case.client.log" 2>&1 &
	fw_wait_pid "$!" 40
	check "$case: client resolved and sent (exit status)" -eq 0 "$FW_RC"
	PID[$case]=$(cat "$FW_TMP/$case.pid" 2>/dev/null || echo none)
}

# --- the GeoIP database -------------------------------------------------------
GEO=$FW_TMP/geo.mmdb
"$PY" "$MKMMDB" "$GEO" "$FW_PEER_IP4/32=NL" "$FW_PEER_IP6/128=NL" \
	"$FW_PEER_IP4B/32=CN" 2>"$FW_TMP/mkmmdb.err" ||
	fw_abort "mkmmdb.py failed: $(cat "$FW_TMP/mkmmdb.err")"
if command -v mmdblookup >/dev/null; then
	# the helper's output read by libmaxminddb's own tool
	for spec in "$FW_PEER_IP4=NL" "$FW_PEER_IP6=NL" "$FW_PEER_IP4B=CN"; do
		got=$(mmdblookup --file "$GEO" --ip "${spec%=*}" country \
			iso_code 2>&1 | tr -d ' \n')
		check "mmdblookup: ${spec%=*} is ${spec#*=}" == \
			"\"${spec#*=}\"<utf8_string>" "$got"
	done
	got=$(mmdblookup --file "$GEO" --ip 10.203.0.9 2>&1)
	check "mmdblookup: an address outside the networks has no entry" \
		contains "Could not find an entry" "$got"
else
	skip "mmdblookup checks of the test database" "mmdb-bin not installed"
fi

WATCH=$FW_TMP/Telemetry
mkdir -p "$WATCH"
LOG=$WATCH/flight.tlog
fw_mklog tlog 32k "$LOG"
SIZE=$(fw_size "$LOG")
TRACE=$FW_TMP/dns.fwt
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)

# --- live ---------------------------------------------------------------------
# programs loaded from now on have larger ids than this
BASE_ID=$(bpftool prog show -j 2>/dev/null | jq '[.[].id] | max // 0')
fw_tracer_start live --no-default-rules --watch "$WATCH" --geoip "$GEO" \
	--resolver "$FW_PEER_IP4" --resolver "$FW_PEER_IP6" \
	--record "$TRACE" || fw_abort "tracer did not start"
check "ready: the passive DNS hook is attached" contains \
	'"cgroup_skb/ingress"' "$(fw_json | jq -c 'select(.event.action ==
		"ready") | .flightwatch.hooks')"
# the new fw_dns_ingress program is attached to the cgroup v2 root
OURS=$(bpftool cgroup show "$CG2" -j 2>/dev/null | jq -r --argjson base \
	"$BASE_ID" '.[] | select(.name == "fw_dns_ingress" and .id > $base and
		.attach_type == "cgroup_inet_ingress") | .id' | tail -n 1)
check "fw_dns_ingress attached to the cgroup v2 root ($CG2), ingress" \
	=~ '^[0-9]+$' "$OURS"

# the self-named upload first: the real lookups below name its address
nsenter --net="/run/netns/$FW_PEER" "$PY" "$FW_TMP/ownserver.py" \
	"$FW_PEER_IP4B" "$FW_TMP/ownserver.up" </dev/null \
	>"$FW_TMP/ownserver.log" 2>&1 &
FW_BG_PIDS+=("$!")
fw_wait_file "$FW_TMP/ownserver.up" 10 || fw_abort "the own DNS server did not start"
fw_gs "$PY" "$FW_TMP/selfnamed.py" "$FW_TMP/selfnamed.pid" "$FW_PEER_IP4B" \
	"$P_SELF" "$LOG" >"$FW_TMP/selfnamed.log" 2>&1
check "self-named: asked its own server and sent (exit status)" -eq 0 "$?" ||
	note "$(cat "$FW_TMP/selfnamed.log")"
PID[selfnamed]=$(cat "$FW_TMP/selfnamed.pid" 2>/dev/null || echo none)
client a4 "$FW_TMP/resolv4.conf" 4 upload.example "$P_A" "$LOG"
client aaaa "$FW_TMP/resolv6.conf" 6 upload.example "$P_AAAA" "$LOG"
client cname "$FW_TMP/resolv4.conf" 4 alias.example "$P_CNAME" "$LOG"
client benign "$FW_TMP/resolv4.conf" 4 upload.example "$P_BENIGN" -
fw_wait_alerts 15 "${PID[a4]}:$SIZE" "${PID[aaaa]}:$SIZE" \
	"${PID[cname]}:$SIZE" || note "not every alert reached $SIZE bytes"
fw_tracer_stop INT
if [ -n "$OURS" ]; then
	for ((i = 0; i < 100; i++)); do
		bpftool prog show id "$OURS" >/dev/null 2>&1 || break
		sleep 0.05
	done
	check "after the tracer stopped: its DNS program is gone" == gone \
		"$(bpftool prog show id "$OURS" >/dev/null 2>&1 && echo loaded ||
			echo gone)"
fi

# expect_named CASE IP DOMAIN COUNTRY: the last alert of the case's flow
expect_named() {
	local case=$1 ip=$2 domain=$3 country=$4 out=${5:-$FW_OUT} a
	a=$(fw_json "$out" | jq -c --arg pid "${PID[$case]}" '
		select(.event.kind == "alert" and
		       (.process.pid | tostring) == $pid)' | tail -n 1)
	if ! check "$case: an alert" != "" "$a"; then
		return
	fi
	check "$case: destination.ip" == "$ip" "$(fw_get "$a" .destination.ip)"
	check "$case: destination.domain" == "$domain" \
		"$(fw_get "$a" .destination.domain)"
	check "$case: destination.geo.country_iso_code" == "$country" \
		"$(fw_get "$a" '.destination.geo.country_iso_code')"
	check "$case: destination.bytes" -eq "$SIZE" \
		"$(fw_get "$a" .destination.bytes)"
	if [ -n "$domain" ]; then
		check "$case: the message names the destination" contains \
			"to $domain ($ip):" "$(fw_get "$a" .message)"
	fi
}

expect_named a4 "$FW_PEER_IP4" upload.example NL
expect_named aaaa "$FW_PEER_IP6" upload.example NL
# the name the program asked for, not the CNAME's target
expect_named cname "$FW_PEER_IP4B" alias.example CN
fw_expect_no_alert "benign: resolved and sent, read no flight log" \
	"${PID[benign]}"
# an answer from a server that is not a configured resolver names
# nothing, though it answered the process's own query from port 53
expect_named selfnamed "$FW_PEER_IP4B" "" CN
# every other alert's first line already has the name (the answer came
# first)
check "every alert line has destination.domain" == "" \
	"$(fw_json | jq -c --arg pid "${PID[selfnamed]}" 'select(.event.kind ==
		"alert" and .destination.domain == null and
		(.process.pid | tostring) != $pid) | .message')"
stats=$(fw_stats)
check "stats: DNS answers seen (4 lookups, one with A and AAAA)" -ge 4 \
	"$(fw_get "$stats" .dns.messages)"
check "stats: the self-named answer did not count" -ge 1 \
	"$(fw_get "$stats" .dns.unmatched)"
check "stats: the queries were seen" -ge 5 "$(fw_get "$stats" .dns.queries)"
check "stats: no malformed DNS message" -eq 0 \
	"$(fw_get "$stats" .dns.malformed)"
check "stats: kernel DNS events counted" -ge 4 \
	"$(fw_get "$stats" .events.dns)"

# --- replay and report ----------------------------------------------------------
"$FW_BIN" replay --json "$TRACE" >"$FW_TMP/replay.out" 2>"$FW_TMP/replay.err"
check "replay: exit status" -eq 0 "$?"
# the names come from the recorded DNS events; no --geoip, no country
expect_named a4 "$FW_PEER_IP4" upload.example "" "$FW_TMP/replay.out"
expect_named cname "$FW_PEER_IP4B" alias.example "" "$FW_TMP/replay.out"
"$FW_BIN" replay --json --geoip "$GEO" "$TRACE" >"$FW_TMP/replay-geo.out" \
	2>"$FW_TMP/replay-geo.err"
check "replay --geoip: exit status" -eq 0 "$?"
expect_named aaaa "$FW_PEER_IP6" upload.example NL "$FW_TMP/replay-geo.out"
expect_named cname "$FW_PEER_IP4B" alias.example CN "$FW_TMP/replay-geo.out"

# the names and countries in the policy: a severity rule by country and
# an allow rule by domain (config file, re-checked on the recording)
cat >"$FW_TMP/policy.yaml" <<'EOF'
allow:
  destinations:
    - domain: upload.example
severity:
  rules:
    - country: [CN]
      severity: critical
EOF
"$FW_BIN" replay --json --config "$FW_TMP/policy.yaml" --geoip "$GEO" \
	"$TRACE" >"$FW_TMP/replay-policy.out" 2>"$FW_TMP/replay-policy.err"
check "replay --config: exit status" -eq 0 "$?" ||
	note "$(cat "$FW_TMP/replay-policy.err")"
check "replay --config: a severity rule by country (CN: critical)" == \
	"alias.example CN 99" "$(fw_json "$FW_TMP/replay-policy.out" |
		jq -r --arg self "${PID[selfnamed]}" 'select(.event.kind ==
		"alert" and (.process.pid | tostring) != $self) |
		.destination as $d |
		"\($d.domain) \($d.geo.country_iso_code) \(.event.severity)"' |
		sort -u)"
check "replay --config: no alert to the allowed domain" == "" \
	"$(fw_json "$FW_TMP/replay-policy.out" | jq -c 'select(.event.kind ==
		"alert" and .destination.domain == "upload.example")')"

"$FW_BIN" report "$TRACE" >"$FW_TMP/report.txt" 2>"$FW_TMP/report.err"
check "report: exit status" -eq 0 "$?"
check "report text: the timeline's first send names the destination" \
	contains "first send to upload.example ($FW_PEER_IP4):$P_A/tcp" \
	"$(cat "$FW_TMP/report.txt")"
check "report text: the destination with its name" contains \
	"-> alias.example ($FW_PEER_IP4B):$P_CNAME/tcp: $SIZE bytes" \
	"$(cat "$FW_TMP/report.txt")"
"$FW_BIN" report --format json --geoip "$GEO" "$TRACE" \
	>"$FW_TMP/report.json" 2>"$FW_TMP/report.err"
check "report json: exit status" -eq 0 "$?"
check "report json: the flow's destination domain and country" == \
	"upload.example NL" "$(jq -r --argjson pid "${PID[a4]}" '.flows[] |
		select(.process.pid == $pid) | .destination |
		"\(.domain) \(.country_iso_code)"' "$FW_TMP/report.json" 2>&1)"

# --- no cgroup v2 mount -----------------------------------------------------------
# The tracer in a private mount namespace without the cgroup2 mount: it runs,
# and its ready line says the passive DNS hook is not attached and why
cat >"$FW_TMP/nocgroup2.sh" <<EOF
#!/bin/sh
exec unshare -m --propagation private sh -c 'umount -l "\$0" && exec "\$@"' \
	"$CG2" "$FW_BIN" "\$@"
EOF
chmod 755 "$FW_TMP/nocgroup2.sh"
REAL_BIN=$FW_BIN
FW_BIN=$FW_TMP/nocgroup2.sh
if fw_tracer_start nocgroup2 --no-default-rules --watch "$WATCH"; then
	ready=$(fw_json | jq -c 'select(.event.action == "ready")')
	check "no cgroup v2: the DNS hook is not among those attached" \
		!contains "cgroup_skb" "$(fw_get "$ready" .flightwatch.hooks)"
	check "no cgroup v2: the ready line says why it is not attached" == \
		"cgroup_skb/ingress: no cgroup v2 mount: destinations are not named" \
		"$(fw_get "$ready" '.flightwatch.hooks_not_attached[] |
			select(.hook == "cgroup_skb/ingress") |
			"\(.hook): \(.reason)"')"
	fw_tracer_stop INT
fi
# Without CAP_NET_ADMIN (nor CAP_SYS_ADMIN, which implies it) the cgroup
# program cannot be attached: the same, with that reason
cat >"$FW_TMP/nonetadmin.sh" <<EOF
#!/bin/sh
exec setpriv --bounding-set -net_admin,-sys_admin "$REAL_BIN" "\$@"
EOF
chmod 755 "$FW_TMP/nonetadmin.sh"
FW_BIN=$FW_TMP/nonetadmin.sh
if fw_tracer_start nonetadmin --no-default-rules --watch "$WATCH"; then
	check "no CAP_NET_ADMIN: the ready line says why the DNS hook is not attached" \
		== "attaching needs CAP_NET_ADMIN: destinations are not named" \
		"$(fw_json | jq -r 'select(.event.action == "ready") |
			.flightwatch.hooks_not_attached[] |
			select(.hook == "cgroup_skb/ingress") | .reason')"
	fw_tracer_stop INT
fi
FW_BIN=$REAL_BIN

# --- a database that cannot be used --------------------------------------------
# bad_geoip NAME FILE CMD...: one line naming FILE, a non-zero status
bad_geoip() {
	local name=$1 file=$2 rc err
	shift 2
	timeout 20 "$FW_BIN" "$@" </dev/null >"$FW_TMP/$name.out" \
		2>"$FW_TMP/$name.err"
	rc=$?
	err=$(cat "$FW_TMP/$name.err")
	check "$name: non-zero exit status below 128" =~ \
		'^([1-9]|[1-9][0-9]|1[01][0-9]|12[0-35-7])$' "$rc"
	check "$name: one stderr line" -eq 1 "$(grep -c '' "$FW_TMP/$name.err")"
	check "$name: the line starts 'flightwatch: ' and names the file" \
		=~ "^flightwatch: .*${file//./\\.}" "$err"
	check "$name: no alert output" == "" "$(cat "$FW_TMP/$name.out")"
}

printf 'this is not a MaxMind database\n' >"$FW_TMP/junk.mmdb"
head -c 100 "$GEO" >"$FW_TMP/cut.mmdb"
bad_geoip "run --geoip missing" "$FW_TMP/none.mmdb" run --json \
	--no-default-rules --watch "$WATCH" --geoip "$FW_TMP/none.mmdb"
check "run --geoip missing: says the file is missing" contains \
	"No such file" "$(cat "$FW_TMP/run --geoip missing.err")"
bad_geoip "run --geoip junk" "$FW_TMP/junk.mmdb" run --json \
	--no-default-rules --watch "$WATCH" --geoip "$FW_TMP/junk.mmdb"
bad_geoip "record --geoip truncated" "$FW_TMP/cut.mmdb" record \
	-o "$FW_TMP/never.fwt" --no-default-rules --watch "$WATCH" \
	--geoip "$FW_TMP/cut.mmdb"
check "record --geoip truncated: no trace file left" == no \
	"$([ -e "$FW_TMP/never.fwt" ] && echo yes || echo no)"
bad_geoip "replay --geoip junk" "$FW_TMP/junk.mmdb" replay \
	--geoip "$FW_TMP/junk.mmdb" "$TRACE"
bad_geoip "report --geoip missing" "$FW_TMP/none.mmdb" report \
	--geoip "$FW_TMP/none.mmdb" "$TRACE"

# check-config opens the database the file names
printf 'geoip: %s\n' "$GEO" >"$FW_TMP/geo-ok.yaml"
"$FW_BIN" check-config "$FW_TMP/geo-ok.yaml" >"$FW_TMP/cc-ok.out" \
	2>"$FW_TMP/cc-ok.err"
check "check-config with a usable database: exit status" -eq 0 "$?"
check "check-config: the database in the effective rules" contains \
	"geoip: $GEO" "$(cat "$FW_TMP/cc-ok.out")"
printf 'geoip: %s\n' "$FW_TMP/junk.mmdb" >"$FW_TMP/geo-junk.yaml"
bad_geoip "check-config, geoip: junk" "$FW_TMP/junk.mmdb" check-config \
	"$FW_TMP/geo-junk.yaml"

fw_finish
