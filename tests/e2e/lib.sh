# shellcheck shell=bash
# Globals set here are read by the suites that source this file:
# shellcheck disable=SC2034
# Shared functions for flightwatch's end-to-end suites (sourced, not run).
#
# A suite calls fw_init first; it then owns
#   - a temporary directory $FW_TMP (removed on exit unless FW_KEEP=1),
#   - optionally two network namespaces (fw_netns_setup): the ground station
#     fwgs-$$ (10.203.0.1, fd42:203::1) and the peer fwpeer-$$ (10.203.0.2,
#     10.203.0.3, fd42:203::2, fd42:203::3) joined by a veth pair,
#   - listeners in the peer namespace that discard what they receive,
#   - at most one tracer at a time, writing JSON lines to $FW_OUT.
# Everything is torn down by an EXIT/INT/TERM trap. Test traffic goes only to
# the addresses above. Every wait is bounded in count and time.
#
# Checks print "ok - SUITE: NAME" or "not ok - SUITE: NAME: expected ..., got
# ..." and append one word per check (ok / fail / skip) to $FW_RESULTS, which
# tests/run.sh adds up.

set -u

FW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FW_BIN=${FW_BIN:-$FW_ROOT/build/flightwatch}
# FW_HOOKS=auto|tracepoint|fast: every run, record and check-kernel in the
# syscall-hook tier given (tests/vm/vmtest.sh sets it in the guests)
if [ -n "${FW_HOOKS:-}" ] && [ -z "${FW_HOOKS_BIN:-}" ]; then
	export FW_HOOKS FW_HOOKS_BIN=$FW_BIN
	FW_BIN=$FW_ROOT/tests/e2e/with-hooks
fi
FW_HELPERS=${FW_HELPERS:-$FW_ROOT/build/tests}
FW_RESULTS=${FW_RESULTS:-}
FW_FAILURES=${FW_FAILURES:-}
FWSEND=$FW_HELPERS/fwsend
# the python scenarios' shared module, fwnet.py
export PYTHONPATH=$FW_ROOT/tests/helpers${PYTHONPATH:+:$PYTHONPATH}
FWPAIR=$FW_ROOT/tests/helpers/fwpair.py
FWHOLD=$FW_ROOT/tests/helpers/fwhold.py
FWMKLOG=$FW_HELPERS/fwmklog
FW_SUITE=$(basename "$0" .sh)

FW_GS=fwgs-$$
FW_PEER=fwpeer-$$
FW_GS_IP4=10.203.0.1
FW_PEER_IP4=10.203.0.2
FW_PEER_IP4B=10.203.0.3
FW_GS_IP6=fd42:203::1
FW_PEER_IP6=fd42:203::2
FW_PEER_IP6B=fd42:203::3

FW_READY_TIMEOUT=${FW_READY_TIMEOUT:-20}
FW_STOP_TIMEOUT=${FW_STOP_TIMEOUT:-15}
# Each suite's tracers pin their taint state here, not in the default
# directory (FLIGHTWATCH_STATE_DIR: also for tracers a suite starts
# itself), and fw_tracer_start's start fresh unless FW_STATE_KEEP=1
FW_STATE_DIR=/sys/fs/bpf/fwe2e-$FW_SUITE-$$
export FLIGHTWATCH_STATE_DIR=$FW_STATE_DIR
FW_STATE_KEEP=0

FW_PASS=0
FW_FAIL=0
FW_SKIP=0
FW_TMP=
FW_NETNS=0
FW_TRACER_PID=
FW_TRACER_RC=
FW_TRACER_NAME=
FW_OUT=
FW_ERR=
FW_BG=
FW_RC=
FW_BG_PIDS=()

# ---- reporting -------------------------------------------------------------

