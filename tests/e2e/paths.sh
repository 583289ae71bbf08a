#!/bin/bash
# The bash -c scripts below expand their own positional parameters:
# shellcheck disable=SC2016
# The other ways flight-log data is read, each ending in an upload to the
# peer that must alert with the log as origin:
#   - mmap of the log (the data never passes through read(2));
#   - a hard link made in an unwatched directory, and a log renamed out of
#     the watched directory, neither opened before (identity by inode: the
#     tracer learns the inodes under watched directories at start);
#   - a log opened before the tracer started, read after;
#   - a unix datagram socketpair between a reader and a sender;
#   - unconnected unix datagrams sent by path to an unrelated receiver;
#   - a file derived from a log, deleted: a new file that gets its inode
#     number is not a carrier (identity includes the inode generation);
#   - a directory whose files were opened while it was unwatched, then
#     moved into the watched directory (the open path's cache of walked
#     directories starts again after a rename).
# Each has a benign twin with an unwatched file, which must stay quiet.
# Then, with a second tracer run with --taint-expiry 1: a reader that sends
# within the expiry alerts, one that waits longer does not. And with a
# third whose config makes the carries map 64 entries: a tainted process
# writing 200 files makes the kernel evict, which is counted and reported.
#
# Harness rule (see dataflow.sh): this shell never reads what a tainted
# process wrote.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_MMAP=9301
P_LINK=9302
P_RENAME=9303
P_OPEN=9304
P_DGRAM=9305
P_FRESH=9306
P_STALE=9307
P_B_LINK=9308
P_UNIXPATH=9309
P_B_UNIXPATH=9310
P_B_MMAP=9311
P_B_RENAME=9312
P_B_OPEN=9313
P_B_DGRAM=9314
P_DERIVED=9315
P_INODE=9316
P_MOVEDIR=9317
P_B_MOVEDIR=9318
PY=/usr/bin/python3

fw_init
command -v "$PY" >/dev/null || fw_abort "$PY is needed"
fw_netns_setup
for p in "$P_MMAP" "$P_LINK" "$P_RENAME" "$P_OPEN" "$P_DGRAM" "$P_FRESH" \
	"$P_STALE" "$P_B_LINK" "$P_UNIXPATH" "$P_B_UNIXPATH" "$P_B_MMAP" \
	"$P_B_RENAME" "$P_B_OPEN" "$P_B_DGRAM" "$P_DERIVED" "$P_INODE" \
	"$P_MOVEDIR" "$P_B_MOVEDIR"; do
	fw_peer_listen tcp4 "$p"
done

WATCH=$FW_TMP/Telemetry
WORK=$FW_TMP/work
mkdir -p "$WATCH/2026/11" "$WORK"
# one log per scenario, none opened by anything before its scenario
mklog() {
	fw_mklog tlog 48k "$1"
}
LOG_MMAP="$WATCH/mmap.tlog"
LOG_LINK="$WATCH/2026/11/linked.tlog"
LOG_RENAME="$WATCH/renamed.tlog"
LOG_OPEN="$WATCH/open-before.tlog"
LOG_DGRAM="$WATCH/dgram.tlog"
LOG_EXPIRY="$WATCH/expiry.tlog"
LOG_UNIXPATH="$WATCH/unix-path.tlog"
LOG_REUSE="$WATCH/reuse.tlog"
for f in "$LOG_MMAP" "$LOG_LINK" "$LOG_RENAME" "$LOG_OPEN" "$LOG_DGRAM" \
	"$LOG_EXPIRY" "$LOG_UNIXPATH" "$LOG_REUSE"; do
	mklog "$f"
done
SIZE=$(fw_size "$LOG_MMAP")
PLAIN=$WORK/plain.bin
head -c "$SIZE" /dev/urandom >"$PLAIN"
# the benign twins' own untainted files
for f in b-mmap b-rename b-open b-dgram; do
	cp "$PLAIN" "$WORK/$f.bin"
