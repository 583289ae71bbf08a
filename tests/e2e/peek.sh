#!/bin/bash
# Data moved through another process's memory. Reading: a process that
# read a flight log holds it in its heap; another process reads that
# memory with process_vm_readv, ptrace (PTRACE_ATTACH + PEEKDATA, as a
# debugger), a pread of /proc/PID/mem (fwpeek), a read of it (python) or
# a pread through a descriptor of it another process opened and passed,
# or io_uring requests alone (fwuring: the open, the reads, the sends)
# and uploads it. The upload alerts, named after the reader, with the log
# as its origin and the holder in its chain. gdb, a real debugger, dumps
# the holder's heap to a file that another program uploads. Writing: a
# process that read the log writes it into an untainted process (one
# waiting to upload a file it read) by process_vm_writev, PTRACE_POKEDATA
# or a pwrite of /proc/PID/mem, or an io_uring write request on it
# (fwpeek uringw); that process's upload alerts, with the
# writer in its chain. Benign twins: the same reads of a process holding
# no flight-log data, and the same writes by a process that read none,
# stay quiet. And a tainted process that opens a packet socket
# (AF_PACKET, whose frames are not followed) is an alert by itself; an
# untainted one's is not.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_VM=9311
P_PTRACE=9312
P_B_VM=9313
P_B_PTRACE=9314
P_PROBE6=9315
P_MEM=9316
P_B_MEM=9317
P_PY=9318
P_B_PY=9319
P_GDB=9320
P_B_GDB=9321
P_THREAD=9328
P_B_THREAD=9329
P_TVMW=9330
P_B_TVMW=9331
P_LATE=9332
P_B_LATE=9333
P_EARLY=9334
P_B_EARLY=9335
P_PASS=9336
P_B_PASS=9337
P_URING=9338
P_B_URING=9339
# the processes written into upload to these
declare -A P_TARGET=([vmw]=9322 [poke]=9323 [memw]=9324
	[b-vmw]=9325 [b-poke]=9326 [b-memw]=9327 [uringw]=9340 [b-uringw]=9341)
FWPEEK=$FW_HELPERS/fwpeek
FWURING=$FW_HELPERS/fwuring
PY=/usr/bin/python3

fw_init
fw_peers "$P_VM" "$P_PROBE6"
for port in "$P_PTRACE" "$P_B_VM" "$P_B_PTRACE" "$P_MEM" "$P_B_MEM" \
	"$P_PY" "$P_B_PY" "$P_GDB" "$P_B_GDB" "${P_TARGET[@]}" "$P_THREAD" \
	"$P_B_THREAD" "$P_TVMW" "$P_B_TVMW" "$P_LATE" "$P_B_LATE" \
	"$P_EARLY" "$P_B_EARLY" "$P_PASS" "$P_B_PASS" "$P_URING" \
	"$P_B_URING"; do
	fw_peer_listen tcp4 "$port"
done
for helper in "$FWPEEK" "$FWURING"; do
	[ -x "$helper" ] || fw_abort "no $helper (run tests/run.sh)"
done

WATCH=$FW_TMP/Telemetry
mkdir -p "$WATCH"
LOG=$WATCH/flight.tlog
fw_mklog tlog 32k "$LOG"
PLAIN=$FW_TMP/plain.bin
head -c 32768 /dev/urandom >"$PLAIN"

# A holder: reads FILE into its heap (malloc'd by fwsend), then waits
declare -A HOLDER
holder() {
	local name=$1 file=$2
	fw_gs_bg "$FWSEND" --timeout 120 --read read "$file" \
		--touch "$FW_TMP/held-$name" --wait-file "$FW_TMP/free-$name" \
		--send none
	HOLDER[$name]=$FW_BG
	FW_BG_PIDS+=("$FW_BG")
	fw_wait_file "$FW_TMP/held-$name" 20 ||
		fail "$name: holder read its file" "$FW_TMP/held-$name" none
}

