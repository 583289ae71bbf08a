#!/usr/bin/env bash
# flightwatch benchmark suite (`make bench`, root, not part of CI).
#
# 1. Overhead: six syscall workloads, each pinned to CPU $CPU_W, run with no
#    tracer, with flightwatch and with the peers a user would run instead
#    (opensnoop from libbpf-tools, a bpftrace script of equal scope, an
#    auditd watch rule on the same directory). Every repetition starts each
#    tracer once, runs all workloads under it and stops it; the order of the
#    tracers alternates between repetitions. Prints the median ns/op without
#    a tracer and the median ratio traced/untraced per tracer.
# 2. Collector cost during those runs: CPU seconds, peak RSS, events, lost.
# 3. Loss onset: a tainted process sends to a new UDP destination RATE times
#    a second (one kernel event each); events, lost and collector CPU per rate.
# 4. Start-up: ready time and peak RSS with $PROCS extra processes alive.
# 5. Per-hook cost: bpftool run_time_ns / run_cnt (kernel.bpf_stats_enabled=1
#    for this section only; it is 0 for the others, whatever it was, and
#    restored at exit) of each flightwatch program during each workload.
# 6. Whole programs (tar, grep -r, a loopback transfer, python start-up, a
#    compile) with no tracer, the floor and flightwatch: tests/bench/programs.sh.
#
# Environment: N (iterations of the pread loop; others scale from it),
# REPEAT, PEERS (subset of "floor opensnoop bpftrace auditd floor-events
# floor-events-hot"; floor is the empty tp_btf sys_enter and sys_exit
# programs of tests/bench/floor.bpf.c, what flightwatch's tier pays before
# doing anything; floor-events and floor-events-hot are the floors of a
# tier without raw syscall hooks, tests/bench/floor_events.bpf.c; not in
# the default set), RATES, RATE_SECS,
# PROCS, CPU_W (workload CPU), CPU_T (tracer CPU), FW (the binary,
# build/flightwatch by default), FW_HOOKS (--hooks: the syscall hooks'
# tier, auto by default), FW_READY_WAIT (seconds for its ready line, 10), SECTIONS (a subset of
# "overhead loss procs hooks programs", all by default: `SECTIONS=hooks` measures
# only the per-hook cost, a minute). Results also go to
# build/bench/results.txt.
set -u
cd "$(dirname "$0")/../.."
# shellcheck source=tests/bench/lib.sh
. tests/bench/lib.sh
root=$PWD
out=build/bench
mkdir -p "$out"
cc -O2 -Wall -Wextra -Werror tests/bench/workload.c -o "$out/workload" || exit 1
wl=$root/$out/workload
fw=${FW:-$root/build/flightwatch}

N=${N:-1000000}
REPEAT=${REPEAT:-7}
PEERS=${PEERS:-floor opensnoop bpftrace auditd}
RATES=${RATES:-0 10000 30000 100000 200000 400000}
RATE_SECS=${RATE_SECS:-5}
PROCS=${PROCS:-10000}
CPU_W=${CPU_W:-0}
CPU_T=${CPU_T:-1}
PORT=${PORT:-19099}
WORKLOADS=(pread send openclose forkexec wpread tsend)
SECTIONS=${SECTIONS:-overhead loss procs hooks programs}

if ((EUID != 0)); then
	echo "bench: needs root (BPF, auditd)" >&2
	exit 1
fi
for t in $PEERS; do
	case $t in
	floor | floor-events | floor-events-hot) build_floor "$out" || exit 1 ;;
	opensnoop) command -v opensnoop >/dev/null || { echo "bench: opensnoop missing (make deps-bench)" >&2; exit 1; } ;;
	bpftrace) command -v bpftrace >/dev/null || { echo "bench: bpftrace missing (make deps-bench)" >&2; exit 1; } ;;
	auditd) command -v auditd >/dev/null && command -v auditctl >/dev/null || { echo "bench: auditd missing (make deps-bench)" >&2; exit 1; } ;;
	*) echo "bench: unknown peer $t" >&2; exit 1 ;;
	esac
done