done
LINK=$WORK/innocent.bin
RENAMED=$WORK/moved.bin
B_LINK=$WORK/plain-link.bin

# ---- python helpers (written by this untainted shell) ----------------------
cat >"$WORK/send.py" <<'EOF'
# send.py MODE FILE IP PORT [WAIT_FILE [SLEEP]]: get FILE's bytes (MODE read
# or mmap), optionally wait for WAIT_FILE and sleep, then send them
import fwnet, mmap, os, socket, sys, time
mode, path, ip, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
wait = sys.argv[5] if len(sys.argv) > 5 else ""
pause = float(sys.argv[6]) if len(sys.argv) > 6 else 0
fd = os.open(path, os.O_RDONLY)
if mode == "mmap":
    m = mmap.mmap(fd, 0, prot=mmap.PROT_READ)
    data = bytes(m[:])
    m.close()
else:
    if wait:
        # opened now, read only once the tracer runs
        while not os.path.exists(wait):
            time.sleep(0.02)
    data = b""
    while True:
        d = os.read(fd, 65536)
        if not d:
            break
        data += d
time.sleep(pause)
fwnet.upload(data, ip, port)
EOF

cat >"$WORK/dgram_recv.py" <<'EOF'
# a unix datagram socket bound to a path: what arrives until END goes to
# the peer over TCP
import fwnet, os, socket, sys
path, ready, ip, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
u.bind(path)
open(ready, "w").close()
data = fwnet.recv_until_end(u)
fwnet.upload(data, ip, port)
EOF
cat >"$WORK/dgram_send.py" <<'EOF'
# a file as datagrams to a unix socket named by its path (never connected)
import socket, sys
path, sock = sys.argv[1], sys.argv[2]
u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
with open(path, "rb") as f:
    while True:
        d = f.read(4096)
        if not d:
            break
        u.sendto(d, sock)
u.sendto(b"END", sock)
EOF

# opened before the tracer starts, read after it is ready
GO=$WORK/go
fw_gs_bg "$PY" "$WORK/send.py" read "$LOG_OPEN" "$FW_PEER_IP4" "$P_OPEN" \
	"$GO" >"$FW_TMP/sc-open.err" 2>&1
FW_PIDS[open]=$FW_BG
FW_BG_PIDS+=("$FW_BG")
fw_gs_bg "$PY" "$WORK/send.py" read "$WORK/b-open.bin" "$FW_PEER_IP4" \
	"$P_B_OPEN" "$GO" >"$FW_TMP/sc-b-open.err" 2>&1
FW_PIDS[b-open]=$FW_BG
FW_BG_PIDS+=("$FW_BG")
# both hold their file open before the tracer starts
for ((i = 0; i < 100; i++)); do
	ls -l "/proc/${FW_PIDS[open]}/fd" 2>/dev/null | grep -q open-before &&
		ls -l "/proc/${FW_PIDS[b-open]}/fd" 2>/dev/null | grep -q b-open &&
		break
	sleep 0.05
done

fw_tracer_start paths --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"

# ---- 1. mmap ----------------------------------------------------------------
fw_sc mmap "$PY" "$WORK/send.py" mmap "$LOG_MMAP" "$FW_PEER_IP4" "$P_MMAP"
fw_sc b-mmap "$PY" "$WORK/send.py" mmap "$WORK/b-mmap.bin" "$FW_PEER_IP4" \
	"$P_B_MMAP"

# ---- 2. hard link in an unwatched directory, made after start -------------
ln "$LOG_LINK" "$LINK" || fail "link: ln" "a hard link" "ln failed"
ln "$PLAIN" "$B_LINK" || fail "b-link: ln" "a hard link" "ln failed"
fw_sc link "$PY" "$WORK/send.py" read "$LINK" "$FW_PEER_IP4" "$P_LINK"
fw_sc b-link "$PY" "$WORK/send.py" read "$B_LINK" "$FW_PEER_IP4" "$P_B_LINK"