# A target: reads its own file, waits to be written into, then uploads
# what it holds to its port
declare -A TARGET
target() {
	local name=$1
	head -c 32768 /dev/urandom >"$FW_TMP/mark-$name"
	fw_gs_bg "$FWSEND" --timeout 120 --read read "$FW_TMP/mark-$name" \
		--touch "$FW_TMP/held-$name" --wait-file "$FW_TMP/free-$name" \
		--send write --to "$FW_PEER_IP4" --port "${P_TARGET[$name]}"
	TARGET[$name]=$FW_BG
	FW_BG_PIDS+=("$FW_BG")
	fw_wait_file "$FW_TMP/held-$name" 20 ||
		fail "$name: target read its file" "$FW_TMP/held-$name" none
}

# python3 reading a heap through /proc/PID/mem, as a script would; with
# "passed", a pread through a descriptor another process opened and passed
# over a unix socket (SCM_RIGHTS): the reader never opens /proc/PID/mem
cat >"$FW_TMP/procmem.py" <<'EOF'
import os, socket, sys
pid, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
passed = sys.argv[4:] == ["passed"]
for line in open("/proc/%s/maps" % pid):
    if line.rstrip().endswith("[heap]"):
        lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
        break
size = min(hi - lo, 65536)
if passed:
    mine, theirs = socket.socketpair()
    if os.fork() == 0:
        mine.close()
        fd = os.open("/proc/%s/mem" % pid, os.O_RDONLY)
        socket.send_fds(theirs, [b"m"], [fd])
        os._exit(0)
    theirs.close()
    _, fds, _, _ = socket.recv_fds(mine, 1, 1)
    os.wait()
    data = os.pread(fds[0], size, lo)
else:
    with open("/proc/%s/mem" % pid, "rb", buffering=0) as mem:
        mem.seek(lo)
        data = mem.read(size)
s = socket.create_connection((addr, port))
s.sendall(data)
s.shutdown(socket.SHUT_WR)
while s.recv(65536):
    pass
print("read=%d" % len(data))
EOF

# A holder whose second thread was started before it read FILE and reads
# nothing itself: writes that thread's id to TIDFILE (before the read: a
# file it wrote after would carry the log to whoever reads it), reads
# FILE, creates HELDFILE (empty), waits for FREEFILE; then, given ADDR
# and PORT, uploads what it holds
cat >"$FW_TMP/threaded.py" <<'EOF'
import os, socket, sys, threading, time
free = threading.Event()
t = threading.Thread(target=free.wait, args=(120,), daemon=True)
t.start()
with open(sys.argv[2], "w") as f:
    f.write("%d\n" % t.native_id)
data = bytearray(open(sys.argv[1], "rb").read())
open(sys.argv[3], "w").close()
for _ in range(1200):
    if os.path.exists(sys.argv[4]):
        break
    time.sleep(0.1)
if len(sys.argv) > 6:
    s = socket.create_connection((sys.argv[5], int(sys.argv[6])))
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):
        pass
EOF
declare -A THREAD THREADED
threaded() {
	local name=$1 file=$2
	shift 2
	fw_gs_bg "$PY" "$FW_TMP/threaded.py" "$file" "$FW_TMP/tid-$name" \
		"$FW_TMP/held-$name" "$FW_TMP/free-$name" "$@"
	THREADED[$name]=$FW_BG
	FW_BG_PIDS+=("$FW_BG")
	fw_wait_file "$FW_TMP/held-$name" 20 ||
		fail "$name: holder read its file" "$FW_TMP/held-$name" none
	THREAD[$name]=$(cat "$FW_TMP/tid-$name")
}

# heap_range PID: the start and end of PID's heap, in hex, on one line
heap_range() {
	awk '/\[heap\]$/ { split($1, r, "-"); print r[1], r[2]; exit }' \
		"/proc/$1/maps"
}

# fwuring sends PID's heap (at most 64 KiB of it) to PORT: its open of
# /proc/PID/mem, its reads and its sends are all io_uring requests
uring_peek() {
	local name=$1 pid=$2 port=$3 lo hi
	read -r lo hi < <(heap_range "$pid")
	[ -n "$hi" ] || fail "$name: the holder has a heap" "a [heap] line" none
	fw_sc "$name" "$FWURING" --from "$((16#$lo))" \
		--max "$(((16#$hi - 16#$lo) < 65536 ? 16#$hi - 16#$lo : 65536))" \
		send "/proc/$pid/mem" "$FW_PEER_IP4" "$port"
}

