# SPDX-License-Identifier: GPL-2.0
"""fwpair.py stream|dgram FILE IP PORT: a unix socketpair of that type; a
forked child reads FILE and sends it on one end (an empty datagram ends a
dgram pair), and the parent, which read nothing, receives it and uploads
it to IP:PORT over TCP. For the end-to-end suites."""
import os
import socket
import sys

import fwnet

kind, path, ip, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
dgram = kind == "dgram"
a, b = socket.socketpair(socket.AF_UNIX,
                         socket.SOCK_DGRAM if dgram else socket.SOCK_STREAM)
pid = os.fork()
if pid == 0:
    b.close()
    with open(path, "rb", buffering=0) as f:
        while True:
            d = f.read(4096 if dgram else 16384)
            if not d:
                break
            a.sendall(d)
    if dgram:
        a.send(b"")
    a.close()
    os._exit(0)
a.close()
data = fwnet.recv_all(b)
os.waitpid(pid, 0)
fwnet.upload(data, ip, port)
