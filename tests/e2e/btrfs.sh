#!/bin/bash
# btrfs (Fedora's and openSUSE's default file system): stat gives each
# subvolume a device number of its own, while the kernel's walk of a
# file's directories compares the super block's. A watched directory is
# keyed by the latter (user/lib/fsdev.c), so that logs on btrfs are seen
# at all. Scenarios, each a socat upload of a log that is a flight log
# only by its directory: a watched directory of the top subvolume; a
# subvolume made inside it; a subvolume mounted on its own (-o subvol=)
# and watched there. A reader that closed the log and one that holds
# another open across a crash of the tracer alert after the next start,
# each with its own log's path: the two logs have the same inode number
# and generation in two subvolumes. The same upload of a file outside the
# watched directories stays quiet: its directory, the top subvolume's
# root, has the inode number of the watched subvolume's root. The file
# system is made in a sparse file and mounted through a loop device.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_PROBE4=9480
P_PROBE6=9481
P_TOP=9482
P_NESTED=9483
P_MOUNTED=9484
P_CLOSED=9486
P_OPEN=9487
P_BENIGN=9488

fw_init
for tool in mkfs.btrfs btrfs python3; do
	command -v "$tool" >/dev/null ||
		fw_abort "$tool missing (make deps installs btrfs-progs and python3)"
done
fw_peers "$P_PROBE4" "$P_PROBE6"
for port in "$P_TOP" "$P_NESTED" "$P_MOUNTED" "$P_CLOSED" "$P_OPEN" \
	"$P_BENIGN"; do
	fw_peer_listen tcp4 "$port"
done

# btrfs needs 114 MiB at least; the file is sparse
modprobe -q loop 2>/dev/null
modprobe -q btrfs 2>/dev/null
FS=$FW_TMP/btrfs
SUBVOL_MNT=$FW_TMP/subvol
mkdir -p "$FS" "$SUBVOL_MNT"
truncate -s 256M "$FW_TMP/btrfs.img"
mkfs.btrfs -q "$FW_TMP/btrfs.img" >"$FW_TMP/mkfs.err" 2>&1 ||
	fw_abort "mkfs.btrfs failed: $(tail -1 "$FW_TMP/mkfs.err")"
mount -o loop "$FW_TMP/btrfs.img" "$FS" 2>"$FW_TMP/mount.err" ||
	fw_abort "cannot mount a btrfs image: $(tail -1 "$FW_TMP/mount.err")"
# unmounted before lib.sh's cleanup removes FW_TMP (lazily: a scenario
# killed on a timeout may still hold a file there)
btrfs_cleanup() {
	umount -l "$SUBVOL_MNT" 2>/dev/null
	umount -l "$FS" 2>/dev/null
	fw_cleanup
}
trap btrfs_cleanup EXIT
trap 'btrfs_cleanup; exit 130' INT
trap 'btrfs_cleanup; exit 143' TERM

# Telemetry: a subvolume, the watched directory; Vehicle2 a subvolume
# inside it; @logs another, mounted on its own at SUBVOL_MNT
btrfs -q subvolume create "$FS/Telemetry" >/dev/null
btrfs -q subvolume create "$FS/Telemetry/Vehicle2" >/dev/null
btrfs -q subvolume create "$FS/@logs" >/dev/null
mount -o "loop,subvol=@logs" "$FW_TMP/btrfs.img" "$SUBVOL_MNT" \
	2>"$FW_TMP/mount.err" ||
	fw_abort "cannot mount the subvolume @logs: $(tail -1 "$FW_TMP/mount.err")"
# generic names: flight logs only by the directory they are in
LOG=$FS/Telemetry/flight.bin
NESTED=$FS/Telemetry/Vehicle2/flight.bin
MOUNTED=$SUBVOL_MNT/flight.bin
fw_mklog tlog 64k "$LOG"
fw_mklog tlog 48k "$NESTED"
fw_mklog tlog 32k "$MOUNTED"
PLAIN=$FS/plain.bin
head -c 40000 /dev/urandom >"$PLAIN"
SIZE=$(fw_size "$LOG")