# gdb dumps PID's heap to OUT (gdb reads a process it attached to through
# /proc/PID/mem, or PTRACE_PEEKDATA where that fails)
gdb_dump() {
	local pid=$1 out=$2 lo hi
	read -r lo hi < <(heap_range "$pid")
	[ -n "$hi" ] || return 1
	timeout 60 gdb -nx -batch -p "$pid" \
		-ex "dump binary memory $out 0x$lo 0x$hi" >/dev/null 2>&1 &&
		[ -s "$out" ]
}

# Opened before the tracer started: a reader holds /proc/PID/mem of a
# holder that reads its file only once the tracer runs, then reads it
#   late.py hold FILE GO HELD FREE
#   late.py read PID OPENED GO ADDR PORT
# Both wait for their go through the tracer's start, which may take all
# of FW_READY_TIMEOUT (a fast tier's in a loaded TCG guest took more
# than the two minutes they once waited): LATE_WAIT seconds.
export LATE_WAIT=$((FW_READY_TIMEOUT + 120))
cat >"$FW_TMP/late.py" <<'EOF'
import os, socket, sys, time
def wait(path):
    end = time.monotonic() + int(os.environ["LATE_WAIT"])
    while time.monotonic() < end:
        if os.path.exists(path):
            return
        time.sleep(0.1)
    sys.exit("late.py: no " + path)
if sys.argv[1] == "hold":
    wait(sys.argv[3])
    data = open(sys.argv[2], "rb").read()
    open(sys.argv[4], "w").close()
    wait(sys.argv[5])
    sys.exit(0)
for line in open("/proc/%s/maps" % sys.argv[2]):
    if line.rstrip().endswith("[heap]"):
        lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
        break
mem = open("/proc/%s/mem" % sys.argv[2], "rb", buffering=0)
open(sys.argv[3], "w").close()
wait(sys.argv[4])
mem.seek(lo)
data = mem.read(min(hi - lo, 65536))
s = socket.create_connection((sys.argv[5], int(sys.argv[6])))
s.sendall(data)
s.shutdown(socket.SHUT_WR)
while s.recv(65536):
    pass
EOF
declare -A LATE
late() {
	local name=$1 file=$2 port=$3
	fw_gs_bg "$PY" "$FW_TMP/late.py" hold "$file" "$FW_TMP/go-$name" \
		"$FW_TMP/held-$name" "$FW_TMP/free-$name"
	LATE[$name]=$FW_BG
	FW_BG_PIDS+=("$FW_BG")
	fw_gs_bg "$PY" "$FW_TMP/late.py" read "${LATE[$name]}" \
		"$FW_TMP/opened-$name" "$FW_TMP/read-$name" "$FW_PEER_IP4" \
		"$port"
	FW_PIDS[$name]=$FW_BG
	FW_BG_PIDS+=("$FW_BG")
	fw_wait_file "$FW_TMP/opened-$name" 20 ||
		fail "$name: reader opened /proc/PID/mem" \
			"$FW_TMP/opened-$name" none
}
late late "$LOG" "$P_LATE"
late b-late "$PLAIN" "$P_B_LATE"

fw_tracer_start peek --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"

# first of all reads of /proc/PID/mem: through the descriptors opened
# before the start (the f_op the loader taught, nothing opened since)
for name in late b-late; do
	touch "$FW_TMP/go-$name"
	fw_wait_file "$FW_TMP/held-$name" 20 ||
		fail "$name: holder read its file" "$FW_TMP/held-$name" none
	touch "$FW_TMP/read-$name"
	fw_wait_pid "${FW_PIDS[$name]}" 30
	check "$name: scenario exit status" -eq 0 "$FW_RC"
	touch "$FW_TMP/free-$name"
done

