#!/usr/bin/env bash
# Whole programs under the tracer (`make bench` runs it from run.sh; root).
#
# Five programs a user runs, each timed with no tracer, with the floor
# (tests/bench/floor.bpf.c: empty tp_btf sys_enter and sys_exit programs,
# what any tracer on those hooks pays before doing anything) and with
# flightwatch (its default rules plus a watched directory). The programs
# run on CPU $CPU_W, the tracer on CPU $CPU_T. Every repetition starts each
# tracer once and runs all programs under it; the order of the tracers
# alternates between repetitions. Prints the median seconds without a
# tracer and the ratio of medians traced/untraced, with the geometric mean
# of the five ratios.
#
#   tar      tar cf - /usr/share/doc /usr/share/man, into a pipe
#   grep     grep -r of a string found nowhere, over /usr/include, 5 times
#   tcp      512 MiB over loopback TCP in 1 MiB writes (python3, socat)
#   python   python3 -c pass, $PY_RUNS times
#   compile  cc -O2 -c of every user/*.c of this tree, one after another
#
# Environment: REPEAT (default 5), CPU_W (default 1), CPU_T (default 0),
# PROGRAMS (a subset of the five), PY_RUNS (default 20), PORT, FW (the
# flightwatch binary, build/flightwatch by default), FW_BEFORE (another
# build, shown in a column "before" of its own: a change measured against
# its parent under the same load). Results are appended to
# build/bench/results.txt.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/bench/lib.sh
. tests/bench/lib.sh
root=$PWD
out=build/bench
mkdir -p "$out"
fw=${FW:-$root/build/flightwatch}
REPEAT=${REPEAT:-5}
CPU_W=${CPU_W:-1}
CPU_T=${CPU_T:-0}
PROGRAMS=${PROGRAMS:-tar grep tcp python compile}
PY_RUNS=${PY_RUNS:-20}
PORT=${PORT:-19098}
results=$out/results.txt

if ((EUID != 0)); then
	echo "bench: needs root (BPF)" >&2
	exit 1
fi
for c in clang cc tar grep python3 socat taskset jq; do
	command -v "$c" >/dev/null || { echo "bench: $c missing" >&2; exit 1; }
done
[[ -x $fw && -r $out/../vmlinux.h ]] || { echo "bench: run make first" >&2; exit 1; }
build_floor "$out" || exit 1

tmp=$(mktemp -d /tmp/fwprograms.XXXXXX)
# a taint state of its own, started fresh: nothing taken over from the
# service or an earlier run
state=/sys/fs/bpf/fwprograms-$$
tracer=
sink=
cleanup() {
	[[ -n $tracer ]] && kill -INT "$tracer" 2>/dev/null && wait "$tracer" 2>/dev/null
	[[ -n $sink ]] && kill "$sink" 2>/dev/null && wait "$sink" 2>/dev/null
	rm -rf "$tmp" "$state"
	sysctl -qw kernel.bpf_stats_enabled="$bpf_stats_was"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s\n' "$*" | tee -a "$results"; }
bpf_stats_off

mkdir -p "$tmp/watched" "$tmp/objs"

# start_tracer NAME: none, floor or flightwatch, on CPU_T, attached on return
start_tracer() {
	local name=$1 o=$tmp/$1.out i
	tracer=
	case $name in
	none) return 0 ;;
	floor) taskset -c "$CPU_T" "$out/floor" "$out/floor.bpf.o" >"$o" 2>"$tmp/$name.err" & ;;
	flightwatch | before)
		local bin=$fw
		[[ $name == before ]] && bin=$FW_BEFORE
		taskset -c "$CPU_T" "$bin" run --json --state-dir "$state" --fresh \
			--watch "$tmp/watched" >"$o" 2>"$tmp/$name.err" &
		;;
	esac
	tracer=$!
	for ((i = 0; i < 1000; i++)); do
		grep -qE '^ready|"action":"ready"' "$o" 2>/dev/null && return 0
		kill -0 "$tracer" 2>/dev/null || break
		sleep 0.01
	done
	echo "bench: $name did not become ready" >&2
	cat "$tmp/$name.err" >&2
	exit 1
}

