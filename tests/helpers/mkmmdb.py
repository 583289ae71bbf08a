#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write a small MaxMind DB (.mmdb) country database, for the tests.

    mkmmdb.py OUT CIDR=CC [CIDR=CC]...

e.g. mkmmdb.py geo.mmdb 10.203.0.2/32=NL fd42:203::/64=NL 10.203.0.3/32=CN

Each network's record is {"country": {"iso_code": CC, "names": {"en": CC}}},
the shape of GeoLite2-Country's records. Standard library only, written
from the published MaxMind DB File Format Specification 2.0:

- a binary search tree over IPv6 addresses (IPv4 networks live at
  ::a.b.c.d/96+prefix, where readers look them up), 24-bit records: a
  record below node_count points to a node, node_count means "no data",
  above it points into the data section at record - node_count - 16;
- 16 zero bytes, then the data section (typed, big-endian fields);
- the marker b"\\xab\\xcd\\xefMaxMind.com" and the metadata map.
"""
import ipaddress
import struct
import sys
import time

RECORD_BITS = 24
METADATA_MARKER = b"\xab\xcd\xefMaxMind.com"

# data field types (the spec's numbers)
T_UTF8, T_UINT16, T_UINT32, T_MAP = 2, 5, 6, 7
T_UINT64, T_ARRAY = 9, 11


def control(kind, size):
    """Control byte(s): type in the top 3 bits (extended types 8+ in a
    second byte), size in the low 5 bits with 1-3 extension bytes."""
    if size < 29:
        first, ext = size, b""
    elif size < 29 + 256:
        first, ext = 29, bytes([size - 29])
    elif size < 285 + 65536:
        first, ext = 30, struct.pack(">H", size - 285)
    else:
        first, ext = 31, struct.pack(">I", size - 65821)[1:]
    if kind <= 7:
        return bytes([(kind << 5) | first]) + ext
    return bytes([first, kind - 7]) + ext


def enc_str(s):
    b = s.encode("utf-8")
    return control(T_UTF8, len(b)) + b


def enc_uint(kind, v):
    b = v.to_bytes((v.bit_length() + 7) // 8, "big") if v else b""
    return control(kind, len(b)) + b


def enc_map(pairs):
    out = control(T_MAP, len(pairs))
    for key, value in pairs:
        out += enc_str(key) + value
    return out


def enc_array(items):
    return control(T_ARRAY, len(items)) + b"".join(items)


def country_record(cc):
    return enc_map([
        ("country", enc_map([
            ("iso_code", enc_str(cc)),
            ("names", enc_map([("en", enc_str(cc))])),
        ])),
    ])


class Node:
    __slots__ = ("child", "number")

    def __init__(self):
        # each child: None (no data), a Node, or ("data", offset)
        self.child = [None, None]
        self.number = 0


def insert(root, net, offset):
    if net.version == 4:
        bits = 96 + net.prefixlen
        value = int(net.network_address)
    else:
        bits = net.prefixlen
        value = int(net.network_address)
    if bits == 0:
        sys.exit("mkmmdb: a /0 network is not supported")
    node = root
    for depth in range(bits):
        bit = (value >> (127 - depth)) & 1
        if depth == bits - 1:
            if isinstance(node.child[bit], Node):
                sys.exit("mkmmdb: %s overlaps a longer network" % net)
            node.child[bit] = ("data", offset)
            return
        nxt = node.child[bit]
        if nxt is None:
            nxt = node.child[bit] = Node()
        elif not isinstance(nxt, Node):
            sys.exit("mkmmdb: %s is inside a network given before" % net)
        node = nxt


def main(argv):
    if len(argv) < 3 or any("=" not in a for a in argv[2:]):
        sys.exit(__doc__.split("\n\n")[1].strip())
    out_path = argv[1]
    data = b""
    offsets = {}
    root = Node()
    for spec in argv[2:]:
        cidr, cc = spec.split("=", 1)
        net = ipaddress.ip_network(cidr, strict=True)
        if cc not in offsets:
            offsets[cc] = len(data)
            data += country_record(cc)
        insert(root, net, offsets[cc])

    # number the nodes breadth first: the root is node 0
    nodes, queue = [], [root]
    while queue:
        node = queue.pop(0)
        node.number = len(nodes)
        nodes.append(node)
        queue.extend(c for c in node.child if isinstance(c, Node))
    count = len(nodes)
    if count + 16 + len(data) >= 1 << RECORD_BITS:
        sys.exit("mkmmdb: too large for 24-bit records")

    def record(c):
        if c is None:
            return count
        if isinstance(c, Node):
            return c.number
        return count + 16 + c[1]

    tree = b"".join(record(n.child[0]).to_bytes(3, "big") +
                    record(n.child[1]).to_bytes(3, "big") for n in nodes)
    metadata = enc_map([
        ("binary_format_major_version", enc_uint(T_UINT16, 2)),
        ("binary_format_minor_version", enc_uint(T_UINT16, 0)),
        ("build_epoch", enc_uint(T_UINT64, int(time.time()))),
        ("database_type", enc_str("flightwatch-test-Country")),
        ("description", enc_map([("en", enc_str("flightwatch test"))])),
        ("ip_version", enc_uint(T_UINT16, 6)),
        ("languages", enc_array([enc_str("en")])),
        ("node_count", enc_uint(T_UINT32, count)),
        ("record_size", enc_uint(T_UINT16, RECORD_BITS)),
    ])
    with open(out_path, "wb") as f:
        f.write(tree + b"\0" * 16 + data + METADATA_MARKER + metadata)


if __name__ == "__main__":
    main(sys.argv)