# One line for output: newlines and tabs made visible, long values cut
_fw_show() {
	local s=$1
	s=${s//$'\n'/\\n}
	s=${s//$'\t'/\\t}
	if [ "${#s}" -gt 400 ]; then
		s="${s:0:400}...(${#1} chars)"
	fi
	printf '%s' "$s"
}

_fw_result() {
	if [ -n "$FW_RESULTS" ]; then
		printf '%s\n' "$1" >>"$FW_RESULTS"
	fi
}

pass() {
	FW_PASS=$((FW_PASS + 1))
	_fw_result ok
	printf 'ok - %s: %s\n' "$FW_SUITE" "$1"
}

# fail NAME EXPECTED ACTUAL
fail() {
	local line
	FW_FAIL=$((FW_FAIL + 1))
	_fw_result fail
	line=$(printf 'not ok - %s: %s: expected %s, got %s' "$FW_SUITE" "$1" \
		"$(_fw_show "$2")" "$(_fw_show "$3")")
	printf '%s\n' "$line"
	# the runner repeats every failure at the end of its output
	if [ -n "$FW_FAILURES" ]; then
		printf '%s\n' "$line" >>"$FW_FAILURES"
	fi
}

skip() {
	FW_SKIP=$((FW_SKIP + 1))
	_fw_result skip
	printf 'ok - %s: %s # SKIP %s\n' "$FW_SUITE" "$1" "$2"
}

note() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done <<<"$*"
}

_fw_is_int() {
	[[ $1 =~ ^-?[0-9]+$ ]]
}

_fw_int_cmp() {
	case $2 in
	-eq) [ "$1" -eq "$3" ] ;;
	-ne) [ "$1" -ne "$3" ] ;;
	-ge) [ "$1" -ge "$3" ] ;;
	-gt) [ "$1" -gt "$3" ] ;;
	-le) [ "$1" -le "$3" ] ;;
	-lt) [ "$1" -lt "$3" ] ;;
	*) return 2 ;;
	esac
}

# check NAME OP EXPECTED ACTUAL
#   OP: == != (strings), -eq -ne -ge -gt -le -lt (integers),
#       =~ (extended regex), contains, !contains, starts
check() {
	local name=$1 op=$2 exp=$3 act=$4 ok=1 desc
	case $op in
	==) [ "$act" = "$exp" ] || ok=0; desc="'$exp'" ;;
	!=) [ "$act" != "$exp" ] || ok=0; desc="anything but '$exp'" ;;
	-eq | -ne | -ge | -gt | -le | -lt)
		if _fw_is_int "$act" && _fw_is_int "$exp"; then
			_fw_int_cmp "$act" "$op" "$exp" || ok=0
		else
			ok=0
		fi
		case $op in
		-eq) desc="= $exp" ;;
		-ne) desc="!= $exp" ;;
		-ge) desc=">= $exp" ;;
		-gt) desc="> $exp" ;;
		-le) desc="<= $exp" ;;
		-lt) desc="< $exp" ;;
		esac
		;;
	=~) [[ $act =~ $exp ]] || ok=0; desc="to match /$exp/" ;;
	contains) [[ $act == *"$exp"* ]] || ok=0; desc="to contain '$exp'" ;;
	!contains) [[ $act != *"$exp"* ]] || ok=0; desc="not to contain '$exp'" ;;
	starts) [[ $act == "$exp"* ]] || ok=0; desc="to start with '$exp'" ;;
	*) ok=0; desc="(bad operator $op in test)" ;;
	esac
	if [ "$ok" = 1 ]; then
		pass "$name"
	else
		fail "$name" "$desc" "'$act'"
	fi
	[ "$ok" = 1 ]
}

# fw_abort WHY: the suite cannot go on (the trap cleans up)
fw_abort() {
	fail "suite setup" "a working setup" "$1"
	exit 1
}

fw_finish() {
	printf '# %s: %d passed, %d failed, %d skipped\n' "$FW_SUITE" \
		"$FW_PASS" "$FW_FAIL" "$FW_SKIP"
	[ "$FW_FAIL" -eq 0 ]
	exit
}

# ---- processes -------------------------------------------------------------

# Succeeds when PID has exited (gone or a zombie waiting to be reaped)
fw_proc_done() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	[ "${stat%% *}" = Z ]
}

