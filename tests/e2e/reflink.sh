#!/bin/bash
# Copies that share blocks (reflinks): on XFS (RHEL's default file system)
# and btrfs, cp clones a file with ioctl(FICLONE) when it can, and no byte
# of it passes through cp's memory; ioctl(FICLONERANGE) clones a range. A
# clone of a flight log is a copy like any: cp (FICLONE, whole file) and
# xfs_io's reflink (FICLONERANGE, a range, and a range to the end) each
# clone the log on an XFS file system, and another process, which never
# opened the log, uploads the clone; so do FICLONE and FICLONERANGE made
# through the 32-bit entry (tests/helpers/fwia32.c), where the kernel runs
# 32-bit calls. Each upload alerts with the log as
# origin and the clone in the chain; the same clone of a file that is not
# a log, uploaded the same way, stays quiet. The file system is XFS made
# in a sparse file and mounted through a loop device.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_PROBE4=9461
P_PROBE6=9462
P_CP=9463
P_RANGE=9464
P_TAIL=9465
P_BENIGN=9466
P_IA32=9467
P_IA32_RANGE=9468
FWIA32=$FW_HELPERS/fwia32

fw_init
for tool in mkfs.xfs xfs_io; do
	command -v "$tool" >/dev/null ||
		fw_abort "$tool missing (make deps installs xfsprogs)"
done
fw_peers "$P_PROBE4" "$P_PROBE6"
# a kernel without 32-bit emulation refuses int $0x80 (ENOSYS or a fault)
IA32=0
[ -x "$FWIA32" ] && "$FWIA32" --read read /dev/null --copy /dev/null 2>/dev/null &&
	IA32=1
for port in "$P_CP" "$P_RANGE" "$P_TAIL" "$P_BENIGN" "$P_IA32" "$P_IA32_RANGE"; do
	fw_peer_listen tcp4 "$port"
done

# XFS needs 300 MiB at least; the file is sparse
modprobe -q loop 2>/dev/null
modprobe -q xfs 2>/dev/null
XFS=$FW_TMP/xfs
mkdir -p "$XFS"
truncate -s 320M "$FW_TMP/xfs.img"
mkfs.xfs -q -m reflink=1 "$FW_TMP/xfs.img" >"$FW_TMP/mkfs.err" 2>&1 ||
	fw_abort "mkfs.xfs failed: $(tail -1 "$FW_TMP/mkfs.err")"
mount -o loop "$FW_TMP/xfs.img" "$XFS" 2>"$FW_TMP/mount.err" ||
	fw_abort "cannot mount an XFS image: $(tail -1 "$FW_TMP/mount.err")"
# unmounted before lib.sh's cleanup removes FW_TMP (lazily: a scenario
# killed on a timeout may still hold a file there)
reflink_cleanup() {
	umount -l "$XFS" 2>/dev/null
	fw_cleanup
}
trap reflink_cleanup EXIT
trap 'reflink_cleanup; exit 130' INT
trap 'reflink_cleanup; exit 143' TERM

WATCH=$XFS/Telemetry
mkdir -p "$WATCH"
LOG=$WATCH/flight.tlog
fw_mklog tlog 96k "$LOG"
SIZE=$(fw_size "$LOG")
PLAIN=$XFS/plain.bin
head -c "$SIZE" /dev/urandom >"$PLAIN"
HALF=$((SIZE / 2 / 4096 * 4096)) # clone ranges are whole blocks

fw_tracer_start reflink --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"

# upload NAME FILE PORT: an untainted socat sends FILE to the peer
upload() {
	fw_sc "$1" socat -u "FILE:$2" "TCP4:$FW_PEER_IP4:$3"
}
# cp: FICLONE of the whole log (cp fails rather than copy otherwise)
fw_sc cp-clone cp --reflink=always -- "$LOG" "$XFS/cp.bin"
upload cp "$XFS/cp.bin" "$P_CP"
# range: FICLONERANGE of the log's first HALF bytes
fw_sc range-clone xfs_io -f -c "reflink $LOG 0 0 $HALF" "$XFS/range.bin"
upload range "$XFS/range.bin" "$P_RANGE"
# tail: FICLONERANGE from HALF to the end (length 0)
fw_sc tail-clone xfs_io -f -c "reflink $LOG $HALF 0 0" "$XFS/tail.bin"
upload tail "$XFS/tail.bin" "$P_TAIL"
# ia32, ia32-range: FICLONE and FICLONERANGE (the whole file) by int $0x80
if [ "$IA32" = 1 ]; then
	fw_sc ia32-clone "$FWIA32" --read none "$LOG" --clone "$XFS/ia32.bin"
	upload ia32 "$XFS/ia32.bin" "$P_IA32"
	fw_sc ia32-range-clone "$FWIA32" --read none "$LOG" \
		--clone-range "$XFS/ia32-range.bin"
	upload ia32-range "$XFS/ia32-range.bin" "$P_IA32_RANGE"
