#!/bin/bash
# The kernel matrix: boots each kernel under QEMU with this checkout's build
# and the host's tools, runs the end-to-end suites there and reports per
# kernel.
#
#   tests/vm/vmtest.sh [--kernels "RELEASE..."] [--suites "SUITE..."]
#                      [--hooks TIER] [--fast-suites "SUITE..."|none]
#                      [--exec "COMMAND"] [--list]
#
# How the files get in: the host's root file system is shared read-only in
# effect through virtiofs (qemu's virtiofsd); the guest lays an overlay with
# a tmpfs upper layer over it (tests/vm/init), so the guest runs the host's
# own userland (bash, python3, socat, journald...) and this checkout's
# build/, on its own kernel and with that kernel's modules from
# /lib/modules/RELEASE, and nothing it writes reaches the host. The
# initramfs is busybox plus the modules needed to reach the share. A second
# share, build/vmtest/RELEASE/ on the host and /results in the guest, is
# the one place a guest writes to: the suites' tracer logs (e2e-logs-TIER/) and
# the kernel's BTF (vmlinux.btf), for reading the kernel's types here.
#
# The guests have no network device: the suites' peers are network
# namespaces inside each guest. TCG (-accel tcg): nested KVM does not work on
# the project's machines; expect about ten times the native run time.
#
# Syscall-hook tiers: the --fast-suites run first with --hooks fast
# (default: the scenario suites of the syscall paths, FAST_SUITES below;
# none: no fast pass), then the suites run with --hooks TIER (FW_HOOKS,
# default tracepoint, the tier every kernel has), so that both tiers pass
# them in each guest. The fast tier loads a program per syscall: under TCG
# a tracer's start-up takes 26 s on 6.12 and 40 s on 6.1 (12 to 18 s in
# the tracepoint tier), which is why the fast pass is a subset.
#
# --exec runs COMMAND (bash, in the checkout) in each guest instead of the
# suites, for a look at a kernel.
#
# Default kernels: the newest Debian 12 6.1 and Debian 6.12 cloud kernels in
# /boot (make deps installs both). Default suites: every e2e suite but
# the package and text-escaping ones (--suites all runs those too). The
# console of each guest is kept in build/vmtest/RELEASE/console.log; the last line
# printed is "N kernels passed, N failed" and the status is non-zero when a
# kernel failed, did not boot or did not finish in time.
#
# The guests run at the same time. Environment: VMTEST_TIMEOUT (seconds per
# guest, default 5400), VMTEST_MEM (per guest, default 3G), VMTEST_SMP
# (default 2), QEMU (default qemu-system-x86_64), VMTEST_END_BY (epoch
# seconds the whole run should end by: the guests start no suite later
# than VMTEST_LAST_SUITE seconds before it, default 720, which is about
# what the longest suite takes under TCG on the slower of the project's
# machines plus a guest's boot; the suites left are reported skipped, so
# the suites run in order of how much they depend on the kernel).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build/vmtest
QEMU=${QEMU:-qemu-system-x86_64}
VIRTIOFSD=${VIRTIOFSD:-/usr/lib/qemu/virtiofsd}
TIMEOUT=${VMTEST_TIMEOUT:-5400}
# The suites a guest runs by default: every one but those whose subject
# does not depend on the kernel (VMTEST_NATIVE_ONLY: building and
# installing the Debian package, text escaping), which `make test` runs on
# this host. --suites "SUITE..." chooses; --suites all runs every one.
NATIVE_ONLY=${VMTEST_NATIVE_ONLY:-package hostile}
# The suites run again in the fast tier: each follows data through the
# syscall paths the two tiers hook differently
# (relays and mounts passed the fast tier in both guests at 19888ca; they
# are left out of the default to keep CI's matrix within its 90 minutes:
# the whole run took about 83 minutes with them)
FAST_SUITES=${VMTEST_FAST_SUITES:-dataflow evasion ia32 msgq egress peek shm paths}
MEM=${VMTEST_MEM:-3G}
SMP=${VMTEST_SMP:-2}
# qemu64 and virtiofs's cache=always: a guest runs a suite in about half
# the time it takes with -cpu max (emulated vector instructions in glibc's
# string functions) and cache=auto (a FUSE round trip per lookup). The
# host's files do not change while the guests run.
CPU=${VMTEST_CPU:-qemu64}
CACHE=${VMTEST_CACHE:-always}
# what the guest kernel needs, in the initramfs, to reach the shared files
# (the ones built in are skipped)
INIT_MODULES=(virtio_pci virtiofs overlay)

