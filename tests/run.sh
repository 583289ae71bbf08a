#!/bin/bash
# flightwatch test runner.
#
#   tests/run.sh [--unit-only | --e2e-only] [SUITE...]
#
# Builds the test helpers into build/tests/, runs every unit test binary
# build/tests/unit/test_* (cmocka, TAP output, no root needed), every BPF
# program test build/tests/bpf/test_* (cmocka, TAP, BPF_PROG_TEST_RUN: as
# root, skipped otherwise; `make unit` builds both kinds), the trace
# reader's fuzz target over its seed corpus tests/fuzz/corpus/ (one test;
# skipped when clang has no libFuzzer runtime), then, as root, every
# end-to-end suite tests/e2e/*.sh (or only the SUITEs named, e.g. "egress"). Prints each test's line as it goes; the last line is
# "N passed, N failed" (", N skipped" when some were) and the exit status
# is non-zero when anything failed.
#
# Environment: FW_E2E_DEADLINE (epoch seconds: no suite starts after it;
# each one left is reported skipped), FW_BIN (tracer, default build/flightwatch), FW_KEEP=1 keeps
# each suite's temporary directory. The tracer's output of each suite is
# copied to build/tests/e2e-logs/.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build/tests
UNIT_TIMEOUT=${UNIT_TIMEOUT:-120}
SUITE_TIMEOUT=${SUITE_TIMEOUT:-480}

passed=0
failed=0
skipped=0
run_unit=1
run_e2e=1
suites=()

while [ $# -gt 0 ]; do
	case $1 in
	--unit-only) run_e2e=0 ;;
	--e2e-only) run_unit=0 ;;
	-h | --help)
		sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	-*)
		echo "run.sh: unknown option $1" >&2
		exit 2
		;;
	*) suites+=("$1") ;;
	esac
	shift
done

# A test running in the background under timeout(1), so that an interrupt
# of this runner reaches it (timeout passes the signal on; suites clean up)
current=
on_signal() {
	if [ -n "$current" ]; then
		kill -TERM "$current" 2>/dev/null
		wait "$current"
	fi
	echo "# interrupted"
	exit 130
}
trap on_signal INT TERM

# bounded COMMAND...: run it under timeout(1), interruptibly; returns its status
bounded() {
	local secs=$1 rc
	shift
	timeout -k 10 "$secs" "$@" </dev/null &
	current=$!
	wait "$current"
	rc=$?
	current=
	return "$rc"
}

# Every failing test's line, repeated before the summary: a long run's
# failures are then in its last lines (CI shows a run's tail)
failures=$(mktemp)
say_fail() {
	failed=$((failed + 1))
	printf 'not ok - %s\n' "$1" | tee -a "$failures"
}

# ---- helpers -----------------------------------------------------------------
if make -s -C "$ROOT/tests/helpers" OUT="$OUT"; then
	echo "# built the test helpers in $OUT"
else
	say_fail "build the test helpers"
	run_e2e=0
fi

