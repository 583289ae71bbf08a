#!/bin/bash
# The bash -c scripts below expand their own positional parameters:
# shellcheck disable=SC2016
# A FUSE mount as the way out: sshfs mounts a directory of an SSH server
# (sshd in the peer namespace), and a flight log copied into the mount
# reaches the server with no send by the copier. The kernel hands the
# writes to sshfs through /dev/fuse, sshfs to its ssh child over a socket,
# and ssh sends them. Each copy must alert on that ssh process, with the
# log as origin and the mount's connection in the chain: by cp (write),
# by fwuring (io_uring writes only), by rsync, and by cp into a mount made
# before the tracer started. Each goes through a mount of its own; a
# fifth mount, into which an unwatched file is copied the same way, must
# stay quiet (its connection is not marked by the others'). The other way:
# a daemon that read the log (sshfs started by a shell that did) serves a
# file, and an untainted socat that reads it through the mount and
# uploads it must alert; the same read from the quiet mount stays quiet.
# After a restart of the tracer (its state pinned), the same pair of reads
# again: one alert, one quiet.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

SSHD_PORT=2222
MOUNTS=(early benign cp uring rsync served)
P_SERVED=9351
P_B_SERVED=9352
P_RESTARTED=9353
P_B_RESTARTED=9354
P_URING=9355
P_SENDFILE=9356
P_MMAP=9357

fw_init
for tool in ssh sshfs rsync mountpoint; do
	command -v "$tool" >/dev/null ||
		fw_abort "$tool is not installed (make deps installs it)"
done
# FUSE's types come from the fuse module's BTF where it is a module:
# loaded before the tracer, as at boot on a station that uses FUSE
modprobe fuse 2>/dev/null
[ -c /dev/fuse ] || fw_abort "no /dev/fuse"

fuse_cleanup() {
	local m
	for m in "${MOUNTS[@]}"; do
		umount -l "$FW_TMP/mnt-$m" 2>/dev/null
	done
	fw_cleanup
}
trap fuse_cleanup EXIT
trap 'fuse_cleanup; exit 130' INT
trap 'fuse_cleanup; exit 143' TERM

fw_netns_setup
fw_peer_listen tcp4 "$P_SERVED"
fw_peer_listen tcp4 "$P_B_SERVED"
for port in "$P_RESTARTED" "$P_B_RESTARTED" "$P_URING" "$P_SENDFILE" \
	"$P_MMAP"; do
	fw_peer_listen tcp4 "$port"
done

WATCH=$FW_TMP/Telemetry
mkdir -p "$WATCH"
LOG=$WATCH/flight.tlog
fw_mklog tlog 48k "$LOG"
SIZE=$(fw_size "$LOG")
PLAIN=$FW_TMP/plain.bin
head -c "$SIZE" /dev/urandom >"$PLAIN"

# ---- the server: sshd with its sftp subsystem, in the peer namespace ------
fw_sshd "$FW_PEER" "$FW_PEER_IP4" "$SSHD_PORT"
SSH=$FW_SSH

