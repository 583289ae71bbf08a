#!/usr/bin/env bash
# Replay throughput: a synthetic trace of EVENTS records (default 2,000,000,
# see replay_bench.c for the mix) through `flightwatch replay --json` to
# /dev/null, REPEAT times; prints the median time and events per second.
# No root needed.
set -u
cd "$(dirname "$0")/../.."
out=build/bench
mkdir -p "$out"
EVENTS=${EVENTS:-2000000}
REPEAT=${REPEAT:-5}
make -s build/flightwatch || exit 1
cc -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Iuser \
	tests/bench/replay_bench.c user/trace/trace_writer.c user/lib/util.c \
	user/lib/escape.c \
	-o "$out/replay_bench" -lz || exit 1
trace=$out/replay-bench.fwt
rm -f "$trace"
"$out/replay_bench" "$trace" "$EVENTS" || exit 1
times=()
for _ in $(seq "$REPEAT"); do
	t0=$(date +%s%N)
	build/flightwatch replay --json "$trace" >/dev/null || exit 1
	t1=$(date +%s%N)
	times+=($(((t1 - t0) / 1000)))
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((REPEAT + 1) / 2))p")
rate=$((EVENTS * 1000000 / median))
echo "replay: $EVENTS events, median $((median / 1000)) ms of $REPEAT runs: $rate events/s"
if [ "$rate" -lt 1000000 ]; then
	echo "replay: below the 1,000,000 events/s target" >&2
	exit 1
fi
