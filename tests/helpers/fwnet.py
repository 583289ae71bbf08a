# SPDX-License-Identifier: GPL-2.0
"""Socket chores shared by the python scenarios of the end-to-end suites
(tests/e2e/lib.sh puts this directory on PYTHONPATH)."""
import socket

TIMEOUT = 20


def recv_all(sock):
    """Everything sock receives until the other end closes."""
    sock.settimeout(TIMEOUT)
    data = bytearray()
    while True:
        d = sock.recv(65536)
        if not d:
            return bytes(data)
        data += d


def recv_until_end(sock):
    """Datagrams until one that says END, joined."""
    sock.settimeout(TIMEOUT)
    data = bytearray()
    while True:
        d = sock.recv(65536)
        if d == b"END":
            return bytes(data)
        data += d


def upload(data, ip, port):
    """data to a TCP listener at ip:port, then end the stream."""
    s = socket.create_connection((ip, port), timeout=TIMEOUT)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    s.close()
