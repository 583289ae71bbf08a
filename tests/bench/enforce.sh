#!/usr/bin/env bash
# What enforcement costs (`make bench`, root, not part of CI):
# 1. an untainted 512 MiB TCP transfer over loopback (every packet passes
#    the cgroup_skb/egress hook), with no tracer, with the tracer detecting
#    and with --enforce: median seconds of REPEAT runs and the ratios;
#    and the egress program's own run time per packet (bpf_stats);
# 2. a refused connect of a tainted process (EPERM from cgroup/connect4)
#    against a connect the kernel refuses itself (ECONNREFUSED, nothing
#    listening) of an untainted one: median microseconds of 2000.
# Results also go to build/bench/enforce.txt.
set -u
cd "$(dirname "$0")/../.."
root=$PWD
fw=$root/build/flightwatch
fwmklog=$root/build/tests/fwmklog
REPEAT=${REPEAT:-5}
BYTES=${BYTES:-$((512 << 20))}
PORT=${PORT:-19199}
CLOSED=${CLOSED:-19198}
out=build/bench
results=$out/enforce.txt
mkdir -p "$out"

if ((EUID != 0)); then
	echo "bench: needs root (BPF)" >&2
	exit 1
fi
[ -x "$fwmklog" ] ||
	{ echo "bench: no helpers (tests/run.sh --unit-only builds them)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/fwbench-enforce.XXXXXX)
tracer=
listener=
cleanup() {
	[ -n "$tracer" ] && kill -INT "$tracer" 2>/dev/null && wait "$tracer"
	[ -n "$listener" ] && kill "$listener" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/w"
"$fwmklog" tlog 64k "$tmp/w/a.tlog" || exit 1

socat -u "TCP4-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork" OPEN:/dev/null \
	2>/dev/null &
listener=$!
for ((i = 0; i < 100; i++)); do
	ss -H -lnt "sport = :$PORT" | grep -q . && break
	sleep 0.05
done

start_tracer() {
	"$fw" run --json --no-default-rules --watch "$tmp/w" "$@" \
		>"$tmp/fw.out" 2>"$tmp/fw.err" &
	tracer=$!
	for ((i = 0; i < 400; i++)); do
		grep -q '"ready"' "$tmp/fw.out" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "bench: tracer not ready: $(tail -n 3 "$tmp/fw.err")" >&2
	exit 1
}
stop_tracer() {
	kill -INT "$tracer"
	wait "$tracer"
	tracer=
}

# seconds for one untainted transfer of BYTES to the loopback listener,
# in 1 MiB writes, from the connect to the last byte acknowledged
transfer() {
	python3 -c '
import socket, sys, time
n, port = int(sys.argv[1]), int(sys.argv[2])
buf = b"a" * (1 << 20)
t0 = time.perf_counter()
s = socket.create_connection(("127.0.0.1", port))
for _ in range(n >> 20):
    s.sendall(buf)
s.shutdown(socket.SHUT_WR)
s.recv(1)  # the listener closes once it has read everything
print("%.4f" % (time.perf_counter() - t0))
' "$BYTES" "$PORT" || { echo "bench: transfer failed" >&2; exit 1; }
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A T
for mode in none detect enforce; do
	: >"$tmp/t-$mode"
done
for ((r = 0; r < REPEAT; r++)); do
	transfer >>"$tmp/t-none"
	start_tracer
	transfer >>"$tmp/t-detect"
	stop_tracer
	start_tracer --enforce
	transfer >>"$tmp/t-enforce"
	stop_tracer
done
for mode in none detect enforce; do
	T[$mode]=$(median <"$tmp/t-$mode")
done

connect_us() {
	python3 -c '
import socket, sys, time
if sys.argv[1] != "-":
    open(sys.argv[1], "rb").read()
n, t = 2000, []
for i in range(n):
    s = socket.socket()
    t0 = time.perf_counter_ns()
    try:
        s.connect(("127.0.0.2" if sys.argv[1] == "-" else "192.0.2.1", int(sys.argv[2])))
    except OSError:
        pass
    t.append(time.perf_counter_ns() - t0)
    s.close()
t.sort()
print(t[n // 2] / 1000)
' "$@"
}
# the egress program's own cost per packet of one more transfer
# (kernel.bpf_stats_enabled for the run, restored)
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
start_tracer --enforce
transfer >/dev/null
egress=$(bpftool -j prog show name fw_enforce_egress |
	jq -r 'if type == "array" then .[0] else . end |
	       "\(.run_cnt) packets, \(if .run_cnt > 0 then (.run_time_ns / .run_cnt | floor) else 0 end) ns each"')
sysctl -qw kernel.bpf_stats_enabled="$stats_was"
refused=$(connect_us "$tmp/w/a.tlog" 9)
kernel_refused=$(connect_us - "$CLOSED")
stop_tracer

{
	echo "enforcement cost ($(uname -r), REPEAT=$REPEAT, $((BYTES >> 20)) MiB untainted over loopback)"
	printf '  transfer: no tracer %s s, detect %s s (x%s), --enforce %s s (x%s)\n' \
		"${T[none]}" "${T[detect]}" \
		"$(ratio "${T[detect]}" "${T[none]}")" \
		"${T[enforce]}" \
		"$(ratio "${T[enforce]}" "${T[none]}")"
	printf '  cgroup_skb/egress during one transfer: %s (bpf_stats)\n' "$egress"
	printf '  connect: refused by flightwatch (EPERM, tainted) %s us, refused by the kernel (ECONNREFUSED, untainted, loopback) %s us (medians of 2000)\n' \
		"$refused" "$kernel_refused"
} | tee "$results"