fi
# benign twin: the same clone and upload of a file that is not a log
fw_sc benign-clone cp --reflink=always -- "$PLAIN" "$XFS/benign.bin"
upload benign "$XFS/benign.bin" "$P_BENIGN"

TAIL_SIZE=$(fw_size "$XFS/tail.bin")
WAIT=("${FW_PIDS[cp]}:$SIZE" "${FW_PIDS[range]}:$HALF" "${FW_PIDS[tail]}:$TAIL_SIZE")
[ "$IA32" = 1 ] && WAIT+=("${FW_PIDS[ia32]}:$SIZE" "${FW_PIDS[ia32-range]}:$SIZE")
fw_wait_alerts 15 "${WAIT[@]}" || note "not every alert reached its size"
fw_tracer_stop

# the clones are what was asked: whole, first half, the rest
check "cp: the clone is the log" == "$(md5sum <"$LOG")" "$(md5sum <"$XFS/cp.bin")"
check "range: the clone is the log's first $HALF bytes" -eq "$HALF" "$(fw_size "$XFS/range.bin")"
check "tail: the clone is the log from $HALF on" -eq "$((SIZE - HALF))" "$TAIL_SIZE"
# and they share the log's blocks: extents that xfs_io's fiemap flags
# shared (FIEMAP_EXTENT_SHARED, 0x2000)
shared_extents() {
	local flags n=0
	for flags in $(xfs_io -c 'fiemap -v' "$1" | awk 'NR > 2 {print $NF}'); do
		((flags & 0x2000)) && n=$((n + 1))
	done
	echo "$n"
}
for name in cp range tail; do
	check "$name: the clone shares the log's blocks" -gt 0 \
		"$(shared_extents "$XFS/$name.bin")"
done
check "benign: the control clone shares its source's blocks too" -gt 0 \
	"$(shared_extents "$XFS/benign.bin")"

flow() { # flow NAME PORT BYTES CLONER
	local a
	fw_expect_flow "$1" "${FW_PIDS[$1]}" "$FW_PEER_IP4" "$2" tcp ipv4 "$3" "$LOG" ||
		return 0
	a=$(fw_last_alert "${FW_PIDS[$1]}" "$2")
	check "$1: the chain passes the clone" == \
		"origin,process,file,process,destination" \
		"$(fw_get "$a" '[.flightwatch.chain[].type] | join(",")')"
	check "$1: the clone's node is its file" == "$XFS/$1.bin" \
		"$(fw_get "$a" '.flightwatch.chain[2].path')"
	check "$1: the cloner is the chain's first process" -eq \
		"${FW_PIDS[$1-clone]}" "$(fw_get "$a" '.flightwatch.chain[1].pid')"
	check "$1: the cloner is $4" == "$4" \
		"$(fw_get "$a" '.flightwatch.chain[1].name')"
}
flow cp "$P_CP" "$SIZE" cp
flow range "$P_RANGE" "$HALF" xfs_io
flow tail "$P_TAIL" "$TAIL_SIZE" xfs_io
if [ "$IA32" = 1 ]; then
	for name in ia32 ia32-range; do
		check "$name: the clone is the log" == "$(md5sum <"$LOG")" \
			"$(md5sum <"$XFS/$name.bin")"
	done
	flow ia32 "$P_IA32" "$SIZE" fwia32
	flow ia32-range "$P_IA32_RANGE" "$SIZE" fwia32
else
	skip "ia32, ia32-range" "this kernel runs no 32-bit call"
fi
check "benign: a clone of a file that is not a log: no alert" == "" \
	"$(fw_alerts "${FW_PIDS[benign]}")"
check "stats: lost" -eq 0 "$(fw_get "$(fw_stats)" .lost)"
fw_finish
