#!/usr/bin/env bash
# Size of a busy recording: `flightwatch record` for DURATION seconds
# (default 60) while the machine runs
#   - exec churn: a shell loop starting /bin/true as fast as it can,
#   - flight-log uploads: every 0.2 s, fwsend reads a watched 256 KiB log
#     and sends it over TCP to a peer in a network namespace (10.203.0.x),
#   - a background reader of the log that never sends;
# prints the records, the raw bytes and the bytes on disk. Needs root.
set -u
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-60}
make -s build/flightwatch || exit 1
make -s -C tests/helpers OUT="$PWD/build/tests" || exit 1
tmp=$(mktemp -d)
# shellcheck source=tests/bench/netns.sh
. tests/bench/netns.sh
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	bench_netns_down
	rm -rf "$tmp"
}
trap cleanup EXIT
bench_netns_up || exit 1
nsenter --net="/run/netns/$peer" socat -u TCP4-LISTEN:9500,reuseaddr,fork \
	GOPEN:/dev/null &
pids+=($!)
mkdir "$tmp/w"
build/tests/fwmklog tlog 256k "$tmp/w/flight.tlog" || exit 1
sleep 0.5

build/flightwatch record -o "$tmp/busy.fwt" --no-default-rules \
	--watch "$tmp/w" -v >/dev/null 2>"$tmp/rec.err" &
tracer=$!
for _ in $(seq 200); do
	grep -q 'flightwatch ready' "$tmp/rec.err" && break
	sleep 0.05
done
end=$((SECONDS + DURATION))
(while [ $SECONDS -lt $end ]; do /bin/true; done) &
pids+=($!)
(while [ $SECONDS -lt $end ]; do
	cat "$tmp/w/flight.tlog" >/dev/null
	sleep 1
done) &
pids+=($!)
uploads=0
while [ $SECONDS -lt $end ]; do
	nsenter --net="/run/netns/$gs" build/tests/fwsend --timeout 10 \
		--read read "$tmp/w/flight.tlog" --send write --to 10.203.0.2 \
		--port 9500 &
	uploads=$((uploads + 1))
	sleep 0.2
done
wait "${pids[1]}" "${pids[2]}"
sleep 1
kill -INT "$tracer"
wait "$tracer"
stats=$(grep 'trace:' "$tmp/rec.err")
echo "record: $DURATION s, $uploads uploads: ${stats#flightwatch: }"
echo "record: file $(stat -c %s "$tmp/busy.fwt") bytes"
build/flightwatch report --format json "$tmp/busy.fwt" |
	jq -c '{events: .trace.events, raw_bytes: .trace.raw_bytes,
		file_bytes: .trace.file_bytes, flows: (.flows | length)}'