stop_tracer() {
	[[ -z $tracer ]] && return 0
	kill -INT "$tracer"
	wait "$tracer"
	tracer=
}

# run_program NAME: its wall-clock seconds on CPU_W
run_program() {
	local t0=$EPOCHREALTIME i
	case $1 in
	tar) taskset -c "$CPU_W" bash -c 'tar cf - /usr/share/doc /usr/share/man 2>/dev/null | cat >/dev/null' ;;
	grep)
		for ((i = 0; i < 5; i++)); do
			taskset -c "$CPU_W" grep -r flightwatch-finds-nothing-here /usr/include >/dev/null
		done
		;;
	tcp)
		taskset -c "$CPU_W" python3 -c '
import socket, sys
buf = b"a" * (1 << 20)
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
for _ in range(512):
    s.sendall(buf)
s.shutdown(socket.SHUT_WR)
s.recv(1)  # the listener closes once it has read everything
' "$PORT" || { echo "bench: transfer failed" >&2; exit 1; }
		;;
	python) for ((i = 0; i < PY_RUNS; i++)); do taskset -c "$CPU_W" python3 -c pass; done ;;
	compile)
		for f in user/*.c user/*/*.c; do
			taskset -c "$CPU_W" cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude -Iuser -Ibuild \
				-c "$f" -o "$tmp/objs/x.o" || { echo "bench: cc $f failed" >&2; exit 1; }
		done
		;;
	esac
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {print b - a}'
}

taskset -c "$CPU_W" socat -u "TCP4-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork" OPEN:/dev/null &
sink=$!
for ((i = 0; i < 300; i++)); do
	ss -Hltn "sport = :$PORT" | grep -q LISTEN && break
	sleep 0.01
done
# warm the page cache: every round reads what is already in memory
for p in $PROGRAMS; do run_program "$p" >/dev/null; done

tracers=(none floor flightwatch)
[[ -n ${FW_BEFORE:-} ]] && tracers+=(before)
log ""
log "== whole programs: median of $REPEAT interleaved repetitions, program on CPU $CPU_W, tracer on CPU $CPU_T"
log "load before: $(cut -d' ' -f1-3 /proc/loadavg)  ($(date -u +%FT%TZ), $(git rev-parse --short HEAD 2>/dev/null), REPEAT=$REPEAT PROGRAMS='$PROGRAMS')"
for ((r = 0; r < REPEAT; r++)); do
	mapfile -t order < <(round_order "$r" "${tracers[@]}")
	for t in "${order[@]}"; do
		start_tracer "$t"
		for p in $PROGRAMS; do
			run_program "$p" >>"$tmp/$t.$p" || exit 1
		done
		stop_tracer
	done
	echo "bench: programs repetition $((r + 1))/$REPEAT done" >&2
done
lost=$(grep '"action":"stats"' "$tmp/flightwatch.out" | tail -1 | jq -r '.flightwatch.stats.lost // "?"')

hdr=$(printf '%-10s %10s' program 'base s')
for t in "${tracers[@]:1}"; do hdr+=$(printf ' %11s' "$t"); done
log "$hdr"
declare -A logsum
for p in $PROGRAMS; do
	b=$(median <"$tmp/none.$p")
	row=$(printf '%-10s %10.3f' "$p" "$b")
	for t in "${tracers[@]:1}"; do
		ratio=$(awk -v t="$(median <"$tmp/$t.$p")" -v b="$b" 'BEGIN {print t / b}')
		logsum[$t]=$(awk -v s="${logsum[$t]:-0}" -v r="$ratio" 'BEGIN {print s + log(r)}')
		row+=$(printf ' %11.3f' "$ratio")
	done
	log "$row"
done
n=$(wc -w <<<"$PROGRAMS")
row=$(printf '%-10s %10s' 'geo. mean' '')
for t in "${tracers[@]:1}"; do
	row+=$(printf ' %11.3f' "$(awk -v s="${logsum[$t]}" -v n="$n" 'BEGIN {print exp(s / n)}')")
done
log "$row"
log "flightwatch records lost in the last repetition: $lost"
log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
