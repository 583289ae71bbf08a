# SPDX-License-Identifier: GPL-2.0
# A terminal between two processes, for tests/e2e/tty.sh.
#
#   fwpty.py forward FILE IP PORT [GO]
#     pty.fork(): the child (on the slave) execs cat FILE, once the file GO
#     exists when it is given (the pair is made before); the parent reads
#     the master to the end and sends what it read to IP:PORT over TCP;
#     prints "fwpty: pts N" (the pair's index) on stderr.
#   fwpty.py reverse FILE IP PORT
#     os.openpty() and fork: the child (the slave in raw mode as its
#     terminal) reads as many bytes as FILE holds from the slave and sends
#     them; the parent, which forked before reading anything, reads FILE
#     and writes it into the master.
#
# Exit status 0 when every byte arrived at the right place.
import fcntl
import os
import pty
import struct
import sys
import time
import tty

from fwnet import upload

TIOCGPTN = 0x80045430  # _IOR('T', 0x30, unsigned int)


def read_master(fd):
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the slave's last holder closed it
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def pts_index(master):
    """The pair's index (TIOCGPTN), N of /dev/pts/N."""
    return struct.unpack("I", fcntl.ioctl(master, TIOCGPTN, b"\0" * 4))[0]


def forward(path, ip, port, go=None):
    pid, master = pty.fork()
    if pid == 0:
        # up to 120 s for the go file: a tracer started meanwhile took 26 s
        # to be ready in a TCG guest
        for _ in range(2400):
            if go is None or os.path.exists(go):
                os.execvp("cat", ["cat", "--", path])
            time.sleep(0.05)
        os._exit(4)
    print(f"fwpty: pts {pts_index(master)}", file=sys.stderr, flush=True)
    data = read_master(master)
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        sys.exit(f"fwpty: cat exited with {status}, {len(data)} bytes read")
    upload(data, ip, port)


def reverse(path, ip, port):
    size = os.stat(path).st_size
    master, slave = os.openpty()
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        tty.setraw(slave)  # no echo, no line editing, no signals: bytes
        os.write(slave, b"R")
        data = b""
        while len(data) < size:
            chunk = os.read(slave, size - len(data))
            if not chunk:
                break
            data += chunk
        if len(data) != size:
            os._exit(3)
        upload(data, ip, port)
        os._exit(0)
    os.close(slave)
    if os.read(master, 1) != b"R":  # the child's terminal is raw now
        sys.exit("fwpty: the child did not get ready")
    with open(path, "rb") as f:
        data = f.read()
    view = memoryview(data)
    while view:
        view = view[os.write(master, view):]
    _, status = os.waitpid(pid, 0)
    if status != 0:
        sys.exit(f"fwpty: the reader exited with {status}")


if __name__ == "__main__":
    if len(sys.argv) not in (5, 6) or sys.argv[1] not in ("forward",
                                                           "reverse"):
        sys.exit("usage: fwpty.py forward FILE IP PORT [GO] | "
                 "reverse FILE IP PORT")
    if sys.argv[1] == "forward":
        forward(sys.argv[2], sys.argv[3], int(sys.argv[4]), *sys.argv[5:])
    else:
        reverse(sys.argv[2], sys.argv[3], int(sys.argv[4]))
