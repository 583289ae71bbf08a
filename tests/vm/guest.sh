#!/bin/bash
# Stage 2 of a vmtest guest: PID 1 in the overlay of the host's files, on the
# guest's kernel. It mounts what a booted system would have (except tracefs
# and bpffs: the tracer mounts what it needs, as on a fresh ground station),
# checks the kernel, runs the end-to-end suites the host asked for
# (FW_SUITES in /vmtest.env) and prints one line the host parses:
#
#   VMTEST-RESULT kernel=RELEASE ready=yes|no passed=N failed=N skipped=N secs=N
#
# then powers the guest off. Nothing here reaches the host's disk.
set -u
# shellcheck disable=SC1091
. /vmtest.env
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb

mount -t proc proc /proc
mount -t sysfs sys /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t securityfs securityfs /sys/kernel/security
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
ip link set lo up
hostname "vm-$(uname -r | cut -d- -f1 | tr -c "0-9a-z\n" -)"
# the network devices the suites' namespaces use
for m in veth dummy; do
	modprobe "$m" 2>/dev/null
done

power_off() {
	sync
	busybox poweroff -f
	echo o >/proc/sysrq-trigger # the last resort
}

kernel=$(uname -r)
echo "# vmtest: kernel $kernel, $(nproc) CPUs, LSMs $(cat /sys/kernel/security/lsm 2>/dev/null)"
cd "$FW_ROOT" || {
	echo "VMTEST-RESULT kernel=$kernel status=no-project"
	power_off
}

# the kernel's types, for reading them on the host
cp /sys/kernel/btf/vmlinux /results/vmlinux.btf 2>/dev/null
if [ -n "${FW_EXEC:-}" ]; then
	bash -c "$FW_EXEC"
	echo "VMTEST-RESULT kernel=$kernel exec-status=$?"
	power_off
fi

# What this kernel allows, as a user would ask before deploying
echo "# vmtest: flightwatch check-kernel"
build/flightwatch check-kernel
echo "# vmtest: check-kernel exited with status $?"
build/flightwatch check-kernel --json >/results/check-kernel.json 2>/dev/null

# Ready check: the tracer starts with the default rules and says what it
# does not follow here
ready=no
out=$(mktemp)
build/flightwatch run --json >"$out" 2>&1 &
tracer=$!
for _ in $(seq 1 600); do
	if grep -q '"action":"ready"' "$out"; then
		ready=yes
		break
	fi
	kill -0 "$tracer" 2>/dev/null || break
	sleep 0.5
done
grep '"action":"ready"' "$out" | head -n 1 | sed 's/^/# vmtest: ready line: /'
[ "$ready" = yes ] || sed 's/^/# vmtest: tracer: /' "$out"
kill -INT "$tracer" 2>/dev/null
wait "$tracer"
rm -f "$out"

start=$(date +%s)
# the matrix's time budget (vmtest.sh's VMTEST_END_BY), from this guest's
# own clock: no suite starts after it, each one left is reported skipped
[ -n "${FW_BUDGET:-}" ] && export FW_E2E_DEADLINE=$((start + FW_BUDGET))
passed=0 failed=0 skipped=0
# suites TIER READY_TIMEOUT SUITE...: run them in the syscall-hook tier
# TIER (tests/e2e/with-hooks), adding their counts up
suites() {
	local tier=$1 ready_timeout=$2 log summary n
	shift 2
	log=$(mktemp)
	echo "# vmtest: syscall hooks $tier: $*"
	FW_HOOKS=$tier SUITE_TIMEOUT=${FW_SUITE_TIMEOUT:-1200} \
		FW_READY_TIMEOUT=$ready_timeout FW_STOP_TIMEOUT=60 \
		tests/run.sh --e2e-only "$@" 2>&1 | tee "$log"
	mkdir -p "/results/e2e-logs-$tier"
	cp -r build/tests/e2e-logs/. "/results/e2e-logs-$tier/" 2>/dev/null
	# each failing check by name, for the host to repeat at the run's end
	# (a pass's own list is buried under the passes after it)
	sed "s/^/$tier: /" build/tests/failures >>/results/failures 2>/dev/null
	summary=$(tail -n 1 "$log")
	echo "# vmtest: syscall hooks $tier: $summary"
	n=$(sed -n 's/^\([0-9]*\) passed.*/\1/p' <<<"$summary")
	passed=$((passed + ${n:-0}))
	n=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<<"$summary")
	failed=$((failed + ${n:-1}))
	n=$(sed -n 's/.* \([0-9]*\) skipped.*/\1/p' <<<"$summary")
	skipped=$((skipped + ${n:-0}))
}
# The fast tier first: it is the one `auto` takes on these kernels, and
# the tracepoint tier runs every suite on the host too. It starts in 20 to
# 45 s under TCG (a program per syscall).
# shellcheck disable=SC2086 # lists of words
[ -n "${FW_FAST_SUITES:-}" ] && suites fast 300 $FW_FAST_SUITES
# shellcheck disable=SC2086
suites "${FW_HOOKS:-tracepoint}" 120 $FW_SUITES
secs=$(($(date +%s) - start))
echo "VMTEST-RESULT kernel=$kernel ready=$ready passed=$passed failed=$failed skipped=$skipped secs=$secs"
power_off
