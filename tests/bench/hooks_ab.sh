#!/usr/bin/env bash
# Per-hook cost of several builds side by side (root, not part of CI):
#
#   tests/bench/hooks_ab.sh ROUNDS BINARY...
#
# Each round runs `SECTIONS=hooks PEERS=' ' tests/bench/run.sh` once with
# FW set to each binary, the order of the binaries rotating from round to
# round so that none always runs first. For each binary and workload it
# prints the median over the rounds of the BPF ns per operation, summed
# over the programs that ran (the collector-SIGSTOP line left out), and
# the range. Wall-time ratios on a shared machine move by tens of per cent
# between runs; these sums move by a few, which is what comparing two
# builds of the BPF side needs. Builds are named by the binary's path.
# Raw sums go to build/bench/hooks_ab.raw.
set -u
cd "$(dirname "$0")/../.."
# shellcheck source=tests/bench/lib.sh
. tests/bench/lib.sh

usage() {
	echo "usage: tests/bench/hooks_ab.sh ROUNDS BINARY..." >&2
	exit 2
}
(($# >= 2)) || usage
rounds=$1
shift
[[ $rounds =~ ^[1-9][0-9]*$ ]] || {
	echo "hooks_ab: ROUNDS must be a positive number, not '$rounds'" >&2
	exit 2
}
builds=("$@")
for b in "${builds[@]}"; do
	[[ -x $b ]] || {
		echo "hooks_ab: '$b' is not an executable flightwatch binary" >&2
		exit 2
	}
done
mkdir -p build/bench
raw=build/bench/hooks_ab.raw
: >"$raw"

n=${#builds[@]}
for ((r = 0; r < rounds; r++)); do
	for ((k = 0; k < n; k++)); do
		b=${builds[$(((r + k) % n))]}
		# "N workload words  program  runs/op  ns/run  ns/op"
		FW=$b SECTIONS=hooks PEERS=' ' tests/bench/run.sh 2>&1 |
			awk -v b="$b" '/^[1-6] / && !/SIGSTOP/ { s[$1] += $NF }
				END { for (w in s) print b, w, s[w] }' >>"$raw"
	done
	echo "hooks_ab: round $((r + 1))/$rounds done" >&2
done

names=([1]="pread 4K unwatched" [2]="send 1K untainted"
	[3]="open+close unwatched" [4]="fork+exec true"
	[5]="pread 4K flight log" [6]="send 1K tainted")
printf '%-24s' workload
printf ' | %s' "${builds[@]}"
printf '\n'
for w in 1 2 3 4 5 6; do
	printf '%-24s' "$w ${names[$w]}"
	for b in "${builds[@]}"; do
		vals=$(awk -v b="$b" -v w="$w" '$1 == b && $2 == w { print $3 }' "$raw")
		if [[ -z $vals ]]; then
			printf ' | %s' "no run"
			continue
		fi
		printf ' | %.1f (%.0f-%.0f)' "$(median <<<"$vals")" \
			"$(sort -g <<<"$vals" | head -1)" "$(sort -g <<<"$vals" | tail -1)"
	done
	printf '\n'
done