kernels=()
suites=
hooks=tracepoint
fast_suites=$FAST_SUITES
exec_cmd=
list_only=0

die() {
	echo "vmtest: $*" >&2
	exit 2
}

default_kernels() {
	local pattern
	for pattern in '6.1.0-*-cloud-amd64' '6.12.*+deb12-cloud-amd64'; do
		# shellcheck disable=SC2012 # names we made the pattern for
		ls /boot/vmlinuz-$pattern 2>/dev/null | sed 's|^/boot/vmlinuz-||' |
			sort -V | tail -n 1
	done
}

while [ $# -gt 0 ]; do
	case $1 in
	--kernels)
		[ $# -ge 2 ] || die "--kernels needs a list"
		read -ra kernels <<<"$2"
		shift
		;;
	--suites)
		[ $# -ge 2 ] || die "--suites needs a list"
		suites=$2
		[ "$suites" = all ] && suites=all
		shift
		;;
	--hooks)
		[ $# -ge 2 ] || die "--hooks needs auto, tracepoint or fast"
		case $2 in
		auto | tracepoint | fast) hooks=$2 ;;
		*) die "bad --hooks '$2': expected auto, tracepoint or fast" ;;
		esac
		shift
		;;
	--fast-suites)
		[ $# -ge 2 ] || die "--fast-suites needs a list (or none)"
		fast_suites=$2
		[ "$fast_suites" = none ] && fast_suites=
		shift
		;;
	--exec)
		[ $# -ge 2 ] || die "--exec needs a command"
		exec_cmd=$2
		shift
		;;
	--list) list_only=1 ;;
	-h | --help)
		sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*) die "unknown option $1 (see --help)" ;;
	esac
	shift