holder tainted "$LOG"
holder plain "$PLAIN"
fw_sc vm "$FWPEEK" vm "${HOLDER[tainted]}" "$FW_PEER_IP4" "$P_VM"
fw_sc ptrace "$FWPEEK" ptrace "${HOLDER[tainted]}" "$FW_PEER_IP4" "$P_PTRACE"
fw_sc b-vm "$FWPEEK" vm "${HOLDER[plain]}" "$FW_PEER_IP4" "$P_B_VM"
fw_sc b-ptrace "$FWPEEK" ptrace "${HOLDER[plain]}" "$FW_PEER_IP4" \
	"$P_B_PTRACE"
fw_sc mem "$FWPEEK" mem "${HOLDER[tainted]}" "$FW_PEER_IP4" "$P_MEM"
fw_sc b-mem "$FWPEEK" mem "${HOLDER[plain]}" "$FW_PEER_IP4" "$P_B_MEM"
fw_sc py "$PY" "$FW_TMP/procmem.py" "${HOLDER[tainted]}" "$FW_PEER_IP4" "$P_PY"
fw_sc b-py "$PY" "$FW_TMP/procmem.py" "${HOLDER[plain]}" "$FW_PEER_IP4" \
	"$P_B_PY"
fw_sc pass "$PY" "$FW_TMP/procmem.py" "${HOLDER[tainted]}" "$FW_PEER_IP4" \
	"$P_PASS" passed
fw_sc b-pass "$PY" "$FW_TMP/procmem.py" "${HOLDER[plain]}" "$FW_PEER_IP4" \
	"$P_B_PASS" passed
uring_peek uring "${HOLDER[tainted]}" "$P_URING"
uring_peek b-uring "${HOLDER[plain]}" "$P_B_URING"
gdb_dump "${HOLDER[tainted]}" "$FW_TMP/gdb.dump" ||
	fail "gdb: dumped the holder's heap" "$FW_TMP/gdb.dump" none
gdb_dump "${HOLDER[plain]}" "$FW_TMP/b-gdb.dump" ||
	fail "b-gdb: dumped the holder's heap" "$FW_TMP/b-gdb.dump" none
fw_sc gdb "$FWSEND" --read read "$FW_TMP/gdb.dump" --send write \
	--to "$FW_PEER_IP4" --port "$P_GDB"
fw_sc b-gdb "$FWSEND" --read read "$FW_TMP/b-gdb.dump" --send write \
	--to "$FW_PEER_IP4" --port "$P_B_GDB"

# a debugger attached (PTRACE_SEIZE) before its tracee read the log, and
# reading it (PEEKDATA) after
for name in early b-early; do
	file=$LOG port=$P_EARLY
	[ "$name" = b-early ] && file=$PLAIN port=$P_B_EARLY
	fw_gs_bg "$PY" "$FW_TMP/late.py" hold "$file" "$FW_TMP/go-$name" \
		"$FW_TMP/held-$name" "$FW_TMP/free-$name"
	LATE[$name]=$FW_BG
	FW_BG_PIDS+=("$FW_BG")
	fw_gs_bg "$FWPEEK" early "${LATE[$name]}" "$FW_PEER_IP4" "$port" \
		"$FW_TMP/attached-$name" "$FW_TMP/held-$name" \
		>"$FW_TMP/sc-$name.err" 2>&1
	FW_PIDS[$name]=$FW_BG
	FW_BG_PIDS+=("$FW_BG")
	fw_wait_file "$FW_TMP/attached-$name" 20 ||
		fail "$name: attached" "$FW_TMP/attached-$name" none
	touch "$FW_TMP/go-$name"
	fw_wait_pid "${FW_PIDS[$name]}" 30
	check "$name: scenario exit status" -eq 0 "$FW_RC"
	touch "$FW_TMP/free-$name"
done

# process_vm_readv naming a thread that was there before its process
# read the log (and one of a process that read a plain file)
threaded thread "$LOG"
threaded b-thread "$PLAIN"
fw_sc thread "$FWPEEK" vm "${THREAD[thread]}" "$FW_PEER_IP4" "$P_THREAD"
fw_sc b-thread "$FWPEEK" vm "${THREAD[b-thread]}" "$FW_PEER_IP4" \
	"$P_B_THREAD"

