#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Make a fuzzing seed from a real recording (docs/trace-format.md).

    scrub_trace.py [--stored] IN OUT OLD=NEW...

Keeps only the processes that touched a flight log or the network (and
the trace records), drops every other process snapshot, rewrites each
OLD path prefix to NEW in paths and command lines, and replaces the host
name, kernel release and boot id: a seed tells nothing about the machine
it was recorded on. DNS answers (FW_EV_DNS) are kept only from servers at
private addresses (10.0.0.0/8, fd00::/8: a test's own server), never the
host's own lookups. Block boundaries stay as they were.

--stored writes blocks uncompressed with a zero CRC field: valid only for
the fuzzing build of the reader (FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
accepts a zero CRC), so that the fuzzer mutates event records directly.
"""
import struct
import sys
import zlib

FILE_HDR = 24
BLK = struct.Struct("<IHHIIII")
EVT = struct.Struct("<QIIII")
MAGIC = 0x4B425746
PATH_MAX = 4096
PATH_BUF = 4096 + 256
EXEC, FORK, EXIT, FILE_READ = 1, 2, 3, 4
TAINT_TYPES = {4, 5, 6, 7, 8}
LOST, DNS = 9, 11
AF_INET, AF_INET6 = 2, 10


def test_dns(rec):
    """A DNS answer from a test's own server (a private address)"""
    server, family = bytes(rec[24:40]), rec[44]
    return (family == AF_INET and server[0] == 10) or (
        family == AF_INET6 and server[0] == 0xFD)


def varint(buf, pos):
    """LEB128, 7 bits per byte, low first; returns (value, next position)"""
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def zero_runs_expand(coded):
    """The inverse of the writer's zero-run coding (flag bit 1): pairs of
    varint L, L literal bytes, varint Z zero bytes"""
    out = bytearray()
    pos = 0
    while pos < len(coded):
        n, pos = varint(coded, pos)
        out += coded[pos : pos + n]
        pos += n
        z, pos = varint(coded, pos)
        out += bytes(z)
    return bytes(out)


def deflate(raw):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(raw) + c.flush()


def rewrite(s, subs):
    for old, new in subs:
        s = s.replace(old, new)
    return s


def put_path(rec, base, off_field, path):
    """A path buffer written backwards: path ends at PATH_MAX - 1"""
    path = path[: PATH_MAX - 2]
    off = PATH_MAX - 1 - len(path)
    buf = bytearray(PATH_BUF)
    buf[off : off + len(path)] = path
    rec[base : base + PATH_BUF] = buf
    struct.pack_into("<I", rec, off_field, off)


def get_path(rec, base, off):
    if off >= PATH_MAX - 1:
        return b""
    return bytes(rec[base + off : base + PATH_MAX - 1]).split(b"\0")[0]


def scrub_event(rec, subs):
    typ = struct.unpack_from("<I", rec, 8)[0]
    if typ == EXEC:
        exe_off, args_len = struct.unpack_from("<II", rec, 32)
        exe = rewrite(get_path(rec, 1080, exe_off), subs)
        args = bytes(rec[56 : 56 + min(args_len, 1024)])
        args = rewrite(args, subs)[:1023]
        rec[56 : 56 + 1024] = args.ljust(1024, b"\0")
        struct.pack_into("<I", rec, 36, len(args))
        put_path(rec, 1080, 32, exe)
    elif typ == FILE_READ:
        off = struct.unpack_from("<I", rec, 56)[0]
        put_path(rec, 64, 56, rewrite(get_path(rec, 64, off), subs))
    return rec


def main():
    args = sys.argv[1:]
    stored = args[0] == "--stored"
    if stored:
        args = args[1:]
    src, dst = args[0], args[1]
    subs = [tuple(a.encode().split(b"=", 1)) for a in args[2:]]
    data = open(src, "rb").read()
    blocks = []
    off = FILE_HDR
    while off + BLK.size <= len(data):
        magic, kind, flags, raw_len, comp_len, crc, _ = BLK.unpack_from(data, off)
        if magic != MAGIC:
            sys.exit("damaged input at offset %d" % off)
        payload = data[off + BLK.size : off + BLK.size + comp_len]
        raw = zlib.decompress(payload, -15) if flags & 1 else payload
        if flags & 2:
            raw = zero_runs_expand(raw)
        blocks.append((kind, raw))
        off += BLK.size + comp_len
    # the processes worth keeping
    keep = set()
    for kind, raw in blocks:
        pos = 0
        while kind == 2 and pos < len(raw):
            _, typ, tgid, _, size = EVT.unpack_from(raw, pos)
            if typ in TAINT_TYPES:
                keep.add(tgid)
            pos += (size + 7) & ~7
    out = bytearray(data[:FILE_HDR])
    for kind, raw in blocks:
        if kind == 1:
            lines = []
            for line in raw.split(b"\n"):
                k = line.split(b"=", 1)[0]
                if k == b"hostname":
                    line = b"hostname=gs-1"
                elif k == b"kernel_release":
                    line = b"kernel_release=6.1.0-generic"
                elif k == b"boot_id":
                    line = b"boot_id=00000000-0000-4000-8000-000000000000"
                lines.append(rewrite(line, subs))
            raw = b"\n".join(lines)
        elif kind == 2:
            new = bytearray()
            pos = 0
            while pos < len(raw):
                _, typ, tgid, _, size = EVT.unpack_from(raw, pos)
                padded = (size + 7) & ~7
                rec = bytearray(raw[pos : pos + padded])
                pos += padded
                if typ == DNS and not test_dns(rec):
                    continue
                if (typ < 0x80000000 and typ not in (LOST, DNS) and
                        tgid not in keep):
                    continue
                new += scrub_event(rec, subs)
            raw = bytes(new)
        comp = deflate(raw)
        flags = 1
        if stored or len(comp) >= len(raw):
            comp, flags = raw, 0
        hdr = bytearray(BLK.pack(MAGIC, kind, flags, len(raw), len(comp), 0, 0))
        if not stored:
            crc = zlib.crc32(bytes(hdr[4:16]) + comp)
            struct.pack_into("<I", hdr, 16, crc)
        out += hdr + comp
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main()
