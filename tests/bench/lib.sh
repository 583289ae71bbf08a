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

# bpf_stats_off: kernel.bpf_stats_enabled to 0 for the timed runs, saying so
# when it was on (run statistics read the clock twice around every BPF
# program run: about 50 ns per syscall hook here, twice what an empty
# program costs). The caller restores $bpf_stats_was at exit.
bpf_stats_was=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)
bpf_stats_off() {
	if [[ $(sysctl -n kernel.bpf_stats_enabled) != 0 ]]; then
		log "kernel.bpf_stats_enabled was on: off for the timed runs, restored at exit"
		sysctl -qw kernel.bpf_stats_enabled=0
	fi
}

# build_floor DIR: DIR/floor and the objects it loads: DIR/floor.bpf.o, the
# empty tp_btf sys_enter and sys_exit programs (tests/bench/floor.bpf.c)
# every syscall tracer of this kind pays at least; DIR/floor_events.bpf.o
# and DIR/floor_events_hot.bpf.o, the floors of a tier without raw syscall
# hooks (tests/bench/floor_events.bpf.c); run from the project's root
# after make
build_floor() {
	local bpf=(clang -g -O2 -target bpf
		-D__TARGET_ARCH_"$(uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')"
		-Wall -Werror -Ibuild -c)
	"${bpf[@]}" tests/bench/floor.bpf.c -o "$1/floor.bpf.o" &&
		"${bpf[@]}" tests/bench/floor_events.bpf.c -o "$1/floor_events.bpf.o" &&
		"${bpf[@]}" -DFW_FLOOR_HOT tests/bench/floor_events.bpf.c -o "$1/floor_events_hot.bpf.o" &&
		cc -O2 -Wall -Wextra -Werror tests/bench/floor.c -o "$1/floor" -lbpf
}