# writes into another process: by a writer that read the log, and (b-)
# by one that read a plain file; then each target uploads
for how in vmw poke memw uringw; do
	target "$how"
	target "b-$how"
	fw_sc "w-$how" "$FWPEEK" "$how" "${TARGET[$how]}" "$LOG" \
		"$FW_TMP/mark-$how"
	fw_sc "w-b-$how" "$FWPEEK" "$how" "${TARGET[b-$how]}" "$PLAIN" \
		"$FW_TMP/mark-b-$how"
	touch "$FW_TMP/free-$how" "$FW_TMP/free-b-$how"
done
# process_vm_writev naming one of the target's threads, not the process
for name in tvmw b-tvmw; do
	head -c 32768 /dev/urandom >"$FW_TMP/mark-$name"
done
threaded tvmw "$FW_TMP/mark-tvmw" "$FW_PEER_IP4" "$P_TVMW"
threaded b-tvmw "$FW_TMP/mark-b-tvmw" "$FW_PEER_IP4" "$P_B_TVMW"
fw_sc w-tvmw "$FWPEEK" vmw "${THREAD[tvmw]}" "$LOG" "$FW_TMP/mark-tvmw"
fw_sc w-b-tvmw "$FWPEEK" vmw "${THREAD[b-tvmw]}" "$PLAIN" \
	"$FW_TMP/mark-b-tvmw"
touch "$FW_TMP/free-tvmw" "$FW_TMP/free-b-tvmw"
TARGET[tvmw]=${THREADED[tvmw]}
TARGET[b-tvmw]=${THREADED[b-tvmw]}

# packet sockets: opened by a process that read the log, and by one that
# did not (no frame is sent: opening it is the alert)
cat >"$FW_TMP/packet.py" <<'EOF'
import socket, sys
if sys.argv[1] != "-":
    open(sys.argv[1], "rb").read()
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.close()
EOF
fw_sc packet "$PY" "$FW_TMP/packet.py" "$LOG"
fw_sc b-packet "$PY" "$FW_TMP/packet.py" -
# sockets of families that leave the host without the IP stack: vsock (to
# the hypervisor) and AF_XDP, where this kernel has them (an untainted
# process tries first: no alert either way, and the tainted one runs only
# where the socket opens)
# FILE: read before the socket opens; early FILE: the socket opens first,
# then FILE is read and something is sent on the socket (the send may
# fail: there is no peer; trying is what alerts; three sends, one alert)
cat >"$FW_TMP/family.py" <<'EOF'
import socket, sys
family, kind, proto = {
    "vsock": (40, socket.SOCK_STREAM, 0),
    "xdp": (44, socket.SOCK_RAW, 0),
    "packet": (socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3)),
}[sys.argv[1]]
early = sys.argv[2] == "early"
path = sys.argv[3] if early else sys.argv[2]
if not early and path != "-":
    open(path, "rb").read()
try:
    s = socket.socket(family, kind, proto)
except OSError:
    sys.exit(4)
# then three sends (tried: there may be no peer), reported once with the
# opening, or alone when the socket predates the read
data = open(path, "rb").read() if early else b"x" * 64
if path != "-":
    for _ in range(3):
        try:
            if family == socket.AF_PACKET:
                s.sendto(b"\xff" * 12 + b"\x88\xb5" + data[:64], ("lo", 0))
            else:
                s.send(data[:64])
        except OSError:
            pass
s.close()
EOF
FAMILIES=()
# and a packet socket opened before the log was read, then sent on
fw_sc early-packet "$PY" "$FW_TMP/family.py" packet early "$LOG"
fw_sc b-early-packet "$PY" "$FW_TMP/family.py" packet early "$PLAIN"
for family in vsock xdp; do
	fw_gs "$PY" "$FW_TMP/family.py" "$family" - >/dev/null 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		FAMILIES+=("$family")
		fw_sc "b-$family" "$PY" "$FW_TMP/family.py" "$family" -
		fw_sc "$family" "$PY" "$FW_TMP/family.py" "$family" "$LOG"
		fw_sc "early-$family" "$PY" "$FW_TMP/family.py" "$family" \
			early "$LOG"
		fw_sc "b-early-$family" "$PY" "$FW_TMP/family.py" \
			"$family" early "$PLAIN"
	elif [ "$rc" -eq 4 ]; then
		skip "$family: a tainted process's socket alerts" \
			"this kernel opens no AF_${family^^} socket"
	else
		check "$family: the untainted probe's exit status" -eq 0 "$rc"
	fi