# fw_wait_pid PID SECONDS: wait for a child of this shell, at most SECONDS;
# FW_RC gets its exit status (KILLed and 137 after the deadline)
fw_wait_pid() {
	local pid=$1 i max=$(($2 * 20))
	for ((i = 0; i < max; i++)); do
		fw_proc_done "$pid" && break
		sleep 0.05
	done
	if ! fw_proc_done "$pid"; then
		note "pid $pid still running after $2 s: killing it"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	FW_RC=$?
	return 0
}

# Kill a process we started, and its direct children (socat's forks)
_fw_kill_tree() {
	local pid=$1 kid
	for kid in $(pgrep -P "$pid" 2>/dev/null); do
		kill -TERM "$kid" 2>/dev/null
	done
	kill -TERM "$pid" 2>/dev/null
}

# fw_now_ms: monotonic-enough wall clock in milliseconds
fw_now_ms() {
	local ns
	ns=$(date +%s%N)
	printf '%s\n' $((ns / 1000000))
}

# fw_wait_file PATH SECONDS: poll for a file
fw_wait_file() {
	local i max=$(($2 * 20))
	for ((i = 0; i < max; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	[ -e "$1" ]
}

# fw_wait_for SECONDS CMD...: run CMD every 0.1 s until it succeeds; fails
# after SECONDS * 10 tries or SECONDS of wall-clock time, whichever comes
# first (CMD itself must be bounded: give it a timeout when it could hang)
fw_wait_for() {
	local i max=$(($1 * 10)) end=$(($(fw_now_ms) + $1 * 1000))
	shift
	for ((i = 0; i < max; i++)); do
		"$@" && return 0
		[ "$(fw_now_ms)" -lt "$end" ] || return 1
		sleep 0.1
	done
	return 1
}

# ---- setup and teardown ----------------------------------------------------

fw_cleanup() {
	local pid f keep
	trap - EXIT INT TERM
	if [ -n "$FW_TRACER_PID" ] && ! fw_proc_done "$FW_TRACER_PID"; then
		kill -INT "$FW_TRACER_PID" 2>/dev/null
		fw_wait_pid "$FW_TRACER_PID" 10
	fi
	for pid in "${FW_BG_PIDS[@]}"; do
		fw_proc_done "$pid" || _fw_kill_tree "$pid"
	done
	for pid in "${FW_BG_PIDS[@]}"; do
		fw_wait_pid "$pid" 5 >/dev/null
	done
	rm -rf "$FW_STATE_DIR" "$FW_STATE_DIR"-* 2>/dev/null
	if [ "$FW_NETNS" = 1 ]; then
		ip netns del "$FW_GS" 2>/dev/null
		ip netns del "$FW_PEER" 2>/dev/null
	fi
	if [ -n "$FW_TMP" ] && [ -d "$FW_TMP" ]; then
		# keep the tracer's output where CI can find it
		keep=$FW_HELPERS/e2e-logs
		rm -f "$keep/$FW_SUITE"-* 2>/dev/null
		mkdir -p "$keep" 2>/dev/null &&
			for f in "$FW_TMP"/*.out "$FW_TMP"/*.err; do
				[ -f "$f" ] || continue
				cp "$f" "$keep/$FW_SUITE-${f##*/}" 2>/dev/null
			done
		if [ "${FW_KEEP:-0}" = 1 ]; then
			note "kept $FW_TMP"
		else
			rm -rf "$FW_TMP"
		fi
	fi
}

# fw_init: temp dir, traps, preconditions shared by every suite
fw_init() {
	local tool
	trap fw_cleanup EXIT
	trap 'fw_cleanup; exit 130' INT
	trap 'fw_cleanup; exit 143' TERM
	FW_TMP=$(mktemp -d "${TMPDIR:-/tmp}/fwe2e-$FW_SUITE.XXXXXX") ||
		fw_abort "cannot create a temporary directory"
	chmod 755 "$FW_TMP"
	[ "$(id -u)" = 0 ] || fw_abort "e2e suites need root"
	[ -x "$FW_BIN" ] || fw_abort "no tracer binary at $FW_BIN (run make)"
	if ! [ -x "$FWSEND" ] || ! [ -x "$FWMKLOG" ]; then
		fw_abort "no helpers in $FW_HELPERS (run tests/run.sh)"
	fi
	for tool in jq ip nsenter ss socat iconv pgrep timeout; do
		command -v "$tool" >/dev/null ||
			fw_abort "$tool is not installed"
	done
}

# fw_netns_setup: two namespaces and a veth pair between them
fw_netns_setup() {
	local a=fwa$$ b=fwb$$
	ip netns add "$FW_GS" || fw_abort "ip netns add $FW_GS failed"
	FW_NETNS=1
	ip netns add "$FW_PEER" || fw_abort "ip netns add $FW_PEER failed"
	ip link add "$a" netns "$FW_GS" type veth peer name "$b" \
		netns "$FW_PEER" || fw_abort "cannot create the veth pair"
	{
		ip -n "$FW_GS" link set lo up &&
			ip -n "$FW_PEER" link set lo up &&
			ip -n "$FW_GS" addr add "$FW_GS_IP4/24" dev "$a" &&
			ip -n "$FW_GS" addr add "$FW_GS_IP6/64" dev "$a" nodad &&
			ip -n "$FW_PEER" addr add "$FW_PEER_IP4/24" dev "$b" &&
			ip -n "$FW_PEER" addr add "$FW_PEER_IP4B/24" dev "$b" &&
			ip -n "$FW_PEER" addr add "$FW_PEER_IP6/64" dev "$b" nodad &&
			ip -n "$FW_PEER" addr add "$FW_PEER_IP6B/64" dev "$b" nodad &&
			ip -n "$FW_GS" link set "$a" up &&
			ip -n "$FW_PEER" link set "$b" up
	} || fw_abort "cannot configure the namespaces"
}

# fw_peer_listen KIND PORT: a discarding listener in the peer namespace;
# KIND is tcp4, tcp6, udp4 or udp6 (bound to every address of its family)
fw_peer_listen() {
	local kind=$1 port=$2 addr proto i
	case $kind in
	tcp4) addr=TCP4-LISTEN:$port,reuseaddr,fork,backlog=128 proto=-t ;;
	tcp6) addr=TCP6-LISTEN:$port,ipv6only=1,reuseaddr,fork,backlog=128 proto=-t ;;
	udp4) addr=UDP4-RECV:$port proto=-u ;;
	udp6) addr=UDP6-RECV:$port,ipv6only=1 proto=-u ;;
	*) fw_abort "bad listener kind $kind" ;;
	esac
	nsenter --net="/run/netns/$FW_PEER" socat -u "$addr" GOPEN:/dev/null \
		</dev/null >/dev/null 2>>"$FW_TMP/peers.log" &
	FW_BG_PIDS+=("$!")
	for ((i = 0; i < 200; i++)); do
		if [ -n "$(ss -N "$FW_PEER" -H -ln "$proto" "sport = :$port" 2>/dev/null)" ]; then
			return 0
		fi
		fw_proc_done "$!" && break
		sleep 0.05
	done
	fw_abort "$kind listener on port $port did not come up ($(cat "$FW_TMP/peers.log"))"
}

