#!/bin/bash
# Bad input: each case must exit non-zero without crashing (status < 128,
# no hang), print exactly one stderr line that starts "flightwatch: " and
# names the problem, and leave no BPF program named fw_* behind.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

fw_init
command -v bpftool >/dev/null || fw_abort "bpftool is not installed"
command -v setpriv >/dev/null || fw_abort "setpriv is not installed"
command -v unshare >/dev/null || fw_abort "unshare is not installed"

WATCH=$FW_TMP/watch
mkdir -p "$WATCH"

# Highest BPF program id so far: programs loaded later have larger ids
max_prog_id() {
	bpftool prog show -j 2>/dev/null | jq '[.[].id] | max // 0'
}

# fw_* programs with an id above $1, as "id name" lines
new_fw_progs() {
	bpftool prog show -j 2>/dev/null | jq -r --argjson base "$1" '
		.[] | select(.id > $base and ((.name // "") | startswith("fw_"))) |
		"\(.id) \(.name)"'
}

PRE=$(bpftool prog show -j 2>/dev/null | jq -r '
	.[] | select((.name // "") | startswith("fw_")) | "\(.id) \(.name)"')
if [ -n "$PRE" ]; then
	note "fw_* programs loaded before this suite (another tracer running?):"
	note "$PRE"
fi

# bad_checks NAME REGEX STATUS: the checks on a run that should have failed
bad_checks() {
	local name=$1 re=$2 rc=$3 err lines first
	err=$(cat "$FW_TMP/$name.err")
	lines=$(grep -c '' "$FW_TMP/$name.err")
	first=$(head -n 1 "$FW_TMP/$name.err")
	check "$name: exit status is non-zero" -ne 0 "$rc"
	check "$name: no crash, no hang (status < 128, not timeout's 124)" \
		=~ '^([1-9]|[1-9][0-9]|1[01][0-9]|12[0-35-7])$' "$rc"
	check "$name: exactly one stderr line" -eq 1 "$lines" ||
		note "stderr: $err"
	check "$name: stderr starts with 'flightwatch: '" starts \
		"flightwatch: " "$err"
	if [[ ${first,,} =~ $re ]]; then
		pass "$name: the message names the problem ($first)"
	else
		fail "$name: the message names the problem" "to match /$re/" \
			"'$first'"
	fi
}

# progs_check NAME BASE: no fw_* program newer than BASE is still loaded
# (program ids are released shortly after the last reference goes)
progs_check() {
	local left i
	for ((i = 0; i < 30; i++)); do
		left=$(new_fw_progs "$2")
		[ -z "$left" ] && break
		sleep 0.1
	done
	check "$1: no fw_* BPF program left loaded" == "" "$left"
}

# expect_bad NAME REGEX CMD...: run CMD (bounded), then the checks
expect_bad() {
	local name=$1 re=$2 base rc
	shift 2
	base=$(max_prog_id)
	timeout -k 5 20 "$@" </dev/null >"$FW_TMP/$name.out" 2>"$FW_TMP/$name.err"
	rc=$?
	bad_checks "$name" "$re" "$rc"
	progs_check "$name" "$base"
}

expect_bad unknown-option 'bogus-option|unknown|unrecognized|invalid' \
	"$FW_BIN" run --json --bogus-option

expect_bad watch-missing '/nonexistent' \
	"$FW_BIN" run --json --no-default-rules --watch /nonexistent

# watch sets that would make every file a flight log: refused with the
# reason, by --watch and by the config file; a watched directory under
# /var/tmp (the positive control) starts
for dir in / /usr /usr/bin /bin //usr/./lib/ /proc /sys/kernel /dev /etc; do
	name=watch-system${dir//\//-}
	[ "$dir" = / ] && name=watch-system-root
	expect_bad "$name" "refusing to watch '${dir//./\\.}': .*every program" \
		"$FW_BIN" run --json --no-default-rules --watch "$dir"
done
printf 'watch:\n  builtin: false\n  directories: [%s, /usr]\n' "$WATCH" \
	>"$FW_TMP/system.yaml"
expect_bad watch-system-config "system\.yaml:3: refusing to watch '/usr'" \
	"$FW_BIN" run --json --config "$FW_TMP/system.yaml"
OUT=$("$FW_BIN" check-config "$FW_TMP/system.yaml" 2>&1)
check "watch /usr in a config file: check-config exit status" -eq 1 "$?"
check "watch /usr in a config file: check-config names FILE:LINE" == \
	"flightwatch: $FW_TMP/system.yaml:3: refusing to watch '/usr': it holds /usr/bin, so every program that runs would read a flight log (watch the directories the flight logs are in)" \
	"$OUT"
OK_DIR=$(mktemp -d /var/tmp/fw-watch.XXXXXX)
printf 'watch:\n  builtin: false\n  directories: [%s]\n' "$OK_DIR" \
	>"$FW_TMP/fine.yaml"
OUT=$("$FW_BIN" check-config "$FW_TMP/fine.yaml" 2>&1)
check "watch a directory of /var/tmp: accepted (control)" -eq 0 "$?" ||
	note "$OUT"
rmdir "$OK_DIR"

expect_bad btf-missing '/nonexistent/vmlinux' \
	"$FW_BIN" run --json --no-default-rules --watch "$WATCH" \
	--btf /nonexistent/vmlinux

expect_bad allow-bad-prefix '10\.203\.0\.0/33|allow|cidr|prefix' \
	"$FW_BIN" run --json --no-default-rules --watch "$WATCH" \
	--allow 10.203.0.0/33

# Not root: the binary must be reachable by nobody; if the checkout is not,
# run a copy from a world-readable directory
BIN=$FW_BIN
if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$BIN"; then
	mkdir -p "$FW_TMP/bin"
	cp "$FW_BIN" "$FW_TMP/bin/flightwatch"
	chmod 755 "$FW_TMP/bin" "$FW_TMP/bin/flightwatch"
	BIN=$FW_TMP/bin/flightwatch
	note "not-root: $FW_BIN is not executable by uid 65534; using a copy"
fi
expect_bad not-root 'root|permission|privilege|capabilit|not permitted' \
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$BIN" run --json --no-default-rules --watch "$WATCH"

# No tracefs: in a private mount namespace, /sys/kernel becomes a
# read-only directory that holds only btf/vmlinux (bound from the real
# one), so BTF loads but tracefs cannot be mounted. The tracer attaches
# only BTF tracepoints, so it must run normally there.
FAKE=$FW_TMP/fake-sys-kernel
MARK=$FW_TMP/fake-ready
mkdir -p "$FAKE"
# shellcheck disable=SC2016
SETUP='
	fake=$1 mark=$2 log=$3
	shift 3
	exec 3>&2 2>"$log"
	die() { echo "$*" >&2; exit 99; }
	mkdir -p "$fake/btf" && : >"$fake/btf/vmlinux" ||
		die "cannot create $fake/btf/vmlinux"
	mount --bind /sys/kernel/btf/vmlinux "$fake/btf/vmlinux" ||
		die "cannot bind the BTF file"
	# rbind: keep the BTF file bound inside
	mount --rbind "$fake" /sys/kernel || die "cannot bind over /sys/kernel"
	mount -o remount,bind,ro /sys/kernel || die "cannot make it read-only"
	[ -s /sys/kernel/btf/vmlinux ] || die "no BTF under the fake /sys/kernel"
	if mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null ||
		mkdir /sys/kernel/tracing 2>/dev/null; then
		die "tracefs could still be mounted"
	fi
	: >"$mark"
	exec 2>&3 3>&-
	exec "$@"
'
name=no-tracefs
base=$(max_prog_id)
unshare -m --propagation private bash -c "$SETUP" fwfake "$FAKE" "$MARK" \
	"$FW_TMP/fake-setup.log" "$FW_BIN" run --json --no-default-rules \
	--watch "$WATCH" </dev/null >"$FW_TMP/$name.out" 2>"$FW_TMP/$name.err" &
TPID=$!
FW_BG_PIDS+=("$TPID")
state=running
for ((i = 0; i < FW_READY_TIMEOUT * 20; i++)); do
	if fw_proc_done "$TPID"; then
		state=exited
		break
	fi
	if grep -q '"ready"' "$FW_TMP/$name.out"; then
		state=ready
		break
	fi
	sleep 0.05
done
check "$name: ready without tracefs" == ready "$state"
if [ "$state" = exited ]; then
	note "stderr: $(head -n 3 "$FW_TMP/$name.err")"
fi
hooks=$(fw_json "$FW_TMP/$name.out" | jq -r '
	select(.event.action == "ready") | .flightwatch.hooks // [] |
	map(select(startswith("tracepoint/"))) | join(" ")')
check "$name: no hook needs tracefs" == "" "$hooks"
if [ "$state" = ready ]; then
	kill -INT "$TPID"
	fw_wait_pid "$TPID" "$FW_STOP_TIMEOUT"
	check "$name: exit status after SIGINT" -eq 0 "$FW_RC"
else
	kill -KILL "$TPID" 2>/dev/null
	fw_wait_pid "$TPID" 5
fi
progs_check "$name" "$base"
if [ ! -e "$MARK" ]; then
	note "the fake /sys/kernel could not be set up: $(cat "$FW_TMP/fake-setup.log")"
	fail "$name: test setup" "a read-only /sys/kernel" \
		"setup failed (see above); the checks above are void"
fi

fw_finish
