#!/bin/bash
# Fleet collection: two ground stations and a collector, each in network,
# mount and UTS namespaces of its own (its own host name and its own
# systemd-journald). Each station runs flightwatch with the journal output
# and a recording, and systemd-journal-upload sends its journal over HTTPS
# to systemd-journal-remote on the collector, with a CA, server and client
# certificates made here with openssl and the configuration files the
# deployment guide (docs/deployment.md) describes. Real uploads of flight
# logs raise the alerts. Checks: each station's alerts arrive with their
# FLIGHTWATCH_* fields and _HOSTNAME; an uploader that does not trust the
# collector's certificate uploads nothing; alerts raised while the
# collector is down arrive once it is back, and at the end the collector
# holds every flightwatch entry of each station's journal (an entry
# journal-upload sent twice counted once);
# `report --journal DIR` on the collector's directory lists both stations
# and their flows (text, JSON, Graphviz); `replay --output journal` of both
# stations' recordings into the collector's own journal keeps each trace's
# host (FLIGHTWATCH_HOST, where _HOSTNAME is the collector) and `report
# --journal` of that journal finds the same stations and flows.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

ID_EGRESS=4eee73de679b47a9be7f6b54d969cd1e
ID_READY=4cc712c6346e46d4a4a876f92abbfded
UPLOAD_PORT=19532
COL=fwcol-$$
NS_A=fwsa-$$
NS_B=fwsb-$$
# station X reaches the collector over its own link
declare -A NET=([a]=$NS_A [b]=$NS_B [col]=$COL)
declare -A ST_IP=([a]=10.203.10.2 [b]=10.203.11.2)
declare -A COL_IP=([a]=10.203.10.1 [b]=10.203.11.1)
declare -A SINK_PORT=([a]=9170 [b]=9171)
declare -A HOST=([a]=station-a [b]=station-b [col]=collector)
declare -A HOLDER=()
declare -A TRACER=()
REMOTE_PID=

fw_init
for tool in openssl journalctl unshare; do
	command -v "$tool" >/dev/null || fw_abort "$tool is not installed"
done
for exe in systemd-journald systemd-journal-upload systemd-journal-remote; do
	if [ ! -x "/lib/systemd/$exe" ]; then
		skip "fleet suite" "no /lib/systemd/$exe (packages systemd, systemd-journal-remote: make deps)"
		fw_finish
	fi
done
for f in /etc/systemd/journal-upload.conf /etc/systemd/journal-remote.conf; do
	[ -f "$f" ] || fw_abort "no $f to lay the test's configuration over"
done

# shellcheck disable=SC2317 # called from the traps
fleet_cleanup() {
	local ns
	fw_cleanup
	for ns in "$NS_A" "$NS_B" "$COL"; do
		ip netns del "$ns" 2>/dev/null
	done
}
trap fleet_cleanup EXIT
trap 'fleet_cleanup; exit 130' INT
trap 'fleet_cleanup; exit 143' TERM

# --- the network: each station linked to the collector -----------------------------
for x in a b col; do
	ip netns add "${NET[$x]}" || fw_abort "ip netns add ${NET[$x]} failed"
	ip -n "${NET[$x]}" link set lo up
done
for x in a b; do
	ip link add "fw${x}$$" netns "${NET[$x]}" type veth peer name "fwc${x}$$" \
		netns "$COL" || fw_abort "cannot create the veth pair of station $x"
	{
		ip -n "${NET[$x]}" addr add "${ST_IP[$x]}/24" dev "fw${x}$$" &&
			ip -n "$COL" addr add "${COL_IP[$x]}/24" dev "fwc${x}$$" &&
			ip -n "${NET[$x]}" link set "fw${x}$$" up &&
			ip -n "$COL" link set "fwc${x}$$" up
	} || fw_abort "cannot configure the link of station $x"
	# where the station's flight logs leak to: a discarding listener
	nsenter --net="/run/netns/$COL" socat -u \
		"TCP4-LISTEN:${SINK_PORT[$x]},bind=${COL_IP[$x]},reuseaddr,fork" \
		GOPEN:/dev/null </dev/null >/dev/null 2>>"$FW_TMP/sinks.log" &
	FW_BG_PIDS+=("$!")