# mount M [LOG]: an sshfs mount of the server's remote-M at mnt-M, its ssh
# in SSH_CLIENT[M]; with LOG, sshfs is started by a shell that read LOG
declare -A SSH_CLIENT=()
mount_sshfs() {
	local m=$1 i
	local run=()
	# (the shell's own read builtin: a cat would taint only itself)
	[ $# -gt 1 ] && run=(bash -c 'IFS= read -r -d "" -n 4096 _ <"$1"; shift
		exec "$@"' reader "$2")
	mkdir -p "$FW_TMP/remote-$m" "$FW_TMP/mnt-$m"
	fw_gs_bg "${run[@]}" sshfs -f -p "$SSHD_PORT" -o IdentityFile="$SSH/user" \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o BatchMode=yes -o LogLevel=ERROR \
		"root@$FW_PEER_IP4:$FW_TMP/remote-$m" "$FW_TMP/mnt-$m" \
		2>"$FW_TMP/sshfs-$m.err"
	FW_BG_PIDS+=("$FW_BG")
	for ((i = 0; i < 100; i++)); do
		mountpoint -q "$FW_TMP/mnt-$m" && break
		sleep 0.1
	done
	[ "$i" -lt 100 ] ||
		fw_abort "sshfs $m did not mount ($(cat "$FW_TMP/sshfs-$m.err"))"
	# sshfs starts ssh in a grandchild that exits (ssh's parent is init):
	# the newest ssh with this suite's key is this mount's
	SSH_CLIENT[$m]=$(pgrep -n -f -- "^ssh .*-oIdentityFile=$SSH/user")
	[ -n "${SSH_CLIENT[$m]}" ] || fw_abort "no ssh of sshfs $m"
}

# one mount made before the tracer starts: its daemon's /dev/fuse is known
# from the start's walk of open files
mount_sshfs early
fw_tracer_start fuse --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"
for m in benign cp uring rsync; do
	mount_sshfs "$m"
done
# the other way: a daemon that read the log serves a file of the server
mkdir -p "$FW_TMP/remote-served"
head -c "$SIZE" /dev/urandom >"$FW_TMP/remote-served/served.bin"
mount_sshfs served "$LOG"

fw_sc benign cp "$PLAIN" "$FW_TMP/mnt-benign/plain.bin"
fw_sc cp cp "$LOG" "$FW_TMP/mnt-cp/flight.tlog"
fw_sc uring bash -c 'exec "$1" cat "$2" >"$3"' uring \
	"$FW_HELPERS/fwuring" "$LOG" "$FW_TMP/mnt-uring/flight.tlog"
fw_sc rsync rsync "$LOG" "$FW_TMP/mnt-rsync/"
fw_sc early cp "$LOG" "$FW_TMP/mnt-early/flight.tlog"
# an untainted process reads a file the tainted daemon serves, and uploads
# it; the same from the untainted daemon's mount stays quiet
fw_sc served socat -u "OPEN:$FW_TMP/mnt-served/served.bin" \
	"TCP4:$FW_PEER_IP4:$P_SERVED"
fw_sc benign-read socat -u "OPEN:$FW_TMP/mnt-benign/plain.bin" \
	"TCP4:$FW_PEER_IP4:$P_B_SERVED"
# the same file read other ways: io_uring reads, sendfile(2) straight to
# the socket, a mapping
SERVED=$FW_TMP/mnt-served/served.bin
fw_sc served-uring "$FW_HELPERS/fwuring" send "$SERVED" "$FW_PEER_IP4" \
	"$P_URING"
fw_sc served-sendfile python3 -c 'import socket, sys
with open(sys.argv[1], "rb") as f, socket.create_connection((sys.argv[2],
		int(sys.argv[3]))) as s:
	s.sendfile(f)' "$SERVED" "$FW_PEER_IP4" "$P_SENDFILE"
fw_sc served-mmap python3 -c 'import mmap, socket, sys
with open(sys.argv[1], "rb") as f, socket.create_connection((sys.argv[2],
		int(sys.argv[3]))) as s:
	s.sendall(mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ))' \
	"$SERVED" "$FW_PEER_IP4" "$P_MMAP"
fw_wait_alerts 10 "${SSH_CLIENT[cp]}:$SIZE" "${SSH_CLIENT[uring]}:$SIZE" \
	"${SSH_CLIENT[rsync]}:$SIZE" "${SSH_CLIENT[early]}:$SIZE" \
	"${FW_PIDS[served]}:$SIZE" "${FW_PIDS[served-uring]}:$SIZE" \
	"${FW_PIDS[served-sendfile]}:$SIZE" "${FW_PIDS[served-mmap]}:$SIZE" ||
	note "not every alert within 10 s"
fw_tracer_stop

# the copies reached the server: the positive control of every scenario
check "benign: the file reached the server" == same \
	"$(cmp -s "$PLAIN" "$FW_TMP/remote-benign/plain.bin" && echo same)"
for m in cp uring rsync early; do
	check "$m: the log reached the server" == same \
		"$(cmp -s "$LOG" "$FW_TMP/remote-$m/flight.tlog" && echo same)"