# the premise: stat's device is not the super block's on btrfs
dev_of() { stat -c '%Hd:%Ld' -- "$1"; }
SB_DEV=$(awk -v m="$FS" '$5 == m {print $3}' /proc/self/mountinfo)
check "btrfs: stat's device differs from the mount's" != "$SB_DEV" \
	"$(dev_of "$FS/Telemetry")"
check "btrfs: the subvolumes' devices differ" != "$(dev_of "$FS/Telemetry")" \
	"$(dev_of "$NESTED")"

upload() { # upload NAME FILE PORT: an untainted socat sends FILE to the peer
	fw_sc "$1" socat -u "FILE:$2" "TCP4:$FW_PEER_IP4:$3"
}

fw_tracer_start first --no-default-rules --watch "$FS/Telemetry" \
	--watch "$SUBVOL_MNT" || fw_abort "tracer did not start"
upload top "$LOG" "$P_TOP"
upload nested "$NESTED" "$P_NESTED"
upload mounted "$MOUNTED" "$P_MOUNTED"
upload benign "$PLAIN" "$P_BENIGN"
# two readers across a crash: one closes the log, one holds it open
fw_gs_bg "$FWSEND" --timeout 300 --read read "$LOG" --touch "$FW_TMP/read-closed" \
	--wait-file "$FW_TMP/go-closed" --send write --to "$FW_PEER_IP4" \
	--port "$P_CLOSED"
FW_PIDS[closed]=$FW_BG
FW_BG_PIDS+=("$FW_BG")
fw_gs_bg python3 "$FWHOLD" "$NESTED" "$FW_TMP/read-open" \
	"$FW_TMP/go-open" "$FW_PEER_IP4" "$P_OPEN"
FW_PIDS[open]=$FW_BG
FW_BG_PIDS+=("$FW_BG")
for name in closed open; do
	fw_wait_file "$FW_TMP/read-$name" 20 ||
		fail "$name: read the log" "$FW_TMP/read-$name" "none"
done
fw_wait_alerts 15 "${FW_PIDS[top]}:$SIZE" \
	"${FW_PIDS[nested]}:$(fw_size "$NESTED")" \
	"${FW_PIDS[mounted]}:$(fw_size "$MOUNTED")" ||
	note "not every alert reached its size"
FIRST_OUT=$FW_OUT
kill -KILL "$FW_TRACER_PID"
wait "$FW_TRACER_PID" 2>/dev/null
FW_TRACER_PID=

FW_STATE_KEEP=1
fw_tracer_start second --no-default-rules --watch "$FS/Telemetry" \
	--watch "$SUBVOL_MNT" || fw_abort "tracer did not start again"
for name in closed open; do
	touch "$FW_TMP/go-$name"
	fw_wait_pid "${FW_PIDS[$name]}" 30
done
fw_wait_alerts 10 "${FW_PIDS[closed]}:$SIZE" \
	"${FW_PIDS[open]}:$(fw_size "$NESTED")" ||
	note "not every restored reader's alert within 10 s"
fw_tracer_stop

check "stats: lost" -eq 0 "$(fw_get "$(fw_stats)" .lost)"
fw_expect_flow "restart: read before the crash, file closed" \
	"${FW_PIDS[closed]}" "$FW_PEER_IP4" "$P_CLOSED" tcp ipv4 "$SIZE" "$LOG"
fw_expect_flow "restart: read before the crash, file held open" \
	"${FW_PIDS[open]}" "$FW_PEER_IP4" "$P_OPEN" tcp ipv4 \
	"$(fw_size "$NESTED")" "$NESTED"
FW_OUT=$FIRST_OUT
fw_expect_flow top "${FW_PIDS[top]}" "$FW_PEER_IP4" "$P_TOP" tcp ipv4 \
	"$SIZE" "$LOG"
fw_expect_flow "nested subvolume" "${FW_PIDS[nested]}" "$FW_PEER_IP4" \
	"$P_NESTED" tcp ipv4 "$(fw_size "$NESTED")" "$NESTED"
fw_expect_flow "subvolume mounted alone" "${FW_PIDS[mounted]}" \
	"$FW_PEER_IP4" "$P_MOUNTED" tcp ipv4 "$(fw_size "$MOUNTED")" "$MOUNTED"
fw_expect_no_alert "benign: a file outside the watched directories" \
	"${FW_PIDS[benign]}"
fw_finish
