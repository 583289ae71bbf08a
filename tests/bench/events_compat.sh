#!/usr/bin/env bash
# Do the kernel's per-syscall events (syscalls:sys_exit_*) see 32-bit calls?
# (root, not part of CI; BENCHMARKS.md, "A tier without raw syscall hooks")
#
# Attaches the empty programs of tests/bench/floor_events.bpf.c and counts
# the runs of the one on sys_exit_pwrite64 while a 64-bit program makes
# 1,000 pwrite64 calls (python3's os.pwrite: the positive control), then
# while fwia32 copies a 1 MiB file with int $0x80 pwrite64 calls (256 of
# 4 KiB). Prints both counts. Needs make and the test helpers
# (build/tests/fwia32: tests/run.sh builds them).
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/bench/lib.sh
. tests/bench/lib.sh
out=build/bench
fwia32=${FW_HELPERS:-build/tests}/fwia32
if ((EUID != 0)); then
	echo "events_compat: needs root (BPF)" >&2
	exit 1
fi
[[ -x $fwia32 ]] || { echo "events_compat: $fwia32 missing (build the test helpers)" >&2; exit 1; }
mkdir -p "$out"
build_floor "$out" || exit 1
[[ -d /sys/kernel/tracing/events ]] || mount -t tracefs tracefs /sys/kernel/tracing ||
	{ echo "events_compat: cannot mount tracefs" >&2; exit 1; }
tmp=$(mktemp -d /tmp/fwcompat.XXXXXX)
floor=
cleanup() {
	[[ -n $floor ]] && kill "$floor" 2>/dev/null && wait "$floor" 2>/dev/null
	sysctl -qw kernel.bpf_stats_enabled="$bpf_stats_was"
	rm -rf "$tmp"
}
trap cleanup EXIT

"$out/floor" "$out/floor_events.bpf.o" >"$tmp/floor.out" 2>&1 &
floor=$!
for ((i = 0; i < 500; i++)); do
	grep -q '^ready' "$tmp/floor.out" && break
	kill -0 "$floor" 2>/dev/null || { cat "$tmp/floor.out" >&2; exit 1; }
	sleep 0.01
done
sysctl -qw kernel.bpf_stats_enabled=1
runs() { bpftool prog show -j | jq -r '.[] | select(.name == "floor_exit_pwrite64") | .run_cnt // 0'; }

head -c 1048576 /dev/urandom >"$tmp/data"
r0=$(runs)
python3 -c "
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
for i in range(1000):
    os.pwrite(fd, b'x', i)
" "$tmp/py.out" || exit 1
r1=$(runs)
"$fwia32" --read read "$tmp/data" --copy "$tmp/copy" || exit 1
r2=$(runs)
cmp -s "$tmp/data" "$tmp/copy" || { echo "events_compat: fwia32's copy differs" >&2; exit 1; }
echo "sys_exit_pwrite64 runs: $((r1 - r0)) for 1000 64-bit calls, $((r2 - r1)) for 256 int \$0x80 calls"