# ---- 3. renamed out of the watched directory ------------------------------
mv "$LOG_RENAME" "$RENAMED" || fail "rename: mv" "a rename" "mv failed"
fw_sc rename "$PY" "$WORK/send.py" read "$RENAMED" "$FW_PEER_IP4" "$P_RENAME"
mv "$WORK/b-rename.bin" "$WORK/b-renamed.bin" ||
	fail "b-rename: mv" "a rename" "mv failed"
fw_sc b-rename "$PY" "$WORK/send.py" read "$WORK/b-renamed.bin" \
	"$FW_PEER_IP4" "$P_B_RENAME"

# ---- 4. opened before the tracer started ----------------------------------
touch "$GO"
fw_wait_pid "${FW_PIDS[open]}" 30
check "open: scenario exit status" -eq 0 "$FW_RC"
fw_wait_pid "${FW_PIDS[b-open]}" 30
check "b-open: scenario exit status" -eq 0 "$FW_RC"

# ---- 5. unix datagram socketpair ------------------------------------------
fw_sc dgram "$PY" "$FWPAIR" dgram "$LOG_DGRAM" "$FW_PEER_IP4" "$P_DGRAM"
fw_sc b-dgram "$PY" "$FWPAIR" dgram "$WORK/b-dgram.bin" "$FW_PEER_IP4" \
	"$P_B_DGRAM"

# ---- 6. unconnected unix datagrams by path, and the benign twin ----------
for kind in unixpath b-unixpath; do
	if [ $kind = unixpath ]; then
		src=$LOG_UNIXPATH port=$P_UNIXPATH
	else
		src=$PLAIN port=$P_B_UNIXPATH
	fi
	fw_gs_bg "$PY" "$WORK/dgram_recv.py" "$WORK/$kind.sock" \
		"$WORK/$kind.ready" "$FW_PEER_IP4" "$port" \
		>"$FW_TMP/sc-$kind-recv.err" 2>&1
	FW_PIDS[$kind-recv]=$FW_BG
	FW_BG_PIDS+=("$FW_BG")
	if fw_wait_file "$WORK/$kind.ready" 10; then
		fw_sc "$kind" "$PY" "$WORK/dgram_send.py" "$src" "$WORK/$kind.sock"
	else
		fail "$kind: receiver ready" "$WORK/$kind.ready" "none after 10 s"
	fi
	fw_wait_pid "${FW_PIDS[$kind-recv]}" 20
	check "$kind-recv: exit status" -eq 0 "$FW_RC"
done

# ---- 7. inode number reuse: a derived file, deleted; a new file that gets
# its inode number is not a carrier (the generation differs) -------------
DERIVED=$WORK/derived.bin
fw_sc derive "$PY" -c 'import sys; open(sys.argv[2], "wb").write(open(sys.argv[1], "rb").read())' \
	"$LOG_REUSE" "$DERIVED"
# control: the derived file carries the log
fw_sc derived "$PY" "$WORK/send.py" read "$DERIVED" "$FW_PEER_IP4" "$P_DERIVED"
old_ino=$(stat -c %i "$DERIVED")
rm -f "$DERIVED"
REUSED=
for ((i = 0; i < 64; i++)); do
	head -c "$SIZE" /dev/urandom >"$WORK/new-$i.bin"
	if [ "$(stat -c %i "$WORK/new-$i.bin")" = "$old_ino" ]; then
		REUSED=$WORK/new-$i.bin
		break
	fi
done
if [ -n "$REUSED" ]; then
	fw_sc inode "$PY" "$WORK/send.py" read "$REUSED" "$FW_PEER_IP4" \
		"$P_INODE"
fi