done
if [ ${#kernels[@]} -eq 0 ]; then
	mapfile -t kernels < <(default_kernels)
fi
if [ "$list_only" = 1 ]; then
	printf '%s\n' "${kernels[@]}"
	exit 0
fi
if [ -z "$suites" ]; then
	# kernel first, then the syscall-path suites, then the rest, and last
	# those about the collector's user-space side (a time budget cuts
	# from the end)
	late=" badinput config fleet journal record signals "
	suites="kernel $FAST_SUITES "
	for f in "$ROOT"/tests/e2e/*.sh; do
		name=${f##*/}
		name=${name%.sh}
		[ "$name" = lib ] && continue
		[[ " $NATIVE_ONLY " == *" $name "* ]] && continue
		[[ " $suites $late " == *" $name "* ]] && continue
		suites+="$name "
	done
	for name in $late; do
		[[ " $NATIVE_ONLY " == *" $name "* ]] || suites+="$name "
	done
elif [ "$suites" = all ]; then
	suites= # tests/run.sh's own list: every suite
fi
[ ${#kernels[@]} -gt 0 ] ||
	die "no kernel to boot: install linux-image-cloud-amd64 and linux-image-6.12-cloud-amd64 (make deps)"
[ "$(id -u)" = 0 ] || die "needs root (virtiofsd shares the host's files)"
command -v "$QEMU" >/dev/null || die "$QEMU not found (make deps installs qemu-system-x86)"
[ -x "$VIRTIOFSD" ] || die "$VIRTIOFSD not found (make deps installs qemu-system-x86)"
command -v busybox >/dev/null || die "busybox not found (make deps installs busybox-static)"
[ -x "$ROOT/build/flightwatch" ] || die "no build/flightwatch: run make first"
# the suites' helpers, built on the host (the guest's overlay would lose them)
make -s -C "$ROOT/tests/helpers" OUT="$ROOT/build/tests" || die "cannot build the test helpers"

mkdir -p "$OUT"
work=$(mktemp -d)
guests=()
cleanup() {
	# each guest's subshell stops its own QEMU and virtiofsd
	[ ${#guests[@]} -gt 0 ] && kill "${guests[@]}" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# module_closure RELEASE NAME: the .ko paths (relative to the modules
# directory) NAME needs, dependencies first; nothing when it is built in
module_closure() {
	local kver=$1 name=$2 dir=/lib/modules/$1 line path deps dep
	line=$(grep -E "(^|/)${name//_/[_-]}\.ko(\.xz|\.zst|\.gz)?:" "$dir/modules.dep")
	[ -n "$line" ] || return 0
	path=${line%%:*}
	deps=${line#*:}
	for dep in $deps; do
		dep=${dep##*/}
		module_closure "$kver" "${dep%%.ko*}"
	done
	echo "$path"
}

# build_initramfs RELEASE FILE
build_initramfs() {
	local kver=$1 dest=$2 dir=$2.d ko name
	rm -rf "$dir"
	mkdir -p "$dir"/{bin,proc,sys,dev,modules}
	cp "$(command -v busybox)" "$dir/bin/busybox"
	cp "$ROOT/tests/vm/init" "$dir/init"
	chmod 755 "$dir/init"
	{
		printf 'FW_ROOT=%q\n' "$ROOT"
		printf 'FW_SUITES=%q\n' "$suites"
		printf 'FW_HOOKS=%q\n' "$hooks"
		printf 'FW_FAST_SUITES=%q\n' "$fast_suites"
		printf 'FW_SUITE_TIMEOUT=%q\n' "${VMTEST_SUITE_TIMEOUT:-1200}"
		printf 'FW_EXEC=%q\n' "$exec_cmd"
		[ -n "${VMTEST_END_BY:-}" ] && printf 'FW_BUDGET=%q\n' \
			"$((VMTEST_END_BY - $(date +%s) - ${VMTEST_LAST_SUITE:-720}))"
	} >"$dir/vmtest.env"
	: >"$dir/modules/order"
	for name in "${INIT_MODULES[@]}"; do
		module_closure "$kver" "$name"
	done | awk '!seen[$0]++' | while read -r ko; do
		# busybox's insmod takes them uncompressed
		name=${ko##*/}
		name=${name%.ko*}.ko
		case $ko in
		*.xz) xz -dc "/lib/modules/$kver/$ko" ;;
		*.zst) zstd -qdc "/lib/modules/$kver/$ko" ;;
		*.gz) gzip -dc "/lib/modules/$kver/$ko" ;;
		*) cat "/lib/modules/$kver/$ko" ;;
		esac >"$dir/modules/$name"
		echo "$name" >>"$dir/modules/order"
	done
	(cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) >"$dest"
}

# start_virtiofsd DIR TAG SHARED: share SHARED on DIR/TAG.sock
start_virtiofsd() {
	local sock=$1/$2.sock
	rm -f "$sock"
	# chroot: the namespace sandbox cannot pivot_root out of /
	"$VIRTIOFSD" --socket-path="$sock" -o source="$3" -o sandbox=chroot \
		-o cache="$CACHE" -o log_level=err >"$1/$2.log" 2>&1 &
	for _ in $(seq 1 100); do
		[ -S "$sock" ] && return 0
		sleep 0.1
	done
	cat "$1/$2.log"
	return 1
}

# boot_guest RELEASE DIR LOG: run the guest to its end, its console in LOG.
# thread=single: with one host thread per vCPU (MTTCG), the kernel's boot-time
# code patching (int3-based text_poke) crashed 6.12 guests now and then
# under load; one thread for all vCPUs never did, and the two guests run
# side by side anyway.
boot_guest() {
	# virtiofsd ends with the guest's connection: one per boot
	if ! start_virtiofsd "$2" hostroot / ||
		! start_virtiofsd "$2" results "$OUT/$1"; then
		echo "vmtest: virtiofsd did not start" >"$3"
		return 1
	fi
	echo "# vmtest: booting $1 (console in $3)"
	timeout -k 10 "$TIMEOUT" "$QEMU" -accel tcg,thread=single -cpu "$CPU" -m "$MEM" -smp "$SMP" \
		-nographic -no-reboot -nic none \
		-object "memory-backend-memfd,id=mem,size=$MEM,share=on" \
		-numa node,memdev=mem \
		-chardev "socket,id=root,path=$2/hostroot.sock" \
		-device vhost-user-fs-pci,queue-size=1024,chardev=root,tag=hostroot \
		-chardev "socket,id=results,path=$2/results.sock" \
		-device vhost-user-fs-pci,queue-size=1024,chardev=results,tag=results \
		-kernel "/boot/vmlinuz-$1" -initrd "$2/initrd.gz" \
		-append "console=ttyS0 panic=-1 quiet" \
		</dev/null 2>&1 | sed -u 's/\r$//; s/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' |
		tee "$3" | sed -u "s|^|[$1] |" &
	qemu_pid=$!
	wait "$qemu_pid"
	qemu_pid=
	pkill -P $BASHPID virtiofsd 2>/dev/null
	wait
}

# run_guest RELEASE: boots it, runs the suites, writes the verdict line
# to $work/RELEASE.verdict; 0 when every suite passed there. Run in a
# subshell of its own: its EXIT trap stops what it started.
run_guest() {
	local kver=$1 dir=$work/$1 results=$OUT/$1
	local log=$OUT/$1/console.log verdict=$work/$1.verdict start result

	qemu_pid= # global: the trap runs after the function returns
	trap '[ -n "${qemu_pid:-}" ] && kill "$qemu_pid" 2>/dev/null; pkill -P $BASHPID 2>/dev/null; wait' EXIT
	trap 'exit 130' INT TERM
	mkdir -p "$dir"
	if [ ! -r "/boot/vmlinuz-$kver" ]; then
		echo "not ok - vmtest: $kver: no /boot/vmlinuz-$kver" >"$verdict"
		return 1
	fi
	if ! build_initramfs "$kver" "$dir/initrd.gz"; then
		echo "not ok - vmtest: $kver: cannot build the initramfs" >"$verdict"
		return 1
	fi
	rm -rf "$results"
	mkdir -p "$results"
	start=$(date +%s)
	boot_guest "$kver" "$dir" "$log"
	# (SeaBIOS leaves no newline: the marker may not start a line)
	if ! grep -q '# vmtest: kernel ' "$log"; then
		echo "# vmtest: $kver did not reach the tests: booting it once more"
		cp "$log" "$log.first"
		boot_guest "$kver" "$dir" "$log"
	fi
	result=$(grep -a '^VMTEST-RESULT ' "$log" | tail -n 1)
	result=${result#VMTEST-RESULT }
	case $result in
	*ready=yes*failed=0\ * | *exec-status=0)
		echo "ok - vmtest: $kver: $result wall=$(($(date +%s) - start))" >"$verdict"
		;;
	*)
		echo "not ok - vmtest: $kver: ${result:-the guest gave no result} wall=$(($(date +%s) - start)) (see $log)" >"$verdict"
		return 1
		;;
	esac
}

# The guests run side by side: TCG keeps about one host core busy per
# guest, and the suites spend much of their time waiting
matrix_start=$(date +%s)
for k in "${kernels[@]}"; do
	(run_guest "$k") &
	guests+=($!)
done
wait "${guests[@]}"
guests=()
good=0
bad=0
for k in "${kernels[@]}"; do
	if [ -s "$work/$k.verdict" ]; then
		cat "$work/$k.verdict"
	else
		echo "not ok - vmtest: $k: no verdict"
	fi
	# the guest's failing checks by name (guest.sh), so that a run's last
	# lines say what failed, not only how many
	if [ -s "$OUT/$k/failures" ]; then
		echo "# what failed in the $k guest (syscall-hook tier: check):"
		sed 's/^/#   /' "$OUT/$k/failures"
	fi
	if grep -q '^ok ' "$work/$k.verdict" 2>/dev/null; then
		good=$((good + 1))
	else
		bad=$((bad + 1))
	fi
done
# kernels_table: the README's supported-kernels table, from what each
# guest's check-kernel said and its suites' counts; this host's kernel
# (natively: make test runs its suites) first
kernels_table() {
	local k json verdict counts native=
	echo "| kernel | where | tests | hooks attached | not followed there |"
	echo "|---|---|---|---|---|"
	# tests/run.sh's last run on this kernel (unit and e2e), if any
	if [ -r "$ROOT/build/tests/summary" ] &&
		[ "$(cut -d' ' -f1 "$ROOT/build/tests/summary")" = "$(uname -r)" ]; then
		native="$(cut -d' ' -f2- "$ROOT/build/tests/summary") (unit and e2e)"
	fi
	"$ROOT/build/flightwatch" check-kernel --json 2>/dev/null |
		table_row "$(uname -r)" "this host, natively" "${native:-not run}"
	for k in "${kernels[@]}"; do
		json=$OUT/$k/check-kernel.json
		verdict=$(cat "$work/$k.verdict" 2>/dev/null)
		counts=$(sed -n 's/.* passed=\([0-9]*\) failed=\([0-9]*\) skipped=\([0-9]*\).*/\1 passed, \2 failed, \3 skipped/p' <<<"$verdict")
		[ -s "$json" ] || echo '{}' >"$json"
		table_row "$k" "QEMU guest" "${counts:-no result}${counts:+ (e2e)}" <"$json"
	done
}

# table_row RELEASE WHERE SUITES < check-kernel's JSON
table_row() {
	jq -r --arg k "$1" --arg where "$2" --arg suites "$3" '
		# the fast tier: its programs on syscall functions counted
		def calls: [(.hooks_essential // [])[]
			| select(test("^f(entry|exit)/__"))] | length;
		def hooks: calls as $n
			| ((.hooks_essential // []) + (.hooks_optional // []))
			| map(select(test("^f(entry|exit)/__") | not)
				| sub("^tp_btf/"; ""))
			| join(", ")
			+ (if $n > 0
			   then ", fentry/fexit on syscalls (\($n))" else "" end);
		def lost: (.hooks_not_attached // [])
			| map("\(.hook): \(.reason)") | join("; ");
		"| \($k) | \($where) | \($suites) | " +
		(if .runs then hooks else "does not run" end) + " | " +
		(if .runs then (lost | if . == "" then "nothing" else . end)
		 else "-" end) + " |"'
}

kernels_table >"$OUT/kernels.md"
echo "# vmtest: the supported-kernels table is in $OUT/kernels.md:"
sed 's/^/#   /' "$OUT/kernels.md"
echo "# vmtest: matrix took $(($(date +%s) - matrix_start)) s"
# make test runs this kernel's suites first: their failures, if any, would
# otherwise be far above the matrix's output
if [ -s "$ROOT/build/tests/failures" ] && [ -r "$ROOT/build/tests/summary" ] &&
	[ "$(cut -d' ' -f1 "$ROOT/build/tests/summary")" = "$(uname -r)" ]; then
	echo "# what failed on this kernel, natively (tests/run.sh):"
	sed 's/^/#   /' "$ROOT/build/tests/failures"
fi
echo "$good kernels passed, $bad failed"
[ "$bad" -eq 0 ]
