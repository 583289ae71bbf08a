# SPDX-License-Identifier: GPL-2.0
"""fwhold.py FILE READY GO IP PORT: reads FILE and keeps it open, creates
READY, waits (at most 5 minutes) for GO to exist, then sends what it read
to IP:PORT over TCP. A reader that still holds its log when it sends, for
the end-to-end suites (restarts of the tracer in between)."""
import os
import socket
import sys
import time

path, ready, go, ip, port = sys.argv[1:6]
f = open(path, "rb")
data = f.read()
open(ready, "w").close()
for _ in range(6000):
    if os.path.exists(go):
        break
    time.sleep(0.05)
s = socket.create_connection((ip, int(port)))
s.sendall(data)
s.shutdown(socket.SHUT_WR)
s.recv(1)