done

# --- certificates: a CA, the collector's server certificate, the stations'
# client certificates, and a CA nobody trusts ------------------------------------
CERTS=$FW_TMP/certs
mkdir -p "$CERTS"
newkey() { # newkey NAME SUBJECT [x509 options]: an EC key and a request
	local name=$1 subj=$2
	shift 2
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$CERTS/$name.key" -subj "$subj" "$@" \
		-out "$CERTS/$name.$([ $# -gt 0 ] && echo pem || echo csr)" \
		2>>"$FW_TMP/openssl.log"
}
sign() { # sign NAME EXTENSIONS: the CA signs NAME's request
	printf '%b' "$2" >"$CERTS/$1.ext"
	openssl x509 -req -in "$CERTS/$1.csr" -CA "$CERTS/ca.pem" \
		-CAkey "$CERTS/ca.key" -CAcreateserial -days 2 \
		-extfile "$CERTS/$1.ext" -out "$CERTS/$1.pem" 2>>"$FW_TMP/openssl.log"
}
{
	newkey ca "/CN=flightwatch fleet test CA" -x509 -days 2 &&
		newkey rogue "/CN=a CA nobody trusts" -x509 -days 2 &&
		newkey collector "/CN=collector" &&
		sign collector "subjectAltName=IP:${COL_IP[a]},IP:${COL_IP[b]}\nextendedKeyUsage=serverAuth\n" &&
		newkey station-a "/CN=station-a" &&
		sign station-a "extendedKeyUsage=clientAuth\n" &&
		newkey station-b "/CN=station-b" &&
		sign station-b "extendedKeyUsage=clientAuth\n"
} || fw_abort "openssl: $(tail -n 5 "$FW_TMP/openssl.log")"
check "certificates: the collector's verifies against the CA" contains OK \
	"$(openssl verify -CAfile "$CERTS/ca.pem" "$CERTS/collector.pem" 2>&1)"

# the configuration files of the deployment guide
OUT_DIR=$FW_TMP/remote
mkdir -p "$OUT_DIR"
cat >"$FW_TMP/journal-remote.conf" <<EOF
[Remote]
SplitMode=host
ServerKeyFile=$CERTS/collector.key
ServerCertificateFile=$CERTS/collector.pem
TrustedCertificateFile=$CERTS/ca.pem
EOF
for x in a b; do
	cat >"$FW_TMP/journal-upload-$x.conf" <<EOF
[Upload]
URL=https://${COL_IP[$x]}:$UPLOAD_PORT
ServerKeyFile=$CERTS/${HOST[$x]}.key
ServerCertificateFile=$CERTS/${HOST[$x]}.pem
TrustedCertificateFile=$CERTS/ca.pem
EOF
done

# --- the hosts: a process holds each one's mount and UTS namespaces, with
# its host name, tmpfs over the journal's directories, its journald and
# the journal-upload/remote configuration laid over /etc/systemd ------------------
cat >"$FW_TMP/holder.sh" <<'EOF'
# holder.sh HOSTNAME CONF TARGET READY
set -e
hostname "$1"
for d in /run/systemd /run/log /var/log/journal /var/lib/systemd/catalog; do
	mkdir -p "$d"
	mount -t tmpfs -o mode=0755 tmpfs "$d"
done
mount --bind "$2" "$3"
/lib/systemd/systemd-journald </dev/null &
for i in $(seq 200); do
	[ -S /run/systemd/journal/socket ] && journalctl --sync 2>/dev/null && break
	sleep 0.05
done
journalctl --sync
touch "$4"
exec sleep 3600
EOF
start_host() { # start_host X CONF TARGET
	local x=$1
	nsenter --net="/run/netns/${NET[$x]}" unshare -m -u --propagation private \
		bash "$FW_TMP/holder.sh" "${HOST[$x]}" "$2" "$3" "$FW_TMP/$x.ready" \
		</dev/null >>"$FW_TMP/holder-$x.log" 2>&1 &
	HOLDER[$x]=$!
	FW_BG_PIDS+=("$!")
}
start_host a "$FW_TMP/journal-upload-a.conf" /etc/systemd/journal-upload.conf
start_host b "$FW_TMP/journal-upload-b.conf" /etc/systemd/journal-upload.conf
start_host col "$FW_TMP/journal-remote.conf" /etc/systemd/journal-remote.conf
for x in a b col; do
	fw_wait_file "$FW_TMP/$x.ready" 20 ||
		fw_abort "host ${HOST[$x]} did not come up: $(tail -n 5 "$FW_TMP/holder-$x.log")"
done
# on X: CMD... in host X's namespaces
on() {
	local x=$1
	shift
	nsenter -t "${HOLDER[$x]}" -m -u -n -- "$@"
}
# on_bg X CMD...: the same in the background; ON_BG is CMD's own pid
# (nsenter execs it)
on_bg() {
	local x=$1
	shift
	nsenter -t "${HOLDER[$x]}" -m -u -n -- "$@" &
	ON_BG=$!
	FW_BG_PIDS+=("$ON_BG")
}
check "hosts: each its own host name" == "station-a station-b collector" \
	"$(on a hostname) $(on b hostname) $(on col hostname)"

# --- the collector ----------------------------------------------------------------
remote_start() {
	on_bg col /lib/systemd/systemd-journal-remote --listen-https="$UPLOAD_PORT" \
		--output="$OUT_DIR/" </dev/null >>"$FW_TMP/remote.log" 2>&1
	REMOTE_PID=$ON_BG
	fw_wait_for 10 remote_listens
}
remote_listens() {
	[ -n "$(ss -N "$COL" -H -ltn "sport = :$UPLOAD_PORT" 2>/dev/null)" ]
}
remote_start || fw_abort "journal-remote did not listen: $(tail -n 5 "$FW_TMP/remote.log")"

# the stations' certificates do not make an untrusted collector trusted:
# an uploader with another CA uploads nothing (the positive control is
# every upload below)
sed "s|=$CERTS/ca.pem|=$CERTS/rogue.pem|" "$FW_TMP/journal-upload-a.conf" \
	>"$FW_TMP/journal-upload-rogue.conf"
on a unshare -m --propagation private sh -c 'mount --bind "$1" \
	/etc/systemd/journal-upload.conf && exec "$2" --save-state="$3"' \
	rogue "$FW_TMP/journal-upload-rogue.conf" \
	/lib/systemd/systemd-journal-upload "$FW_TMP/rogue.state" \
	</dev/null >"$FW_TMP/rogue.log" 2>&1
check "TLS: an uploader that does not trust the collector fails" -ne 0 "$?"
check "TLS: it says why" =~ "[Cc]ertificate|SSL|issuer" "$(cat "$FW_TMP/rogue.log")"

# --- the stations: tracer, recording and uploader ----------------------------------
for x in a b; do
	mkdir -p "$FW_TMP/$x/Telemetry"
	# each station's taint state and journald spool of its own, as on
	# two machines
	mkdir -p "$FW_TMP/$x/state"
	on_bg "$x" env STATE_DIRECTORY="$FW_TMP/$x/state" "$FW_BIN" run --output journal --no-default-rules \
		--state-dir "$FW_STATE_DIR-$x" --fresh \
		--watch "$FW_TMP/$x/Telemetry" --record "$FW_TMP/$x.fwt" \
		</dev/null >"$FW_TMP/tracer-$x.out" 2>"$FW_TMP/tracer-$x.err"
	TRACER[$x]=$ON_BG
done
# journal X MATCH...: the flightwatch entries of host X's journal, JSON lines
journal() {
	local x=$1
	shift
	on "$x" journalctl --sync 2>/dev/null
	on "$x" journalctl -o json --no-pager SYSLOG_IDENTIFIER=flightwatch "$@" \
		2>>"$FW_TMP/journalctl.err"
}
# collected MATCH...: the flightwatch entries at the collector
collected() {
	journalctl -D "$OUT_DIR" -o json --no-pager SYSLOG_IDENTIFIER=flightwatch \
		"$@" 2>>"$FW_TMP/journalctl.err"
}
has_ready() { [ -n "$(journal "$1" "MESSAGE_ID=$ID_READY")" ]; }
for x in a b; do
	if fw_wait_for "$FW_READY_TIMEOUT" has_ready "$x"; then
		pass "${HOST[$x]}: tracer ready (its journal has the ready entry)"
	else
		fw_abort "the tracer of ${HOST[$x]} did not start: $(tail -n 5 "$FW_TMP/tracer-$x.err")"
	fi
done
# The uploader as its unit runs it (Restart=on-failure, --save-state): it
# exits when the collector cannot be reached and starts again from the
# last cursor it saved. Its messages on stderr, not in the journal.
for x in a b; do
	on_bg "$x" env SYSTEMD_LOG_TARGET=console bash -c 'while :; do
		/lib/systemd/systemd-journal-upload --save-state="$1" </dev/null
		echo "exit status $?"
		sleep 1
	done' uploader "$FW_TMP/upload-$x.state" >"$FW_TMP/upload-$x.log" 2>&1
done

# upload X NAME: a tainted upload of a fresh flight log from station X to
# the collector's sink; SENDER[X.NAME] its pid, SIZE[X.NAME] its bytes.
# Nothing the sender wrote is read here while tracers run: a file a
# tainted process writes is a carrier, and this shell would carry the
# flight log into the next sender.
declare -A SENDER=() SIZE=()
upload() {
	local x=$1 name=$2
	local log=$FW_TMP/$x/Telemetry/$name.tlog
	fw_mklog tlog 48k "$log"
	on_bg "$x" "$FWSEND" --timeout 30 --read read "$log" --send write \
		--to "${COL_IP[$x]}" --port "${SINK_PORT[$x]}" \
		</dev/null >/dev/null 2>"$FW_TMP/sender-$x-$name.err"
	SENDER[$x.$name]=$ON_BG
	fw_wait_pid "$ON_BG" 30
	check "${HOST[$x]}: upload $name: fwsend exit status" -eq 0 "$FW_RC"
	SIZE[$x.$name]=$(fw_size "$log")
}
# final_bytes WHERE X NAME: the largest FLIGHTWATCH_DESTINATION_BYTES of the
# sender's alerts, in host X's journal (WHERE=local) or at the collector
final_bytes() {
	local where=$1 x=$2 name=$3
	{
		if [ "$where" = local ]; then
			journal "$x" MESSAGE_ID=$ID_EGRESS \
				"FLIGHTWATCH_PROCESS_PID=${SENDER[$x.$name]}"
		else
			collected MESSAGE_ID=$ID_EGRESS "_HOSTNAME=${HOST[$x]}" \
				"FLIGHTWATCH_PROCESS_PID=${SENDER[$x.$name]}"
		fi
	} | jq -s 'map(.FLIGHTWATCH_DESTINATION_BYTES | tonumber) | max // 0'
}
arrived() { [ "$(final_bytes "$@")" = "${SIZE[$2.$3]}" ]; }
# expect_alerts LABEL WHERE NAME...: each station's uploads NAME... have
# their alerts with the final bytes in WHERE (local, collector)
expect_alerts() {
	local label=$1 where=$2 x n
	shift 2
	for x in a b; do
		for n in "$@"; do
			fw_wait_for 30 arrived "$where" "$x" "$n"
			check "$label: ${HOST[$x]}'s $n alert, $where" \
				-eq "${SIZE[$x.$n]}" "$(final_bytes "$where" "$x" "$n")"
		done
	done
}

# the fields that tell entries apart
KEY='[.MESSAGE_ID, .FLIGHTWATCH_TIMESTAMP, .FLIGHTWATCH_EVENT_ACTION, (.FLIGHTWATCH_EVENT_ID // ""), (.FLIGHTWATCH_DESTINATION_BYTES // "")] | @tsv'
# an entry in brief, when they differ
BRIEF='{t: .__REALTIME_TIMESTAMP, id: .MESSAGE_ID, a: .FLIGHTWATCH_EVENT_ACTION, e: .FLIGHTWATCH_EVENT_ID, b: .FLIGHTWATCH_DESTINATION_BYTES, spooled: .FLIGHTWATCH_SPOOLED, pid: ._PID}'
# journal-upload delivers at least once: after a reconnection it may send
# an entry the collector already has again (a run of this suite saw it
# once). So the collector is held to every entry, each counted once;
# the copies are reported, never a failure.
keys_local() { journal "$1" | jq -r "$KEY" | sort; }
keys_collected() { collected "_HOSTNAME=${HOST[$1]}" | jq -r "$KEY" | sort -u; }
copies_collected() { collected "_HOSTNAME=${HOST[$1]}" | jq -r "$KEY" | sort | uniq -d | grep -c .; }
same() { [ "$(keys_local "$1")" = "$(keys_collected "$1")" ]; }

# --- uploads while the collector is up -----------------------------------------------
for x in a b; do
	upload "$x" first
	fw_wait_for 20 arrived local "$x" first ||
		note "${HOST[$x]}: no complete alert in its journal"
done
for x in a b; do
	fw_wait_for 30 arrived collector "$x" first
	check "${HOST[$x]}: its alert at the collector with the final bytes" \
		-eq "${SIZE[$x.first]}" "$(final_bytes collector "$x" first)"
	e=$(collected MESSAGE_ID=$ID_EGRESS "_HOSTNAME=${HOST[$x]}" \
		"FLIGHTWATCH_PROCESS_PID=${SENDER[$x.first]}" | head -n 1)
	check "${HOST[$x]}: _HOSTNAME" == "${HOST[$x]}" "$(jq -r ._HOSTNAME <<<"$e")"
	check "${HOST[$x]}: FLIGHTWATCH_DESTINATION_IP:PORT" \
		== "${COL_IP[$x]}:${SINK_PORT[$x]}" \
		"$(jq -r '"\(.FLIGHTWATCH_DESTINATION_IP):\(.FLIGHTWATCH_DESTINATION_PORT)"' <<<"$e")"
	check "${HOST[$x]}: FLIGHTWATCH_ORIGIN_PATH" == "$FW_TMP/$x/Telemetry/first.tlog" \
		"$(jq -r .FLIGHTWATCH_ORIGIN_PATH <<<"$e")"
	check "${HOST[$x]}: FLIGHTWATCH_PROCESS_NAME, _NETWORK_TRANSPORT, _CONFIDENCE" \
		== "fwsend tcp high" \
		"$(jq -r '"\(.FLIGHTWATCH_PROCESS_NAME) \(.FLIGHTWATCH_NETWORK_TRANSPORT) \(.FLIGHTWATCH_CONFIDENCE)"' <<<"$e")"
	check "${HOST[$x]}: PRIORITY and FLIGHTWATCH_SEVERITY" == "3 73" \
		"$(jq -r '"\(.PRIORITY) \(.FLIGHTWATCH_SEVERITY)"' <<<"$e")"
	check "${HOST[$x]}: no FLIGHTWATCH_HOST on live entries" == null \
		"$(jq -r .FLIGHTWATCH_HOST <<<"$e")"
done
check "collector: no alert of one station under the other's name" == "" \
	"$(collected MESSAGE_ID=$ID_EGRESS _HOSTNAME=station-a \
		"FLIGHTWATCH_PROCESS_PID=${SENDER[b.first]}")"

# --- the collector down for a while ------------------------------------------------------
# everything so far has arrived: a cursor to resume from on both sides
for x in a b; do
	fw_wait_for 30 same "$x"
	check "up: the collector has all of ${HOST[$x]}'s entries so far" == "" \
		"$(diff <(keys_local "$x") <(keys_collected "$x") | head -n 5)"
done
kill -TERM "$REMOTE_PID"
fw_wait_pid "$REMOTE_PID" 10
check "down: journal-remote stopped" == yes \
	"$(fw_proc_done "$REMOTE_PID" && echo yes)"
before=$(collected | grep -c .)
for x in a b; do
	upload "$x" down1
	upload "$x" down2
done
expect_alerts down local down1 down2
# the uploaders try, fail and start again while nobody listens
failures() { grep -c '^exit status [1-9]' "$FW_TMP/upload-$1.log"; }
fa=$(failures a)
fb=$(failures b)
both_failed() { [ "$(failures a)" -gt "$fa" ] && [ "$(failures b)" -gt "$fb" ]; }
fw_wait_for 15 both_failed
check "down: station-a's uploader found the collector gone" -gt "$fa" "$(failures a)"
check "down: station-b's uploader found the collector gone" -gt "$fb" "$(failures b)"
check "down: nothing reached the collector meanwhile" -eq "$before" \
	"$(collected | grep -c .)"
remote_start || fw_abort "journal-remote did not listen again"
pass "down: journal-remote back"
expect_alerts back collector down1 down2

# --- nothing lost: every flightwatch entry of each station at the collector ---------
for x in a b; do
	kill -TERM "${TRACER[$x]}"
	fw_wait_pid "${TRACER[$x]}" 15
	check "${HOST[$x]}: tracer exit status" -eq 0 "$FW_RC"
done
for x in a b; do
	fw_wait_for 30 same "$x"
	n_local=$(keys_local "$x" | grep -c .)
	check "all: ${HOST[$x]}'s journal has its alerts, ready and stats entries" \
		-ge 5 "$n_local"
	check "all: the collector has every one of ${HOST[$x]}'s $n_local entries" \
		== "" "$(diff <(keys_local "$x") <(keys_collected "$x") | head -n 5)" ||
		{ # which entries, as each journal holds them
			note "${HOST[$x]}'s journal: $(journal "$x" | jq -c "$BRIEF")"
			note "at the collector: $(collected "_HOSTNAME=${HOST[$x]}" | jq -c "$BRIEF")"
		}
	note "${HOST[$x]}: $n_local flightwatch entries, $(keys_collected "$x" | grep -c .) at the collector ($(copies_collected "$x") of them sent twice by journal-upload)"
done
kill -TERM "$REMOTE_PID"
fw_wait_pid "$REMOTE_PID" 10

# --- report --journal DIR on the collector's directory -------------------------------
"$FW_BIN" report --journal "$OUT_DIR" >"$FW_TMP/report.txt" 2>"$FW_TMP/report.err"
check "report --journal DIR: exit status" -eq 0 "$?" ||
	note "$(cat "$FW_TMP/report.err")"
text=$(cat "$FW_TMP/report.txt")
check "report text: both stations" =~ "2 stations" "$(head -n 1 <<<"$text")"
for x in a b; do
	check "report text: ${HOST[$x]} with its 3 flows" =~ \
		"  ${HOST[$x]}: 3 flows, first seen 20" "$text"
done
"$FW_BIN" report --journal "$OUT_DIR" --format json >"$FW_TMP/report.json" \
	2>"$FW_TMP/report.err"
check "report json: exit status" -eq 0 "$?"
check "report json: the stations" == "station-a station-b" \
	"$(jq -r '[.stations[].host] | join(" ")' "$FW_TMP/report.json" 2>&1)"
for x in a b; do
	want=$(printf '%s\n' "${SENDER[$x.first]}" "${SENDER[$x.down1]}" \
		"${SENDER[$x.down2]}" | sort -n | tr '\n' ' ')
	check "report json: ${HOST[$x]}'s senders" == "$want" \
		"$(jq -r --arg h "${HOST[$x]}" '.stations[] | select(.host == $h) |
			.processes[].pid' "$FW_TMP/report.json" | sort -n | tr '\n' ' ')"
	check "report json: ${HOST[$x]}'s destination and bytes" == \
		"${COL_IP[$x]}:${SINK_PORT[$x]} ${SIZE[$x.first]}" \
		"$(jq -r --arg h "${HOST[$x]}" --argjson p "${SENDER[$x.first]}" \
			'.stations[] | select(.host == $h) | .processes[] |
			select(.pid == $p) | .destinations[0] | "\(.ip):\(.port) \(.bytes)"' \
			"$FW_TMP/report.json")"
done
check "report json: every flow names its host" == "3 3" \
	"$(jq -r '[(.flows | map(select(.host == "station-a")) | length),
		(.flows | map(select(.host == "station-b")) | length)] | join(" ")' \
		"$FW_TMP/report.json")"
"$FW_BIN" report --journal "$OUT_DIR" --format dot >"$FW_TMP/report.dot" \
	2>"$FW_TMP/report.err"
check "report dot: exit status" -eq 0 "$?"
check "report dot: a box per station" -eq 2 "$(grep -c 'subgraph cluster_s' "$FW_TMP/report.dot")"
if command -v dot >/dev/null; then
	dot -Tsvg "$FW_TMP/report.dot" >"$FW_TMP/report.svg" 2>"$FW_TMP/dot.err"
	check "report dot: renders" -eq 0 "$?" || note "$(head -n 3 "$FW_TMP/dot.err")"
else
	skip "report dot: renders" "graphviz is not installed (make deps)"
fi

# --- replay of both stations' recordings into the collector's own journal ------------
on col "$FW_BIN" replay --output journal "$FW_TMP/a.fwt" "$FW_TMP/b.fwt" \
	</dev/null >"$FW_TMP/replay.out" 2>"$FW_TMP/replay.err"
check "replay --output journal: exit status" -eq 0 "$?" ||
	note "$(head -n 5 "$FW_TMP/replay.err")"
check "replay: FLIGHTWATCH_HOST of each trace" == "station-a station-b" \
	"$(journal col MESSAGE_ID=$ID_EGRESS | jq -r .FLIGHTWATCH_HOST | sort -u | tr '\n' ' ' | sed 's/ $//')"
check "replay: journald's _HOSTNAME is the replaying host" == collector \
	"$(journal col MESSAGE_ID=$ID_EGRESS | jq -r ._HOSTNAME | sort -u)"
on col "$FW_BIN" report --journal --format json </dev/null \
	>"$FW_TMP/replayed.json" 2>"$FW_TMP/replayed.err"
check "report --journal (system journal): exit status" -eq 0 "$?" ||
	note "$(cat "$FW_TMP/replayed.err")"
for x in a b; do
	check "report --journal of the replay: ${HOST[$x]}'s senders" == \
		"$(jq -c --arg h "${HOST[$x]}" '[.stations[] | select(.host == $h) |
			.processes[].pid] | sort' "$FW_TMP/report.json")" \
		"$(jq -c --arg h "${HOST[$x]}" '[.stations[] | select(.host == $h) |
			.processes[].pid] | sort' "$FW_TMP/replayed.json" 2>&1)"
done

fw_finish