# fw_peer_keep KIND PORT: a listener in the peer namespace that appends
# what it receives to $FW_TMP/rx-KIND-PORT
fw_peer_keep() {
	local kind=$1 port=$2 addr proto i
	case $kind in
	tcp4) addr=TCP4-LISTEN:$port,reuseaddr,fork proto=-t ;;
	tcp6) addr=TCP6-LISTEN:$port,ipv6only=1,reuseaddr,fork proto=-t ;;
	udp4) addr=UDP4-RECV:$port proto=-u ;;
	udp6) addr=UDP6-RECV:$port,ipv6only=1 proto=-u ;;
	esac
	: >"$FW_TMP/rx-$kind-$port"
	nsenter --net="/run/netns/$FW_PEER" socat -u "$addr" \
		"OPEN:$FW_TMP/rx-$kind-$port,append" </dev/null \
		>/dev/null 2>>"$FW_TMP/peers.log" &
	FW_BG_PIDS+=("$!")
	for ((i = 0; i < 200; i++)); do
		[ -n "$(ss -N "$FW_PEER" -H -ln "$proto" "sport = :$port" 2>/dev/null)" ] &&
			return 0
		sleep 0.05
	done
	fw_abort "$kind listener on port $port did not come up"
}

# fw_peers PORT4 PORT6: the namespaces, a TCP listener of each family in
# the peer and a probe of both (the usual start of a suite)
fw_peers() {
	fw_netns_setup
	fw_peer_listen tcp4 "$1"
	fw_peer_listen tcp6 "$2"
	fw_probe_network "$1" "$2"
}