done

fw_wait_alerts 10 "${FW_PIDS[vm]}:1" "${FW_PIDS[ptrace]}:1" \
	"${FW_PIDS[mem]}:1" "${FW_PIDS[py]}:1" "${FW_PIDS[pass]}:1" \
	"${FW_PIDS[uring]}:1" \
	"${FW_PIDS[gdb]}:1" \
	"${FW_PIDS[thread]}:1" "${FW_PIDS[late]}:1" "${FW_PIDS[early]}:1" \
	"${TARGET[vmw]}:1" "${TARGET[poke]}:1" "${TARGET[memw]}:1" \
	"${TARGET[uringw]}:1" \
	"${TARGET[tvmw]}:1" ||
	note "not every peeker's or target's alert within 10 s"
for name in "${!TARGET[@]}"; do
	fw_wait_pid "${TARGET[$name]}" 20
	check "$name: the target uploaded" -eq 0 "$FW_RC"
done
touch "$FW_TMP/free-tainted" "$FW_TMP/free-plain" "$FW_TMP/free-thread" \
	"$FW_TMP/free-b-thread"
fw_tracer_stop

# how each process took the other's memory, as the chain names it
declare -A VIA=([vm]=process_vm_readv [ptrace]=ptrace [mem]=proc_mem_read
	[py]=proc_mem_read [pass]=proc_mem_read [uring]=proc_mem_read
	[thread]=process_vm_readv [vmw]=process_vm_writev
	[poke]=ptrace_poke [memw]=proc_mem_write [uringw]=proc_mem_write
	[tvmw]=process_vm_writev
	[late]=proc_mem_read [early]=ptrace)
via_of() {
	jq -r '[.flightwatch.chain[]? | select(.via != null) | .via][0] // empty' <<<"$1"
}

for how in vm ptrace mem py pass uring late early; do
	holder=${LATE[$how]:-${HOLDER[tainted]}}
	a=$(fw_last_alert "${FW_PIDS[$how]}")
	check "$how: the peeker's upload alerts" != "" "$a" || continue
	case $how in
	py | pass | late) ;;
	uring) check "$how: process.name" == fwuring \
		"$(fw_get "$a" .process.name)" ;;
	*) check "$how: process.name" == fwpeek \
		"$(fw_get "$a" .process.name)" ;;
	esac
	check "$how: file.path (the holder's log)" == "$LOG" \
		"$(fw_get "$a" .file.path)"
	check "$how: the holder is in the chain" == "$holder" \
		"$(jq -r '[.flightwatch.chain[]? | select(.pid != null) | .pid][0] // empty' <<<"$a")"
	check "$how: destination.bytes" -gt 0 "$(fw_get "$a" .destination.bytes)"
	check "$how: the chain names how" == "${VIA[$how]}" "$(via_of "$a")"
done
fw_expect_no_alert "b-vm: peek of a process holding no flight log" \
	"${FW_PIDS[b-vm]}"
fw_expect_no_alert "b-ptrace: peek of a process holding no flight log" \
	"${FW_PIDS[b-ptrace]}"
a=$(fw_last_alert "${FW_PIDS[thread]}")
if check "thread: a peek through a pre-taint thread's id alerts" != "" "$a"; then
	check "thread: file.path (the holder's log)" == "$LOG" \
		"$(fw_get "$a" .file.path)"
	check "thread: the chain names how" == "${VIA[thread]}" "$(via_of "$a")"
fi
fw_expect_no_alert "b-thread: a peek through a thread of a process holding no flight log" \
	"${FW_PIDS[b-thread]}"
fw_expect_no_alert "b-early: a debugger attached early to a process holding no flight log" \
	"${FW_PIDS[b-early]}"
fw_expect_no_alert "b-late: /proc/PID/mem opened before the start, of a process holding no flight log" \
	"${FW_PIDS[b-late]}"
fw_expect_no_alert "b-mem: /proc/PID/mem of a process holding no flight log" \
	"${FW_PIDS[b-mem]}"