# opensnoop, bpftrace and floor-events attach per-syscall tracepoints, found in tracefs,
# which a machine may not mount at boot (flightwatch itself needs none)
if [[ " $PEERS " == *" opensnoop "* || " $PEERS " == *" bpftrace "* ||
	" $PEERS " == *" floor-events"* ]] &&
	[[ ! -d /sys/kernel/tracing/events ]]; then
	mount -t tracefs tracefs /sys/kernel/tracing ||
		{ echo "bench: cannot mount tracefs on /sys/kernel/tracing" >&2; exit 1; }
fi

tmp=$(mktemp -d /tmp/fwbench.XXXXXX)
watched=$tmp/watched
flightlog=$watched/2026-11-21_10-00-00.tlog
results=$out/results.txt
tracer= # pid of the running tracer
tname= # its name (a TRACERS entry)
sink=
procs_pid=
procs_in=
audit_was_enabled=$(auditctl -s 2>/dev/null | awk '$1 == "enabled" {print $2}')

log() { printf '%s\n' "$*" | tee -a "$results"; }

# Audit restore, as TESTING.md says: once auditd has run, every new process
# pays audit cost until `auditctl -a never,task`.
audit_restore() {
	auditctl -D >/dev/null 2>&1
	auditctl -a never,task >/dev/null 2>&1
	[[ -n $audit_was_enabled ]] && auditctl -e "$audit_was_enabled" >/dev/null 2>&1
}