# fw_gs_bg CMD...: run CMD in the ground-station namespace, in the
# background. nsenter execs CMD, so FW_BG is CMD's own pid.
fw_gs_bg() {
	nsenter --net="/run/netns/$FW_GS" "$@" </dev/null &
	FW_BG=$!
}

# fw_gs CMD...: the same in the foreground (bounded by the helper's alarm)
fw_gs() {
	nsenter --net="/run/netns/$FW_GS" "$@" </dev/null
}

# fw_sc NAME PROGRAM ARGS...: run a scenario's PROGRAM in the ground-station
# namespace to its end (at most 30 s) and check its exit status; its output
# goes to $FW_TMP/sc-NAME.err, to be read only after the tracer stopped (it
# may be tainted); FW_PIDS[NAME] is its pid
declare -A FW_PIDS=()
fw_sc() {
	local name=$1
	shift
	fw_gs_bg "$@" >"$FW_TMP/sc-$name.err" 2>&1
	FW_PIDS[$name]=$FW_BG
	fw_wait_pid "$FW_BG" 30
	check "$name: scenario exit status" -eq 0 "$FW_RC"
}

# fw_probe_network: one untainted byte stream per family, before any tracer
fw_probe_network() {
	local port4=$1 port6=$2
	fw_gs "$FWSEND" --timeout 10 --bytes 16 --to "$FW_PEER_IP4" \
		--port "$port4" 2>"$FW_TMP/probe.err" ||
		fw_abort "ground station cannot reach $FW_PEER_IP4:$port4: $(cat "$FW_TMP/probe.err")"
	fw_gs "$FWSEND" --timeout 10 --bytes 16 --to "$FW_PEER_IP6" \
		--port "$port6" 2>"$FW_TMP/probe.err" ||
		fw_abort "ground station cannot reach [$FW_PEER_IP6]:$port6: $(cat "$FW_TMP/probe.err")"
}

# fw_sshd NETNS ADDRESS PORT: an sshd of the suite's own (host and user
# keys made here, in $FW_SSH; root logs in with $FW_SSH/user; sftp
# served in-process) listening on ADDRESS:PORT in namespace NETNS
fw_sshd() {
	local netns=$1 addr=$2 port=$3 i
	FW_SSH=$FW_TMP/ssh
	[ -x /usr/sbin/sshd ] ||
		fw_abort "no /usr/sbin/sshd (make deps installs openssh-server)"
	mkdir -p "$FW_SSH" /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$FW_SSH/host" &&
		ssh-keygen -q -t ed25519 -N '' -f "$FW_SSH/user" ||
		fw_abort "ssh-keygen failed"
	cp "$FW_SSH/user.pub" "$FW_SSH/authorized_keys"
	cat >"$FW_SSH/sshd_config" <<CONF
Port $port
ListenAddress $addr
HostKey $FW_SSH/host
AuthorizedKeysFile $FW_SSH/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
PidFile $FW_SSH/sshd.pid
CONF
	nsenter --net="/run/netns/$netns" /usr/sbin/sshd -D -e \
		-f "$FW_SSH/sshd_config" </dev/null 2>"$FW_TMP/sshd.log" &
	FW_BG_PIDS+=("$!")
	for ((i = 0; i < 100; i++)); do
		[ -n "$(ss -N "$netns" -H -ltn "sport = :$port" 2>/dev/null)" ] &&
			return 0
		sleep 0.05
	done
	fw_abort "sshd did not listen ($(cat "$FW_TMP/sshd.log"))"
}

# fw_mklog TYPE SIZE PATH: write a fixture and check that it is well formed
fw_mklog() {
	"$FWMKLOG" "$1" "$2" "$3" || fw_abort "fwmklog $1 $3 failed"
	"$FWMKLOG" --verify "$1" "$3" || fw_abort "fwmklog wrote a bad $1"
}