# ---- 8. a directory moved into the watched one, after its files were
# opened while it was not: from then on they are flight logs ---------------
MOVEDIR=$WORK/incoming
B_MOVEDIR=$WORK/b-incoming
mkdir -p "$MOVEDIR" "$B_MOVEDIR"
mklog "$MOVEDIR/moved-in.tlog"
cp "$PLAIN" "$B_MOVEDIR/b-moved-in.bin"
# read while unwatched (taints nothing): the open path has seen both
# directories as unwatched
fw_sc movedir-before "$PY" -c 'import sys; [open(f, "rb").read() for f in sys.argv[1:]]' \
	"$MOVEDIR/moved-in.tlog" "$B_MOVEDIR/b-moved-in.bin"
mv "$MOVEDIR" "$WATCH/incoming" || fail "movedir: mv" "a rename" "mv failed"
mv "$B_MOVEDIR" "$WORK/b-moved" || fail "b-movedir: mv" "a rename" "mv failed"
fw_sc movedir "$PY" "$WORK/send.py" read "$WATCH/incoming/moved-in.tlog" \
	"$FW_PEER_IP4" "$P_MOVEDIR"
fw_sc b-movedir "$PY" "$WORK/send.py" read "$WORK/b-moved/b-moved-in.bin" \
	"$FW_PEER_IP4" "$P_B_MOVEDIR"

fw_wait_alerts_by .destination.port 15 "$P_MMAP:$SIZE" "$P_LINK:$SIZE" \
	"$P_RENAME:$SIZE" "$P_OPEN:$SIZE" "$P_DGRAM:$SIZE" \
	"$P_UNIXPATH:$SIZE" "$P_DERIVED:$SIZE" "$P_MOVEDIR:$SIZE" ||
	note "not every scenario's alert reached $SIZE bytes"
fw_tracer_stop INT

port_alerts() {
	fw_json "$FW_OUT" | jq -c --argjson port "$1" '
		select(.event.kind == "alert" and .destination.port == $port)'
}

# expect NAME PORT PID ORIGIN CHAIN: the last alert to PORT
expect() {
	local name=$1 port=$2 pid=$3 origin=$4 chain=$5 a
	a=$(port_alerts "$port" | tail -n 1)
	if ! check "$name: alert to port $port" != "" "$a"; then
		note "scenario output: $(cat "$FW_TMP/sc-$name.err" 2>/dev/null)"
		return 1
	fi
	check "$name: process.pid" -eq "$pid" "$(fw_get "$a" .process.pid)"
	check "$name: origin" == "$origin" \
		"$(fw_get "$a" '.flightwatch.origins[0].path')"
	check "$name: destination.bytes >= $SIZE" -ge "$SIZE" \
		"$(fw_get "$a" .destination.bytes)"
	check "$name: chain" == "$chain" \
		"$(fw_get "$a" '[.flightwatch.chain[].type] | join(",")')"
}

expect mmap "$P_MMAP" "${FW_PIDS[mmap]}" "$LOG_MMAP" origin,process,destination
# the kernel names a file by the path it was opened through
expect link "$P_LINK" "${FW_PIDS[link]}" "$LINK" origin,process,destination
check "link: matched as a file under the watched directory" == directory \
	"$(fw_get "$(port_alerts "$P_LINK" | tail -n 1)" \
		'.flightwatch.origins[0].match')"
check "benign hard link to an unwatched file: no alert" == "" \
	"$(port_alerts "$P_B_LINK")"
expect rename "$P_RENAME" "${FW_PIDS[rename]}" "$RENAMED" origin,process,destination
expect open "$P_OPEN" "${FW_PIDS[open]}" "$LOG_OPEN" origin,process,destination
expect dgram "$P_DGRAM" "${FW_PIDS[dgram]}" "$LOG_DGRAM" \
	origin,process,unix_socket,process,destination
expect unixpath "$P_UNIXPATH" "${FW_PIDS[unixpath-recv]}" "$LOG_UNIXPATH" \
	origin,process,unix_socket,process,destination
check "unixpath: the chain names the sender" -eq "${FW_PIDS[unixpath]}" \
	"$(fw_get "$(port_alerts "$P_UNIXPATH" | tail -n 1)" \
		'.flightwatch.chain[1].pid')"