cleanup() {
	[[ -n $tracer ]] && stop_tracer >/dev/null 2>&1
	[[ -n $procs_pid ]] && { exec {procs_in}>&- ; wait "$procs_pid" 2>/dev/null; }
	[[ -n $sink ]] && kill "$sink" 2>/dev/null && wait "$sink" 2>/dev/null
	sysctl -qw kernel.bpf_stats_enabled="$bpf_stats_was"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for FILE REGEX SECONDS [CMD...]: poll every 10 ms until FILE has a
# line matching REGEX, running CMD (a trigger) before each check
wait_for() {
	local file=$1 re=$2 limit=$(($3 * 100)) i
	shift 3
	for ((i = 0; i < limit; i++)); do
		(($#)) && "$@"
		grep -qE "$re" "$file" 2>/dev/null && return 0
		kill -0 "$tracer" 2>/dev/null || break
		sleep 0.01
	done
	echo "bench: $tname did not become ready" >&2
	cat "$tmp/$tname.err" >&2
	exit 1
}

# start_tracer NAME: start it on CPU_T and wait until it is attached
start_tracer() {
	tname=$1
	tracer=
	[[ $tname == none ]] && return 0
	local o=$tmp/$tname.out e=$tmp/$tname.err
	t_start=$EPOCHREALTIME
	case $tname in
	flightwatch)
		taskset -c "$CPU_T" "$fw" run --json --no-default-rules \
			${FW_HOOKS:+--hooks "$FW_HOOKS"} \
			--watch "$watched" >"$o" 2>"$e" &
		tracer=$!
		# the fast tier under TCG takes a minute to load
		wait_for "$o" '"action":"ready"' "${FW_READY_WAIT:-10}"
		;;
	floor | floor-events | floor-events-hot)
		taskset -c "$CPU_T" "$root/$out/floor" "$root/$out/${tname//-/_}.bpf.o" \
			>"$o" 2>"$e" &
		tracer=$!
		wait_for "$o" '^ready' 10
		;;
	opensnoop)
		taskset -c "$CPU_T" stdbuf -oL opensnoop >"$o" 2>"$e" &
		tracer=$!
		wait_for "$o" 'PATH' 10
		;;
	bpftrace)
		taskset -c "$CPU_T" bpftrace tests/bench/peer.bt "$watched/" \
			$((${#watched} + 1)) >"$o" 2>"$e" &
		tracer=$!
		wait_for "$o" '^ready' 60 "$wl" ping
		;;
	auditd)
		mkdir -p /var/log/audit
		auditctl -D >/dev/null
		taskset -c "$CPU_T" auditd -n -s nochange >"$o" 2>"$e" &
		tracer=$!
		local i
		for ((i = 0; i < 500; i++)); do
			auditctl -s | grep -qx "pid $tracer" && break
			sleep 0.01
		done
		auditctl -e 1 >/dev/null
		auditctl -w "$watched" -p r >/dev/null
		auditctl -l | grep -q -- "-w $watched" || { echo "bench: audit rule not loaded" >&2; exit 1; }
		;;
	esac
	t_ready=$EPOCHREALTIME
}

# stop_tracer: for flightwatch, record CPU seconds and peak RSS first
stop_tracer() {
	[[ -z $tracer ]] && return 0
	if [[ $tname == flightwatch ]]; then
		fw_cpu=$(awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$tracer/stat")
		fw_hwm=$(awk '$1 == "VmHWM:" {print $2}' "/proc/$tracer/status")
	fi
	# auditd stops on SIGTERM, the others flush and print on SIGINT
	local sig=INT i
	[[ $tname == auditd ]] && sig=TERM
	local t0=$EPOCHREALTIME
	kill -"$sig" "$tracer" 2>/dev/null
	# flightwatch drains the ring buffer first: allow it a minute
	for ((i = 0; i < 6000; i++)); do
		kill -0 "$tracer" 2>/dev/null || break
		sleep 0.01
	done
	kill -0 "$tracer" 2>/dev/null && echo "bench: $tname ignored SIG$sig for 60 s: killed" >&2
	kill -KILL "$tracer" 2>/dev/null
	wait "$tracer" 2>/dev/null
	t_stop=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {print b - a}')
	tracer=
	[[ $tname == auditd ]] && audit_restore
	return 0
}

# fw_stat KEY: a number from the last flightwatch stats line
fw_stat() {
	local line
	line=$(grep '"action":"stats"' "$tmp/flightwatch.out" | tail -1)
	[[ -n $line ]] || return 1 # no stats line: it was killed
	jq -r ".flightwatch.stats.$1" <<<"$line"
}


declare -A wcmd=(
	[pread]="pread $tmp/unwatched.dat $N"
	[send]="send $PORT $((N / 4))"
	[openclose]="openclose $tmp/unwatched.dat $((N / 4))"
	[forkexec]="forkexec $((N / 500))"
	[wpread]="pread $flightlog $N"
	[tsend]="taintsend $flightlog $PORT $((N / 4))"
)
declare -A wtitle=(
	[pread]="1 pread 4K unwatched"
	[send]="2 send 1K untainted"
	[openclose]="3 open+close unwatched"
	[forkexec]="4 fork+exec true"
	[wpread]="5 pread 4K flight log"
	[tsend]="6 send 1K tainted"
)
run_workload() { taskset -c "$CPU_W" "$wl" ${wcmd[$1]}; }

setup() {
	mkdir -p "$watched"
	head -c 65536 /dev/urandom >"$tmp/unwatched.dat"
	head -c 65536 /dev/urandom >"$flightlog"
	taskset -c "$CPU_T" socat -u TCP-LISTEN:$PORT,reuseaddr,fork OPEN:/dev/null &
	sink=$!
	local i
	for ((i = 0; i < 300; i++)); do
		ss -Hltn "sport = :$PORT" | grep -q LISTEN && return 0
		sleep 0.01
	done
	echo "bench: TCP sink did not start" >&2
	exit 1
}

machine() {
	log "machine: $(uname -sr), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	log "load before the run: $(cut -d' ' -f1-3 /proc/loadavg); busiest other processes:"
	ps -eo pcpu=,comm= --sort=-pcpu | head -3 | sed 's/^/    /' | tee -a "$results"
	log "command: N=$N REPEAT=$REPEAT PEERS='$PEERS' RATES='$RATES' PROCS=$PROCS make bench  ($(date -u +%FT%TZ), $(git rev-parse --short HEAD 2>/dev/null))"
}

# ---- 1 + 2: overhead of every tracer on every workload -------------------
overhead() {
	local tracers=(none flightwatch $PEERS) order r t w
	log ""
	log "== overhead: median of $REPEAT interleaved repetitions, workload on CPU $CPU_W, tracer on CPU $CPU_T"
	for ((r = 0; r < REPEAT; r++)); do
		mapfile -t order < <(round_order "$r" "${tracers[@]}")
		for t in "${order[@]}"; do
			start_tracer "$t"
			[[ $t == flightwatch ]] && echo "$t_start $t_ready" >>"$tmp/fw.readytimes" &&
				grep -m1 '"ready"' "$tmp/flightwatch.out" | jq -r .flightwatch.startup_seconds >>"$tmp/fw.startup"
			for w in "${WORKLOADS[@]}"; do
				run_workload "$w" >>"$tmp/$t.$w" || exit 1
			done
			stop_tracer
			if [[ $t == flightwatch ]]; then
				echo "$fw_cpu" >>"$tmp/fw.cpu"
				echo "$fw_hwm" >>"$tmp/fw.hwm"
				echo "$(fw_stat 'events | add') $(fw_stat lost)" >>"$tmp/fw.events"
			fi
		done
		echo "bench: repetition $((r + 1))/$REPEAT done" >&2
	done
	local hdr row b
	hdr=$(printf '%-24s %10s' workload "base ns/op")
	for t in "${tracers[@]:1}"; do hdr+=$(printf ' %11s' "$t"); done
	log "$hdr"
	for w in "${WORKLOADS[@]}"; do
		b=$(median <"$tmp/none.$w")
		row=$(printf '%-24s %10.1f' "${wtitle[$w]}" "$b")
		for t in "${tracers[@]:1}"; do
			# ratio of medians: each tracer's runs against the same baseline runs
			row+=$(printf ' %11.3f' "$(awk -v t="$(median <"$tmp/$t.$w")" -v b="$b" 'BEGIN {print t / b}')")
		done
		log "$row"
	done
	log ""
	log "== flightwatch collector per repetition (all six workloads, medians of $REPEAT)"
	log "$(printf 'CPU seconds %.3f, peak RSS %d KiB, events delivered %d, lost %d, ready %.3f s after exec (startup_seconds %.3f)' \
		"$(median <"$tmp/fw.cpu")" "$(median <"$tmp/fw.hwm")" \
		"$(awk '{print $1}' "$tmp/fw.events" | median)" "$(awk '{print $2}' "$tmp/fw.events" | sort -n | tail -1)" \
		"$(awk '{print $2 - $1}' "$tmp/fw.readytimes" | median)" "$(median <"$tmp/fw.startup")")"
}

# ---- 3: rate at which loss begins -----------------------------------------
loss_onset() {
	local rate c0 c1 res sent secs
	log ""
	log "== loss onset: tainted UDP sends to a new destination each (one kernel event each), $RATE_SECS s per rate"
	log "(send-evts: flightwatch.stats.events.send; stop: seconds from SIGINT to exit, the collector draining its backlog)"
	log "$(printf '%10s %10s %10s %10s %8s %10s %9s %7s' target/s achieved/s generated send-evts lost 'coll CPU s' '% of core' 'stop s')"
	for rate in $RATES; do
		start_tracer flightwatch
		c0=$(awk '{print $14 + $15}' "/proc/$tracer/stat")
		if ((rate)); then
			res=$(taskset -c "$CPU_W" "$wl" udpfan "$flightlog" "$rate" "$RATE_SECS")
		else # the idle collector, for reference
			sleep "$RATE_SECS"
			res="0 $RATE_SECS"
		fi
		c1=$(awk '{print $14 + $15}' "/proc/$tracer/stat")
		stop_tracer
		read -r sent secs <<<"$res"
		log "$(printf '%10d %10.0f %10d %10s %8s %10.2f %9.1f %7.2f' "$rate" "$(awk -v n="$sent" -v s="$secs" 'BEGIN {print n / s}')" \
			"$sent" "$(fw_stat events.send || echo '?')" "$(fw_stat lost || echo '?')" \
			"$(awk -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" 'BEGIN {print c / hz}')" \
			"$(awk -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v s="$secs" 'BEGIN {print 100 * c / hz / s}')" "$t_stop")"
	done
}

# ---- 4: start-up with many processes known --------------------------------
many_procs() {
	log ""
	log "== start-up with $PROCS extra sleeping processes"
	local line
	mkfifo "$tmp/procs.in"
	"$wl" procs "$PROCS" <"$tmp/procs.in" >"$tmp/procs.out" &
	procs_pid=$!
	exec {procs_in}>"$tmp/procs.in"
	until grep -q ready "$tmp/procs.out"; do
		kill -0 "$procs_pid" 2>/dev/null || { echo "bench: procs failed" >&2; exit 1; }
		sleep 0.05
	done
	line=$(cat "$tmp/procs.out")
	start_tracer flightwatch
	run_workload forkexec >/dev/null
	stop_tracer
	exec {procs_in}>&-
	wait "$procs_pid" 2>/dev/null
	procs_pid=
	log "$(printf 'children alive: %s; processes known at ready: %s; ready %.3f s after exec (startup_seconds %.3f); peak RSS %d KiB; collector CPU %.2f s' \
		"${line#ready }" "$(grep -m1 '"ready"' "$tmp/flightwatch.out" | jq -r .flightwatch.processes)" \
		"$(awk -v a="$t_start" -v b="$t_ready" 'BEGIN {print b - a}')" \
		"$(grep -m1 '"ready"' "$tmp/flightwatch.out" | jq -r .flightwatch.startup_seconds)" "$fw_hwm" "$fw_cpu")"
}

# ---- 5: per-hook cost -------------------------------------------------------
# ID:NAME RUNS NS of each program: the kernel keeps 15 characters of a
# name, which the fast tier's programs share (fw_call_exit_pr...)
prog_stats() {
	bpftool prog show -j | jq -r --arg ids "$1" \
		'.[] | select((.id | tostring) as $i | $ids | split(" ") | index($i)) | "\(.id):\(.name) \(.run_cnt // 0) \(.run_time_ns // 0)"'
}
hook_costs() {
	local ids w before after
	log ""
	log "== per-hook cost, one run of each workload (bpftool prog show, kernel.bpf_stats_enabled=1)"
	sysctl -qw kernel.bpf_stats_enabled=1
	# our programs: the ones this tracer holds descriptors of (bpftool
	# here lists no pids; other tracers may load fw_* programs meanwhile)
	start_tracer flightwatch
	ids=$(grep -h '^prog_id:' /proc/"$tracer"/fdinfo/* 2>/dev/null |
		awk '{print $2}' | sort -un | tr '\n' ' ')
	log "$(printf '%-24s %-20s %10s %9s %12s' workload id:program 'runs/op' 'ns/run' 'ns/op')"
	for w in "${WORKLOADS[@]}"; do
		before=$(prog_stats "$ids")
		run_workload "$w" >/dev/null
		after=$(prog_stats "$ids")
		local ops=${wcmd[$w]##* }
		join <(sort <<<"$before") <(sort <<<"$after") |
			awk -v w="${wtitle[$w]}" -v ops="$ops" '$4 > $2 {
				runs = $4 - $2; ns = $5 - $3
				printf "%-24s %-20s %10.2f %9.0f %12.1f\n", w, $1, runs / ops, ns / runs, ns / ops }' |
			tee -a "$results"
	done
	# The same fork+exec loop with the collector stopped (SIGSTOP): the ring
	# buffer is never drained, so no record wakes the collector up
	# (bpf_ringbuf_submit wakes it only when it has consumed everything)
	local n=500
	kill -STOP "$tracer"
	before=$(prog_stats "$ids")
	taskset -c "$CPU_W" "$wl" forkexec $n >/dev/null
	after=$(prog_stats "$ids")
	kill -CONT "$tracer"
	join <(sort <<<"$before") <(sort <<<"$after") |
		awk -v w="4 ...collector SIGSTOP" -v ops="$n" '$4 > $2 && $1 !~ /sys_/ {
			runs = $4 - $2; ns = $5 - $3
			printf "%-24s %-20s %10.2f %9.0f %12.1f\n", w, $1, runs / ops, ns / runs, ns / ops }' |
		tee -a "$results"
	stop_tracer
	sysctl -qw kernel.bpf_stats_enabled=0
}

: >"$results"
setup
machine
# every timed section runs without run statistics; only section 5 turns
# them on
bpf_stats_off
for s in $SECTIONS; do
	case $s in
	overhead) overhead ;;
	loss) loss_onset ;;
	procs) many_procs ;;
	hooks) hook_costs ;;
	# its own tracers, CPUs (tracer on CPU 0) and repetitions (REPEAT=5)
	programs) tests/bench/programs.sh || exit 1 ;;
	*) echo "bench: unknown section $s" >&2; exit 1 ;;
	esac
done
log ""
log "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