fw_size() {
	stat -c %s -- "$1"
}

# ---- the tracer ------------------------------------------------------------

# fw_tracer_start NAME ARGS...: start "flightwatch run --json ARGS" and wait
# for its ready line; output in $FW_OUT, stderr in $FW_ERR
fw_tracer_start() {
	local name=$1 i t0 max=$((FW_READY_TIMEOUT * 20))
	shift
	FW_TRACER_NAME=$name
	FW_OUT=$FW_TMP/$name.out
	FW_ERR=$FW_TMP/$name.err
	FW_TRACER_RC=
	t0=$(fw_now_ms)
	local state=(--state-dir "$FW_STATE_DIR")
	[ "$FW_STATE_KEEP" = 1 ] || state+=(--fresh)
	"$FW_BIN" run --json "${state[@]}" "$@" </dev/null >"$FW_OUT" 2>"$FW_ERR" &
	FW_TRACER_PID=$!
	note "$name: flightwatch run --json $* (pid $FW_TRACER_PID)"
	for ((i = 0; i < max; i++)); do
		if grep -q '"ready"' "$FW_OUT" 2>/dev/null &&
			[ -n "$(fw_json "$FW_OUT" | jq -c 'select(.event.kind == "state" and .event.action == "ready")')" ]; then
			pass "$name: tracer ready ($(($(fw_now_ms) - t0)) ms)"
			return 0
		fi
		if fw_proc_done "$FW_TRACER_PID"; then
			wait "$FW_TRACER_PID"
			FW_TRACER_RC=$?
			FW_TRACER_PID=
			fail "$name: tracer ready" "a ready line" \
				"exit status $FW_TRACER_RC, stderr: $(tail -n 5 "$FW_ERR")"
			return 1
		fi
		sleep 0.05
	done
	fail "$name: tracer ready" "a ready line within $FW_READY_TIMEOUT s" \
		"none; stderr: $(tail -n 5 "$FW_ERR")"
	return 1
}

# fw_tracer_stop [SIGNAL]: stop the tracer (SIGINT by default), wait for it,
# and check the exit: status 0, a stats line, only valid JSON lines on
# stdout. FW_TRACER_RC gets the exit status.
fw_tracer_stop() {
	local sig=${1:-INT} name=$FW_TRACER_NAME i max=$((FW_STOP_TIMEOUT * 20))
	local bad stats
	[ -n "$FW_TRACER_PID" ] || return 1
	kill -"$sig" "$FW_TRACER_PID"
	for ((i = 0; i < max; i++)); do
		fw_proc_done "$FW_TRACER_PID" && break
		sleep 0.05
	done
	if ! fw_proc_done "$FW_TRACER_PID"; then
		fail "$name: tracer exits after SIG$sig" \
			"exit within $FW_STOP_TIMEOUT s" "still running: killed"
		kill -KILL "$FW_TRACER_PID"
	fi
	wait "$FW_TRACER_PID"
	FW_TRACER_RC=$?
	FW_TRACER_PID=
	check "$name: exit status after SIG$sig" -eq 0 "$FW_TRACER_RC" ||
		note "stderr: $(tail -n 20 "$FW_ERR")"
	stats=$(fw_stats)
	check "$name: stats line on stdout" != "" "$stats"
	bad=$(jq -rR '. as $l | try (fromjson | empty) catch $l' "$FW_OUT")
	check "$name: every stdout line is one JSON object" == "" "$bad"
	if iconv -f UTF-8 -t UTF-8 "$FW_OUT" >/dev/null 2>&1; then
		pass "$name: stdout is valid UTF-8"
	else
		fail "$name: stdout is valid UTF-8" "valid UTF-8" \
			"invalid bytes: $(LC_ALL=C grep -naxv '.*' "$FW_OUT" | head -n 3)"
	fi
}

# ---- reading the tracer's output -------------------------------------------

# fw_json FILE: the lines of FILE that parse as JSON, compacted
fw_json() {
	jq -cR 'fromjson? // empty' "${1:-$FW_OUT}"
}

