#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""cache_entries.py - writes and checks session cache entries through the LMDB tools, so the
integration test needs no LMDB binding: input for mdb_load, checks on mdb_dump output.

  cache_entries.py header DUMP_META              prints the mbedTLS header of the format record
  cache_entries.py gen HDR NOW LIVE EXPIRED BAD PREFIX
                                                 writes PREFIX.session and PREFIX.expiry
  cache_entries.py survivors BEFORE AFTER NOW    AFTER must hold exactly the entries of BEFORE
                                                 that are valid at NOW, byte for byte
  cache_entries.py count DUMP                    number of records in a dump
  cache_entries.py has DUMP KEYS_FILE            every key (hex, one a line) is in the dump
  cache_entries.py big HDR NOW COUNT EXPIRES PREFIX
                                                 COUNT valid entries of 3000 bytes (LMDB keeps
                                                 each on overflow pages of its own), expiring
                                                 at EXPIRES: PREFIX.session, .expiry, .live
  cache_entries.py farpage DATA_MDB KEY          points every record of KEY (hex) at overflow
                                                 page 0x7ffffff0, past the end of the file;
                                                 prints how many copies were changed
"""
import os
import struct
import sys

TOLERANCE = 300
HDR_LEN = 27


def read_dump(path):
    """Records of an mdb_dump (bytevalue format) as a list of (key, value) bytes."""
    recs, pending, in_data = [], None, False
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line == "HEADER=END":
                in_data = True
                continue
            if line == "DATA=END":
                in_data = False
                continue
            if not in_data or not line.startswith(" "):
                continue
            b = bytes.fromhex(line[1:])
            if pending is None:
                pending = b
            else:
                recs.append((pending, b))
                pending = None
    return recs


def write_load(path, recs):
    with open(path, "w") as f:
        f.write("VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END\n")
        for k, v in recs:
            f.write(" " + k.hex() + "\n " + v.hex() + "\n")
        f.write("DATA=END\n")


def skey(tag, n):
    sid = struct.pack(">I", n) + bytes([n % 251]) * 28
    return bytes([len(tag)]) + tag + sid


def entry(hdr, created, expires, n, version=1, flags=0, blob_len=None, body=None):
    blob = hdr + bytes((n + i) % 256 for i in range(100)) if body is None else body
    bl = len(blob) if blob_len is None else blob_len
    return bytes([version, flags]) + hdr + struct.pack(">QQI", created, expires, bl) + blob


def valid(v, hdr, now):
    if len(v) < HDR_LEN or v[0] != 1 or v[1] != 0 or v[2:7] != hdr:
        return False
    created, expires, bl = struct.unpack(">QQI", v[7:27])
    return (bl == len(v) - HDR_LEN and bl >= 5 and v[27:32] == hdr and expires > created
            and expires > now and created <= now + TOLERANCE)


def gen(hdr, now, live, expired, bad, prefix):
    sess, idx, live_keys = [], [], []
    tag = b"www"
    n = 0
    for i in range(live):
        k = skey(tag, n)
        exp = now + 3600 + (i % 97)
        sess.append((k, entry(hdr, now - 5, exp, n)))
        idx.append((struct.pack(">Q", exp) + k, b""))
        live_keys.append(k)
        n += 1
    for i in range(expired):
        k = skey(tag, n)
        exp = now - 10 - (i % 89)
        sess.append((k, entry(hdr, now - 4000, exp, n)))
        idx.append((struct.pack(">Q", exp) + k, b""))
        n += 1
    if bad:
        other = bytes([hdr[0], hdr[1], (hdr[2] + 1) % 256, hdr[3], hdr[4]])
        bads = [
            entry(other, now - 5, now + 3600, 1, body=other + bytes(50)),  # other mbedTLS
            entry(hdr, now - 5, now + 3600, 2, version=9),                 # other format
            entry(hdr, now - 5, now + 3600, 3)[:20],                       # short
            entry(hdr, now - 5, now + 3600, 4, blob_len=7),                # length mismatch
            entry(hdr, now + 90000, now + 99999, 5),                       # future
        ]
        for v in bads:
            k = skey(tag, n)
            sess.append((k, v))
            idx.append((struct.pack(">Q", now + 3600) + k, b""))
            n += 1
    sess.sort()
    idx.sort()
    write_load(prefix + ".session", sess)
    write_load(prefix + ".expiry", idx)
    with open(prefix + ".live", "w") as f:
        for k in live_keys:
            f.write(k.hex() + "\n")


def big(hdr, now, count, expires, prefix):
    sess, idx, keys = [], [], []
    for n in range(count):
        k = skey(b"www", n)
        sess.append((k, entry(hdr, now - 5, expires, n, body=hdr + bytes(2995))))
        idx.append((struct.pack(">Q", expires) + k, b""))
        keys.append(k)
    write_load(prefix + ".session", sorted(sess))
    write_load(prefix + ".expiry", sorted(idx))
    with open(prefix + ".live", "w") as f:
        for k in keys:
            f.write(k.hex() + "\n")


def farpage(path, key):
    """LMDB's leaf node: u16 lo, u16 hi, u16 flags (F_BIGDATA 1), u16 key size, the key, then
    the page number (a size_t of this machine) of a value kept on overflow pages."""
    pgno = struct.pack("@N", 0x7FFFFFF0)
    fd = os.open(path, os.O_RDWR)
    try:
        data = os.pread(fd, os.fstat(fd).st_size, 0)
        changed, at = 0, data.find(key)
        while at >= 8:
            flags, ksize = struct.unpack("@HH", data[at - 4:at])
            if ksize == len(key) and flags & 1:
                os.pwrite(fd, pgno, at + len(key))
                changed += 1
            at = data.find(key, at + 1)
    finally:
        os.close(fd)
    return changed


def main(argv):
    cmd = argv[1]
    if cmd == "header":
        for k, v in read_dump(argv[2]):
            if k == b"format" and len(v) == 16:
                print(v[8:13].hex())
                return 0
        return 1
    if cmd == "gen":
        gen(bytes.fromhex(argv[2]), int(argv[3]), int(argv[4]), int(argv[5]),
            argv[6] == "1", argv[7])
        return 0
    if cmd == "big":
        big(bytes.fromhex(argv[2]), int(argv[3]), int(argv[4]), int(argv[5]), argv[6])
        return 0
    if cmd == "farpage":
        n = farpage(argv[2], bytes.fromhex(argv[3]))
        print(n)
        return 0 if n > 0 else 1
    if cmd == "count":
        print(len(read_dump(argv[2])))
        return 0
    if cmd == "has":
        keys = {k for k, _ in read_dump(argv[2])}
        with open(argv[3]) as f:
            missing = [l for l in f.read().split() if bytes.fromhex(l) not in keys]
        if missing:
            print("%d keys missing, e.g. %s" % (len(missing), missing[0]))
            return 1
        return 0
    if cmd == "survivors":
        before, after, now = read_dump(argv[2]), read_dump(argv[3]), int(argv[4])
        hdr = bytes.fromhex(argv[5])
        want = [(k, v) for k, v in before if valid(v, hdr, now)]
        if want != after:
            print("expected %d survivors, found %d (or bytes differ)" % (len(want), len(after)))
            return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