fw_expect_no_alert "b-py: /proc/PID/mem of a process holding no flight log" \
	"${FW_PIDS[b-py]}"
fw_expect_no_alert "b-pass: a passed /proc/PID/mem of a process holding no flight log" \
	"${FW_PIDS[b-pass]}"
fw_expect_no_alert "b-uring: /proc/PID/mem through io_uring, of a process holding no flight log" \
	"${FW_PIDS[b-uring]}"

# gdb: its dump is a carrier; the upload of it names the log
a=$(fw_last_alert "${FW_PIDS[gdb]}")
check "gdb: the upload of gdb's dump alerts" != "" "$a" &&
	check "gdb: file.path (the holder's log)" == "$LOG" \
		"$(fw_get "$a" .file.path)"
fw_expect_no_alert "b-gdb: the dump of a process holding no flight log" \
	"${FW_PIDS[b-gdb]}"

for how in vmw poke memw uringw tvmw; do
	a=$(fw_last_alert "${TARGET[$how]}")
	if check "$how: the written process's upload alerts" != "" "$a"; then
		check "$how: file.path (the writer's log)" == "$LOG" \
			"$(fw_get "$a" .file.path)"
		check "$how: the writer is in the chain" == \
			"${FW_PIDS[w-$how]}" \
			"$(jq -r '[.flightwatch.chain[]? | select(.pid != null) | .pid][0] // empty' <<<"$a")"
		check "$how: the chain names how" == "${VIA[$how]}" \
			"$(via_of "$a")"
	fi
	fw_expect_no_alert "b-$how: written into by a process that read no flight log" \
		"${TARGET[b-$how]}"
done

a=$(fw_json | jq -c --arg pid "${FW_PIDS[packet]}" 'select(.event.kind ==
	"alert" and .event.action == "flightlog-packet-socket" and
	(.process.pid | tostring) == $pid)' | head -n 1)
check "packet: a tainted process's packet socket alerts" != "" "$a"
check "packet: its origin" == "$LOG" "$(fw_get "$a" .file.path)"
fw_expect_no_alert "b-packet: an untainted process's packet socket" \
	"${FW_PIDS[b-packet]}"
check "packet: its family named" == packet \
	"$(fw_get "$a" .flightwatch.socket_family)"
for family in "${FAMILIES[@]}"; do
	a=$(fw_json | jq -c --arg pid "${FW_PIDS[$family]}" 'select(
		.event.kind == "alert" and
		.event.action == "flightlog-unfollowed-socket" and
		(.process.pid | tostring) == $pid)')
	check "$family: opened after the read, sent on three times: one alert" \
		-eq 1 "$(grep -c . <<<"$a")"
	a=$(head -n 1 <<<"$a")
	check "$family: a tainted process's socket alerts" != "" "$a"
	check "$family: its origin" == "$LOG" "$(fw_get "$a" .file.path)"
	check "$family: its family named" == "$family" \
		"$(fw_get "$a" .flightwatch.socket_family)"
	check "$family: the message names the family" contains \
		"socket of address family $family" "$(fw_get "$a" .message)"
	fw_expect_no_alert "b-$family: an untainted process's socket" \
		"${FW_PIDS[b-$family]}"
done
# opened before the taint: the first send on it alerts
for family in packet "${FAMILIES[@]}"; do
	action=flightlog-unfollowed-socket
	[ "$family" = packet ] && action=flightlog-packet-socket
	a=$(fw_json | jq -c --arg pid "${FW_PIDS[early-$family]}" \
		--arg action "$action" 'select(.event.kind == "alert" and
		.event.action == $action and (.process.pid | tostring) == $pid)')
	check "early-$family: opened before the read, sent on after: one alert" \
		-eq 1 "$(grep -c . <<<"$a")"
	check "early-$family: its origin" == "$LOG" \
		"$(fw_get "$(head -n 1 <<<"$a")" .file.path)"
	check "early-$family: its family named" == "$family" \
		"$(fw_get "$(head -n 1 <<<"$a")" .flightwatch.socket_family)"
	fw_expect_no_alert "b-early-$family: the same, untainted" \
		"${FW_PIDS[b-early-$family]}"
done

fw_finish
