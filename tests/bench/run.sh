#!/usr/bin/env bash
# Overhead of the tracer on syscall loops of processes that never read a
# flight log: the same workload without and with `flightwatch run`,
# interleaved, REPEAT times; prints the median ns/op of each and the ratio.
set -u
cd "$(dirname "$0")/../.."
out=build/bench
mkdir -p "$out"
cc -O2 -Wall -Wextra -Werror tests/bench/workload.c -o "$out/workload" || exit 1
REPEAT=${REPEAT:-7}
N=${N:-500000}
tmp=$(mktemp -d)
tracer=
sink=
cleanup() {
	[[ -n $tracer ]] && kill -INT "$tracer" 2>/dev/null && wait "$tracer" 2>/dev/null
	[[ -n $sink ]] && kill "$sink" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
head -c 65536 /dev/urandom >"$tmp/unwatched.dat"
mkdir "$tmp/watched"

start_tracer() {
	build/flightwatch run --json --no-default-rules --watch "$tmp/watched" \
		>"$tmp/tracer.json" 2>"$tmp/tracer.err" &
	tracer=$!
	for _ in $(seq 200); do
		grep -q '"ready"' "$tmp/tracer.json" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "bench: tracer did not become ready" >&2
	cat "$tmp/tracer.err" >&2
	exit 1
}
stop_tracer() {
	kill -INT "$tracer"
	wait "$tracer"
	tracer=
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

socat -u TCP-LISTEN:19099,reuseaddr,fork OPEN:/dev/null &
sink=$!
sleep 0.3

declare -A cmd=(
	[pread]="pread $tmp/unwatched.dat $N"
	[send]="send 19099 $N"
	[openclose]="openclose $tmp/unwatched.dat $((N / 4))"
	[forkexec]="forkexec $((N / 500))"
)
printf '%-10s %12s %12s %8s\n' workload "base ns/op" "traced ns/op" ratio
for w in pread send openclose forkexec; do
	: >"$tmp/base" && : >"$tmp/traced"
	for _ in $(seq "$REPEAT"); do
		taskset -c 0 "$out/workload" ${cmd[$w]} >>"$tmp/base"
		start_tracer
		taskset -c 0 "$out/workload" ${cmd[$w]} >>"$tmp/traced"
		stop_tracer
	done
	b=$(median <"$tmp/base")
	t=$(median <"$tmp/traced")
	printf '%-10s %12s %12s %8.3f\n' "$w" "$b" "$t" "$(awk -v t="$t" -v b="$b" 'BEGIN {print t / b}')"
done