check "benign unix datagrams of untainted data by path: no alert" == "" \
	"$(port_alerts "$P_B_UNIXPATH")"
check "benign mmap of an unwatched file: no alert" == "" \
	"$(port_alerts "$P_B_MMAP")"
check "benign rename of an unwatched file: no alert" == "" \
	"$(port_alerts "$P_B_RENAME")"
check "benign unwatched file opened before the start: no alert" == "" \
	"$(port_alerts "$P_B_OPEN")"
check "benign unix datagram pair of untainted data: no alert" == "" \
	"$(port_alerts "$P_B_DGRAM")"
expect derived "$P_DERIVED" "${FW_PIDS[derived]}" "$LOG_REUSE" \
	origin,process,file,process,destination
expect movedir "$P_MOVEDIR" "${FW_PIDS[movedir]}" "$WATCH/incoming/moved-in.tlog" \
	origin,process,destination
check "benign directory moved within unwatched ones: no alert" == "" \
	"$(port_alerts "$P_B_MOVEDIR")"
if [ -n "$REUSED" ]; then
	check "a new file on a deleted carrier's inode number: no alert" == "" \
		"$(port_alerts "$P_INODE")"
else
	skip "inode reuse" "the file system gave no new file inode $old_ino"
fi
check "no alert names a port outside the scenarios" == "" \
	"$(fw_json "$FW_OUT" | jq -c 'select(.event.kind == "alert" and
		(.destination.port < 9301 or .destination.port > 9317 or
		 .destination.port == 9316 or
		 (.destination.port >= 9308 and .destination.port <= 9314 and
		  .destination.port != 9309))) |
		[.process.pid, .process.name, .destination.port]')"

# ---- taint expiry ----------------------------------------------------------
fw_tracer_start expiry --no-default-rules --watch "$WATCH" \
	--taint-expiry 1 || fw_abort "tracer did not start"
fw_sc fresh "$PY" "$WORK/send.py" read "$LOG_EXPIRY" "$FW_PEER_IP4" "$P_FRESH"
fw_sc stale "$PY" "$WORK/send.py" read "$LOG_EXPIRY" "$FW_PEER_IP4" \
	"$P_STALE" "" 2.5
fw_wait_alerts_by .destination.port 10 "$P_FRESH:$SIZE" ||
	note "the fresh reader's alert did not reach $SIZE bytes"
fw_tracer_stop INT
expect fresh "$P_FRESH" "${FW_PIDS[fresh]}" "$LOG_EXPIRY" origin,process,destination
check "a reader sending 2.5 s after its read, expiry 1 s: no alert" == "" \
	"$(port_alerts "$P_STALE")"
check "expiry: no kernel map entry evicted" -eq 0 \
	"$(fw_get "$(fw_stats)" '[.evicted[]] | add')"

# ---- evictions from a full map are counted and reported --------------------
CONFIG=$FW_TMP/small-maps.yaml
printf 'maps:\n  carries: 64\n' >"$CONFIG"
chmod 600 "$CONFIG"
mkdir -p "$WORK/many"
fw_tracer_start evict --config "$CONFIG" --no-default-rules \
	--watch "$WATCH" || fw_abort "tracer did not start"
fw_sc evict "$PY" -c '
import sys
data = open(sys.argv[1], "rb").read()
for i in range(200):
    with open("%s/f%03d" % (sys.argv[2], i), "wb") as f:
        f.write(data[:64])
' "$LOG_EXPIRY" "$WORK/many"
fw_tracer_stop INT
stats=$(fw_stats)
check "evict: carries entries evicted (200 written, 64 kept)" -ge 100 \
	"$(fw_get "$stats" .evicted.carries)"
check "evict: no eviction counted in the maps that were not full" -eq 0 \
	"$(fw_get "$stats" '[.evicted | to_entries[] |
		select(.key != "carries") | .value] | add')"
check "evict: the tracer said the map is full" contains \
	"kernel map carries is full" "$(cat "$FW_ERR")"

fw_finish
