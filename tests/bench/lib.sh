# shellcheck shell=bash
# Helpers the benchmark scripts share (sourced, not run).

# median: the median of the numbers on stdin, one a line
median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# round_order R NAME...: the names in the order repetition R runs them,
# reversed every other repetition so that no tracer always runs first
round_order() {
	local r=$1
	shift
	if ((r % 2)); then
		printf '%s\n' "$@" | tac
	else
		printf '%s\n' "$@"
	fi
}
