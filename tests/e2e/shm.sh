#!/bin/bash
# Data handed over through shared memory: a writer reads a flight log and
# copies it into shared memory with plain stores (no syscall moves it); a
# receiver that maps the same memory uploads it. Every kind of shared
# memory (tests/helpers/fwshm.c): a memfd, a POSIX shm_open object
# (/dev/shm), a SysV segment (shmget/shmat), each with the receiver mapping
# before the writer read the log and after it; and an anonymous MAP_SHARED
# region a child forked before the read inherits; and a receiver that
# moved its mapping with mremap before the data came. Python's
# multiprocessing.shared_memory as the real library, both orders, two
# processes attaching by name. Each upload alerts with the log as origin;
# each benign twin (the same program moving a file that is not a log)
# stays quiet, and so does a child sharing memory with a process that read
# the log but maps that memory read-only.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_PROBE4=9401
P_PROBE6=9402
PORT=9403 # the next scenario's port
FWSHM=$FW_HELPERS/fwshm
PY=/usr/bin/python3

fw_init
fw_peers "$P_PROBE4" "$P_PROBE6"
[ -x "$FWSHM" ] || fw_abort "no $FWSHM (run tests/run.sh)"
"$PY" -c 'from multiprocessing import shared_memory' 2>/dev/null ||
	fw_abort "$PY has no multiprocessing.shared_memory"

WATCH=$FW_TMP/Telemetry
mkdir -p "$WATCH"
LOG=$WATCH/flight.tlog
fw_mklog tlog 32k "$LOG"
SIZE=$(fw_size "$LOG")
PLAIN=$FW_TMP/plain.bin
head -c "$SIZE" /dev/urandom >"$PLAIN"

# The python pair: a writer creates the block, reads FILE and stores it in
# the block; a reader attaches by name (before the read: ORDER reader, or
# after the copy: writer) and uploads what it finds. They say when to go
# with empty files, which carry nothing.
cat >"$FW_TMP/shm_pair.py" <<'EOF'
import pathlib, socket, sys, time
from multiprocessing import resource_tracker, shared_memory

def wait(d, name):
    for _ in range(600):
        if pathlib.Path(d, name).exists():
            return
        time.sleep(0.05)
    sys.exit("shm_pair: no %s" % name)

def touch(d, name):
    pathlib.Path(d, name).touch()

role, order, d, name, size = sys.argv[1:6]
size = int(size)
if role == "writer":
    shm = shared_memory.SharedMemory(name=name, create=True, size=size)
    touch(d, "created")
    if order == "reader":
        wait(d, "attached")
    data = open(sys.argv[6], "rb").read()
    shm.buf[:size] = data
    touch(d, "copied")
    wait(d, "done")
    shm.close()
    try:
        shm.unlink()
    except FileNotFoundError:
        pass  # the reader's resource tracker removed it
else:
    wait(d, "created")
    if order == "reader":
        shm = shared_memory.SharedMemory(name=name)
        touch(d, "attached")
        wait(d, "copied")
    else:
        wait(d, "copied")
        shm = shared_memory.SharedMemory(name=name)
    # attaching registers the block with this process's resource tracker,
    # which would remove it at exit (Python < 3.13): it is the writer's
    resource_tracker.unregister(shm._name, "shared_memory")
    data = bytes(shm.buf[:size])
    with socket.create_connection((sys.argv[6], int(sys.argv[7]))) as s:
        s.sendall(data)
    shm.close()
    touch(d, "done")
EOF

# scenario NAME PROGRAM...: a listener on the next port, then the program
# (given the port as its last argument)
declare -A PORTS=()
scenario() {
	local name=$1
	shift
	fw_peer_listen tcp4 "$PORT"
	PORTS[$name]=$PORT
	fw_sc "$name" "$@" "$PORT"
	PORT=$((PORT + 1))
}

# py_pair NAME ORDER FILE: the writer in the background, the reader (the
# uploader) as the scenario
py_pair() {
	local name=$1 order=$2 file=$3 dir=$FW_TMP/py-$1
	mkdir -p "$dir"
	fw_gs_bg "$PY" "$FW_TMP/shm_pair.py" writer "$order" "$dir" \
		"fw-$name-$$" "$SIZE" "$file"
	FW_BG_PIDS+=("$FW_BG")
	scenario "$name" "$PY" "$FW_TMP/shm_pair.py" reader "$order" "$dir" \
		"fw-$name-$$" "$SIZE" "$FW_PEER_IP4"
}

fw_tracer_start shm --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"

KINDS="memfd-reader memfd-writer posix-reader posix-writer sysv-reader
	sysv-writer anon-reader memfd-moved"
for k in $KINDS; do
	scenario "$k" "$FWSHM" "${k%-*}" "${k#*-}" "$LOG" "$FW_PEER_IP4"
	scenario "b-$k" "$FWSHM" "${k%-*}" "${k#*-}" "$PLAIN" "$FW_PEER_IP4"
done
# a process that read the log but maps the memory read-only (it cannot
# store into it) gives the child sharing it nothing (posix-reader, the
# same with a writable mapping, is its control)
scenario b-posix-readonly "$FWSHM" posix readonly "$LOG" "$FW_PEER_IP4"
py_pair py-reader reader "$LOG"
py_pair py-writer writer "$LOG"
py_pair b-py-reader reader "$PLAIN"
py_pair b-py-writer writer "$PLAIN"

# the uploader of fwshm is the child of the scenario's process; python's
# is the scenario's process itself
uploads() {
	fw_json | jq -c --arg pid "${FW_PIDS[$1]}" \
		--arg port "${PORTS[$1]}" 'select(.event.kind == "alert" and
		(.destination.port | tostring) == $port and
		((.process.pid | tostring) == $pid or
		 (.process.parent.pid | tostring) == $pid))'
}

want=()
for name in $KINDS py-reader py-writer; do
	want+=("${PORTS[$name]}:$SIZE")
done
fw_wait_alerts_by .destination.port 10 "${want[@]}" ||
	note "not every upload's alert within 10 s"
fw_tracer_stop

for name in $KINDS py-reader py-writer; do
	a=$(uploads "$name" | tail -n 1)
	if ! check "$name: the upload alerts" != "" "$a"; then
		note "$name: $(cat "$FW_TMP/sc-$name.err")"
		continue
	fi
	check "$name: file.path (the writer's log)" == "$LOG" \
		"$(fw_get "$a" .file.path)"
	check "$name: destination.bytes >= $SIZE" -ge "$SIZE" \
		"$(fw_get "$a" .destination.bytes)"
	# the writer read the log; the receiver got it from memory it maps
	check "$name: the chain goes through the writer" -ge 2 \
		"$(fw_get "$a" '[.flightwatch.chain[] | select(.type ==
			"process")] | length')"
done
for name in $KINDS py-reader py-writer; do
	check "b-$name: the same move of a file that is not a log: no alert" \
		== "" "$(uploads "b-$name")"
done
check "b-posix-readonly: a tainted process's read-only mapping: no alert" \
	== "" "$(uploads b-posix-readonly)"
s=$(fw_stats)
check "stats: shared_mappings_unfollowed is reported" != "" \
	"$(fw_get "$s" .shared_mappings_unfollowed)"

fw_finish