# fw_stats: the final stats object of the current tracer (or empty)
fw_stats() {
	fw_json "$FW_OUT" | jq -c 'select(.event.kind == "metric" and
		.event.action == "stats") | .flightwatch.stats' | tail -n 1
}

# fw_alerts PID [PORT]: alert lines for PID (and destination PORT)
fw_alerts() {
	fw_json "$FW_OUT" | jq -c --arg pid "$1" --arg port "${2:-}" '
		select(.event.kind == "alert" and
		       (.process.pid | tostring) == $pid and
		       ($port == "" or (.destination.port | tostring) == $port))'
}

# fw_last_alert PID [PORT]: the last line of that flow (the final bytes)
fw_last_alert() {
	fw_alerts "$@" | tail -n 1
}

# fw_get JSON FILTER: one value, raw; empty when null or absent
fw_get() {
	jq -r "$2 // empty" <<<"$1" 2>/dev/null
}

# fw_wait_alerts_by FIELD SECONDS KEY:MINBYTES...: wait until, for every
# KEY, an alert whose FIELD (a jq path: .process.pid, .destination.port)
# equals KEY has destination.bytes >= MINBYTES (succeeds early), at most
# SECONDS
fw_wait_alerts_by() {
	local field=$1 secs=$2 i max want=
	shift 2
	local spec
	for spec in "$@"; do
		want+="\"${spec%%:*}\":${spec#*:},"
	done
	want="{${want%,}}"
	max=$((secs * 10))
	for ((i = 0; i < max; i++)); do
		if [ "$(jq -nR --argjson want "$want" "
			[inputs | fromjson? | select(.event.kind == \"alert\") |
			 {p: ($field | tostring), b: .destination.bytes}] |
			group_by(.p) | map({key: .[0].p, value: (map(.b) | max)}) |
			from_entries as \$got |
			all(\$want | to_entries[]; (\$got[.key] // -1) >= .value)" \
			"$FW_OUT" 2>/dev/null)" = true ]; then
			return 0
		fi
		fw_proc_done "${FW_TRACER_PID:-0}" && return 1
		sleep 0.1
	done
	return 1
}

# fw_wait_alerts SECONDS PID:MINBYTES...: fw_wait_alerts_by on the pid
fw_wait_alerts() {
	fw_wait_alerts_by .process.pid "$@"
}

# fw_wait_first_alert PID SECONDS: poll (10 ms) for the first alert of PID;
# prints the time it appeared (fw_now_ms), fails after SECONDS
fw_wait_first_alert() {
	local pid=$1 i max=$(($2 * 100))
	for ((i = 0; i < max; i++)); do
		if grep -q "$pid" "$FW_OUT" 2>/dev/null &&
			[ -n "$(fw_alerts "$pid")" ]; then
			fw_now_ms
			return 0
		fi
		sleep 0.01
	done
	return 1
}

# fw_expect_no_alert NAME PID: after the tracer stopped
fw_expect_no_alert() {
	local lines
	lines=$(fw_alerts "$2")
	check "$1: no alert" == "" "$lines"
}

# fw_expect_flow NAME PID IP PORT TRANSPORT TYPE MINBYTES PATH: the usual
# assertions on the last alert line of one flow (no file.path check when
# PATH is empty)
fw_expect_flow() {
	local name=$1 pid=$2 ip=$3 port=$4 transport=$5 type=$6 min=$7 path=$8
	local a
	a=$(fw_last_alert "$pid" "$port")
	if ! check "$name: alert for pid $pid to port $port" != "" "$a"; then
		note "alerts of pid $pid: $(fw_alerts "$pid")"
		return 1
	fi
	check "$name: destination.ip" == "$ip" "$(fw_get "$a" .destination.ip)"
	check "$name: destination.bytes >= $min" -ge "$min" \
		"$(fw_get "$a" .destination.bytes)"
	check "$name: network.transport" == "$transport" \
		"$(fw_get "$a" .network.transport)"
	check "$name: network.type" == "$type" "$(fw_get "$a" .network.type)"
	if [ -n "$path" ]; then
		check "$name: file.path" == "$path" "$(fw_get "$a" .file.path)"
	fi
}