# run_tap KIND BINARY: a cmocka binary with TAP output; its results added up
run_tap() {
	local kind=$1 t=$2 name log rc ok bad skip
	name=${t##*/}
	log=$(mktemp)
	echo "# $kind: $name"
	CMOCKA_MESSAGE_OUTPUT=TAP bounded "$UNIT_TIMEOUT" "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	# cmocka reports a skipped test as "not ok N # SKIP name"
	ok=$(grep -E '^ok [0-9]+' "$log" | grep -cvE '# *SKIP')
	bad=$(grep -E '^not ok [0-9]+' "$log" | grep -cvE '# *SKIP')
	skip=$(grep -cE '^(not )?ok [0-9]+.*# *SKIP' "$log")
	passed=$((passed + ok))
	skipped=$((skipped + skip))
	failed=$((failed + bad))
	grep -E '^not ok [0-9]+' "$log" | grep -vE '# *SKIP' |
		sed "s/^/$kind: $name: /" >>"$failures"
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		say_fail "$kind: $name exited with status $rc"
	elif [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ] && [ "$skip" -eq 0 ]; then
		say_fail "$kind: $name reported no TAP results"
	fi
	rm -f "$log"
}

# ---- unit tests --------------------------------------------------------------
if [ "$run_unit" = 1 ]; then
	found=0
	for t in "$OUT"/unit/test_*; do
		if [ ! -f "$t" ] || [ ! -x "$t" ]; then
			continue
		fi
		found=1
		run_tap unit "$t"
	done
	[ "$found" = 1 ] || echo "# unit: no test binaries in $OUT/unit"
fi

# ---- BPF program tests (BPF_PROG_TEST_RUN) -----------------------------------
# build/tests/bpf/test_* (make unit builds them): cmocka and TAP like the
# unit tests, but they load BPF programs, so only as root
if [ "$run_unit" = 1 ]; then
	for t in "$OUT"/bpf/test_*; do
		if [ ! -f "$t" ] || [ ! -x "$t" ]; then
			continue
		fi
		if [ "$(id -u)" != 0 ]; then
			skipped=$((skipped + 1))
			printf 'ok - bpf: %s # SKIP needs root\n' "${t##*/}"
			continue
		fi
		run_tap bpf "$t"
	done
fi

# ---- the fuzz target over its seed corpus ------------------------------------
# Only the committed seeds, each once: `make fuzz` is the real fuzzing
if [ "$run_unit" = 1 ]; then
	fuzz_log=$(mktemp)
	if make -s -C "$ROOT" fuzz-build >"$fuzz_log" 2>&1; then
		seeds=("$ROOT"/tests/fuzz/corpus/*)
		echo "# fuzz: fuzz_trace_reader over ${#seeds[@]} seeds"
		if bounded "$UNIT_TIMEOUT" "$ROOT/build/fuzz/fuzz_trace_reader" \
			"${seeds[@]}" >"$fuzz_log" 2>&1; then
			passed=$((passed + 1))
			echo "ok - fuzz: trace reader over the seed corpus (${#seeds[@]} inputs)"
		else
			sed 's/^/# /' "$fuzz_log" | tail -n 30
			say_fail "fuzz: trace reader over the seed corpus"
		fi
	elif ! printf 'int LLVMFuzzerTestOneInput(const char *d, long n)\n{ (void)d; (void)n; return 0; }\n' |
		${CLANG:-clang} -x c -fsanitize=fuzzer - -o /dev/null >/dev/null 2>&1; then
		skipped=$((skipped + 1))
		echo "ok - fuzz: trace reader over the seed corpus # SKIP clang has no libFuzzer runtime (libclang-rt-14-dev)"
	else
		sed 's/^/# /' "$fuzz_log" | tail -n 30
		say_fail "fuzz: build the trace reader's fuzz target"
	fi
	rm -f "$fuzz_log"
fi

# ---- end-to-end suites -------------------------------------------------------
if [ "$run_e2e" = 1 ]; then
	if [ ${#suites[@]} -eq 0 ]; then
		for s in "$ROOT"/tests/e2e/*.sh; do
			[ "${s##*/}" = lib.sh ] && continue
			suites+=("$s")
		done
	fi
	if [ "$(id -u)" != 0 ]; then
		for s in "${suites[@]}"; do
			skipped=$((skipped + 1))
			printf 'ok - e2e: %s # SKIP needs root\n' "$(basename "$s" .sh)"
		done
	elif [ ! -x "${FW_BIN:-$ROOT/build/flightwatch}" ]; then
		say_fail "e2e: no tracer at ${FW_BIN:-$ROOT/build/flightwatch} (run make)"
	else
		results=$(mktemp)
		for s in "${suites[@]}"; do
			case $s in
			*/*) ;;
			*) s=$ROOT/tests/e2e/${s%.sh}.sh ;;
			esac
			name=$(basename "$s" .sh)
			if [ ! -f "$s" ]; then
				say_fail "e2e: no suite $s"
				continue
			fi
			# a run with a time budget (the kernel matrix's guests: CI
			# allows 90 minutes) starts no suite after its deadline
			if [ -n "${FW_E2E_DEADLINE:-}" ] &&
				[ "$(date +%s)" -ge "$FW_E2E_DEADLINE" ]; then
				skipped=$((skipped + 1))
				echo "ok - e2e: $name # SKIP the run's time budget is spent"
				continue
			fi
			echo "# e2e: $name"
			: >"$results"
			start=$(date +%s)
			FW_RESULTS=$results FW_FAILURES=$failures FW_HELPERS=$OUT \
				bounded "$SUITE_TIMEOUT" bash "$s"
			rc=$?
			ok=$(grep -cx ok "$results")
			bad=$(grep -cx fail "$results")
			skip=$(grep -cx skip "$results")
			passed=$((passed + ok))
			failed=$((failed + bad))
			skipped=$((skipped + skip))
			echo "# e2e: $name took $(($(date +%s) - start)) s"
			if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
				say_fail "e2e: $name exited with status $rc"
			fi
		done
		rm -f "$results"
	fi
fi

if [ "$skipped" -gt 0 ]; then
	summary="$passed passed, $failed failed, $skipped skipped"
else
	summary="$passed passed, $failed failed"
fi
mkdir -p "$OUT"
if [ -s "$failures" ]; then
	echo "# what failed:"
	sed 's/^/#   /' "$failures"
fi
echo "$summary"
# for the kernel matrix (tests/vm/vmtest.sh): this kernel's counts and
# failures, which it repeats at its end
printf '%s %s\n' "$(uname -r)" "$summary" >"$OUT/summary"
cp "$failures" "$OUT/failures"
rm -f "$failures"
[ "$failed" -eq 0 ]