done

check "stats: lost" -eq 0 "$(fw_get "$(fw_stats)" .lost)"
for m in cp uring rsync early; do
	fw_expect_flow "$m" "${SSH_CLIENT[$m]}" "$FW_PEER_IP4" "$SSHD_PORT" \
		tcp ipv4 "$SIZE" "$LOG" || continue
	A=$(fw_last_alert "${SSH_CLIENT[$m]}" "$SSHD_PORT")
	# the connection's node, named by the mount's device, then sshfs
	dev=$(mountpoint -d "$FW_TMP/mnt-$m" 2>/dev/null ||
		stat -c '%Hd:%Ld' "$FW_TMP/mnt-$m")
	check "$m: the chain names the mount's connection" == "fuse:[$dev]" \
		"$(fw_get "$A" '[.flightwatch.chain[] |
			select(.type == "fuse_connection") | .name] | first')"
	check "$m: the daemon after the connection" == sshfs \
		"$(fw_get "$A" '.flightwatch.chain as $c |
			[range(0; $c | length) | select($c[.].type ==
			"fuse_connection") | $c[. + 1].name] | first')"
	check "$m: the sender is the mount's ssh" == ssh \
		"$(fw_get "$A" .process.name)"
done
fw_expect_no_alert "benign: an unwatched file copied into a mount of its own" \
	"${SSH_CLIENT[benign]}"

# what a tainted daemon serves carries: its reader's upload alerts, with
# the daemon and its connection before the reader in the chain
if fw_expect_flow served "${FW_PIDS[served]}" "$FW_PEER_IP4" "$P_SERVED" \
	tcp ipv4 "$SIZE" "$LOG"; then
	A=$(fw_last_alert "${FW_PIDS[served]}" "$P_SERVED")
	check "served: the chain's last hops" == "sshfs,fuse_connection,socat" \
		"$(fw_get "$A" '[.flightwatch.chain[] | select(.type != "destination") |
			if .type == "process" then .name else .type end] |
			.[-3:] | join(",")')"
fi
fw_expect_no_alert "benign: a file read from the untainted daemon's mount" \
	"${FW_PIDS[benign-read]}"
fw_expect_flow "served, read by io_uring" "${FW_PIDS[served-uring]}" \
	"$FW_PEER_IP4" "$P_URING" tcp ipv4 "$SIZE" "$LOG"
fw_expect_flow "served, sent by sendfile" "${FW_PIDS[served-sendfile]}" \
	"$FW_PEER_IP4" "$P_SENDFILE" tcp ipv4 "$SIZE" "$LOG"
fw_expect_flow "served, mapped" "${FW_PIDS[served-mmap]}" \
	"$FW_PEER_IP4" "$P_MMAP" tcp ipv4 "$SIZE" "$LOG"

# ---- a restart: a read of the tainted daemon's files still alerts --------
FW_STATE_KEEP=1
fw_tracer_start second --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start again"
fw_sc restarted socat -u "OPEN:$FW_TMP/mnt-served/served.bin" \
	"TCP4:$FW_PEER_IP4:$P_RESTARTED"
fw_sc benign-restarted socat -u "OPEN:$FW_TMP/mnt-benign/plain.bin" \
	"TCP4:$FW_PEER_IP4:$P_B_RESTARTED"
fw_wait_alerts 10 "${FW_PIDS[restarted]}:$SIZE" ||
	note "no alert within 10 s after the restart"
fw_tracer_stop
# the daemon's taint is pinned, so its replies mark the connection again;
# the collector does not restore what carriers held before the restart, so
# the alert's origin is the connection, not the log
fw_expect_flow "after a restart: a file the tainted daemon serves" \
	"${FW_PIDS[restarted]}" "$FW_PEER_IP4" "$P_RESTARTED" tcp ipv4 "$SIZE" \
	"fuse:[$(mountpoint -d "$FW_TMP/mnt-served")]"
fw_expect_no_alert "after a restart: a file the untainted daemon serves" \
	"${FW_PIDS[benign-restarted]}"
fw_finish
