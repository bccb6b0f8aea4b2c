#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""egd_client.py - an EGD client for the integration tests (standard library only).

  egd_client.py conformance SOCKET DAEMON_PID   every command, pipelining, partial writes,
                                                slow readers, OpenSSL's and libgcrypt's sequences
  egd_client.py flood SOCKET DAEMON_PID N       N connections that send garbage or hang, while
                                                a well-behaved client keeps being served; the
                                                daemon's VmRSS must not grow
  egd_client.py read SOCKET BYTES FILE          BYTES of 02 answers into FILE; prints throughput
  egd_client.py idle SOCKET SECONDS             as Postfix's tlsmgr: one connection, a read,
                                                SECONDS of silence, another read on it
  egd_client.py libseed LIBTLSMGR CONF          tlsmgr_seed through the real library (ctypes):
                                                fresh bytes per call, parent and child differ

Prints one line per case, "ok - NAME" or "not ok - NAME: reason"; exits 1 if any failed.
"""
import os
import resource
import socket
import struct
import sys
import threading
import time

failed = False


def report(name, ok, why=""):
    global failed
    if ok:
        print("ok - egd/%s" % name, flush=True)
    else:
        failed = True
        print("not ok - egd/%s: %s" % (name, why), flush=True)


def connect(path, timeout=5.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)  # blocking: a full backlog makes us wait, as a real client would
    s.settimeout(timeout)
    return s


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def closed_by_peer(s, wait=3.0):
    s.settimeout(wait)
    try:
        while True:
            if not s.recv(4096):
                return True
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


# Every command with N = 0, 1, 255, as (request, answer length, checker).
def commands(pid):
    pidtxt = str(pid).encode()
    return [
        ("00", b"\x00", 4, lambda a: struct.unpack(">I", a)[0] > 0),
        ("01-0", b"\x01\x00", 1, lambda a: a == b"\x00"),
        ("01-1", b"\x01\x01", 2, lambda a: a[0] == 1),
        ("01-255", b"\x01\xff", 256, lambda a: a[0] == 255 and len(set(a[1:])) > 100),
        ("02-0", b"\x02\x00", 0, lambda a: a == b""),
        ("02-1", b"\x02\x01", 1, lambda a: len(a) == 1),
        ("02-255", b"\x02\xff", 255, lambda a: len(set(a)) > 100),
        ("03-0", b"\x03\x00\x00\x00", 0, lambda a: a == b""),
        ("03-1", b"\x03\x00\x08\x01Z", 0, lambda a: a == b""),
        ("03-255", b"\x03\x07\xf8\xff" + bytes(range(255)), 0, lambda a: a == b""),
        ("04", b"\x04", 1 + len(pidtxt), lambda a: a == bytes([len(pidtxt)]) + pidtxt),
    ]


REQUEST_LIMIT = 0.1  # TLSMGR_EGD_REQUEST_TIMEOUT_MS, its default, in seconds


def trickled(path, cmds, tries=20):
    """Every request one byte per send, a pause after every 8: many partial requests, each
    answer read before the next request. The daemon closes a request that takes longer than
    REQUEST_LIMIT, and a loaded machine can make this client that slow: a close after that long
    by this client's clock (from the first byte not yet answered) is tried again on a new
    connection; one sooner fails. Returns (ok, why)."""
    why = ""
    for _ in range(tries):
        s = connect(path)
        try:
            pending = None  # when the first byte not yet answered was sent
            for name, req, n, check in cmds:
                try:
                    for i, b in enumerate(req):
                        if pending is None:
                            pending = time.monotonic()
                        s.sendall(bytes([b]))
                        if i % 8 == 7:
                            time.sleep(0.0005)
                    a = recv_exact(s, n)
                except (OSError, EOFError) as e:
                    if time.monotonic() - pending < REQUEST_LIMIT:
                        return False, "%s: %s" % (name, e)
                    why = "closed after more than %g s, %d times: %s" % (REQUEST_LIMIT, tries, e)
                    break
                if n > 0:
                    pending = None
                if not check(a):
                    return False, "answer to %s wrong" % name
            else:
                return True, ""
        finally:
            s.close()
    return False, why


def conformance(path, pid):
    cmds = commands(pid)
    # One connection per command: the answer and nothing more (the 00 after it proves sync).
    for name, req, n, check in cmds:
        try:
            s = connect(path)
            s.sendall(req + b"\x00")
            a = recv_exact(s, n)
            tail = recv_exact(s, 4)
            s.close()
            report("cmd-" + name, check(a) and struct.unpack(">I", tail)[0] > 0, repr(a[:16]))
        except Exception as e:
            report("cmd-" + name, False, str(e))

    stream = b"".join(c[1] for c in cmds)
    total = sum(c[2] for c in cmds)

    def check_stream(a):
        pos = 0
        for name, req, n, check in cmds:
            if not check(a[pos:pos + n]):
                return name
            pos += n
        return None

    try:
        s = connect(path)
        s.sendall(stream)
        a = recv_exact(s, total)
        bad = check_stream(a)
        s.close()
        report("pipelined", bad is None, "answer to %s wrong" % bad)
    except Exception as e:
        report("pipelined", False, str(e))
    report("byte-at-a-time", *trickled(path, cmds))

    # OpenSSL's RAND_query_egd_bytes: 01 FF, and a count of 0 would be a failure.
    try:
        s = connect(path)
        s.sendall(b"\x01\xff")
        count = recv_exact(s, 1)[0]
        data = recv_exact(s, count)
        s.close()
        report("openssl-sequence", count > 0 and len(data) == count, "count %d" % count)
    except Exception as e:
        report("openssl-sequence", False, str(e))

    # libgcrypt's rndegd: 01 N first, then 02 for whatever is missing.
    try:
        s = connect(path)
        want = 200
        s.sendall(bytes([1, want]))
        count = recv_exact(s, 1)[0]
        got = recv_exact(s, count)
        if count < want:
            s.sendall(bytes([2, want - count]))
            got += recv_exact(s, want - count)
        s.close()
        report("libgcrypt-sequence", len(got) == want, "%d bytes" % len(got))
    except Exception as e:
        report("libgcrypt-sequence", False, str(e))

    # Unknown opcodes close the connection, after answering what came before.
    for op in (0x05, 0x80, 0xFF):
        try:
            s = connect(path)
            s.sendall(b"\x00" + bytes([op]) + b"\x00")
            a = recv_exact(s, 4)
            report("unknown-0x%02x" % op, closed_by_peer(s) and len(a) == 4, "still open")
            s.close()
        except Exception as e:
            report("unknown-0x%02x" % op, False, str(e))

    # Two clients at once never get the same bytes.
    try:
        a, b = connect(path), connect(path)
        a.sendall(b"\x02\xff" * 8)
        b.sendall(b"\x02\xff" * 8)
        x, y = recv_exact(a, 255 * 8), recv_exact(b, 255 * 8)
        a.close()
        b.close()
        blocks = [x[i:i + 255] for i in range(0, len(x), 255)] + \
                 [y[i:i + 255] for i in range(0, len(y), 255)]
        report("distinct-clients", len(set(blocks)) == len(blocks), "repeated block")
    except Exception as e:
        report("distinct-clients", False, str(e))

    # A slow reader: 400 requests (100 kB of answers) it does not read for half a second. Its
    # requests are not answered in time (more than the socket holds), so it is closed; another
    # client is served meanwhile.
    try:
        slow = connect(path)
        slow.sendall(b"\x02\xff" * 400)
        time.sleep(0.5)
        t0 = time.monotonic()
        other = connect(path)
        other.sendall(b"\x01\x20")
        ans = recv_exact(other, 33)
        lat = time.monotonic() - t0
        other.close()
        got = b""
        try:
            got = recv_exact(slow, 255 * 400)
        except (EOFError, ConnectionResetError):
            pass
        slow.close()
        report("slow-reader", ans[0] == 32 and len(got) < 255 * 400 and lat < 1.0,
               "other served in %.3f s, slow reader got %d bytes" % (lat, len(got)))
    except Exception as e:
        report("slow-reader", False, str(e))

    # A client that stops reading mid-answer and hangs up is simply dropped.
    try:
        s = connect(path)
        s.sendall(b"\x02\xff" * 1000)
        s.recv(10)
        s.close()
        s = connect(path)
        s.sendall(b"\x04")
        a = s.recv(64)
        s.close()
        report("reader-hangs-up", a[:1] == bytes([len(str(pid))]), repr(a))
    except Exception as e:
        report("reader-hangs-up", False, str(e))


def vmrss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def flood(path, pid, n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    # Warm up: every client slot used once, so the baseline counts the static buffers.
    warm = [connect(path) for _ in range(20)]
    for s in warm:
        s.sendall(b"\x02\xff")
    for s in warm:
        recv_exact(s, 255)
        s.close()
    before = vmrss_kb(pid)
    stop = threading.Event()
    served, failures, worst = [0], [], [0.0]

    def good_client():
        while not stop.is_set():
            t0 = time.monotonic()
            try:
                s = connect(path, timeout=10)
                s.sendall(b"\x01\x20")
                a = recv_exact(s, 33)
                s.close()
                if a[0] != 32:
                    failures.append("count %d" % a[0])
                served[0] += 1
            except Exception as e:
                failures.append(str(e))
            worst[0] = max(worst[0], time.monotonic() - t0)
            time.sleep(0.02)

    t = threading.Thread(target=good_client)
    t.start()
    hanging, refused = [], 0
    t0 = time.monotonic()
    for i in range(n):
        try:
            s = connect(path)
        except OSError:
            refused += 1
            continue
        kind = i % 4
        try:
            if kind == 0:
                s.sendall(bytes([5 + i % 250]) + os.urandom(40))  # unknown opcode
                s.close()
            elif kind == 1:
                s.sendall(b"\x07garbage")
                hanging.append(s)
            elif kind == 2:
                s.sendall(b"\x03\x00\x10\xff" + os.urandom(17))  # a 03 that never ends
                hanging.append(s)
            else:
                hanging.append(s)  # connects and says nothing
        except OSError:
            s.close()
    flood_s = time.monotonic() - t0
    stop.set()
    t.join()
    for s in hanging:
        s.close()
    time.sleep(0.5)
    # Still serving after the flood.
    try:
        s = connect(path)
        s.sendall(b"\x01\xff")
        ok_after = recv_exact(s, 256)[0] == 255
        s.close()
    except Exception:
        ok_after = False
    after = vmrss_kb(pid)
    print("# egd flood: %d connections in %.1f s, %d refused by the backlog, %d good requests "
          "served, slowest %.2f s, VmRSS %d -> %d kB" %
          (n, flood_s, refused, served[0], worst[0], before, after), flush=True)
    report("flood-others-served", not failures and served[0] > 0 and ok_after,
           "; ".join(failures[:3]) or "served %d, after %s" % (served[0], ok_after))
    report("flood-memory-bounded", 0 < before and after - before <= 256,
           "VmRSS %d -> %d kB" % (before, after))


def read(path, nbytes, out):
    s = connect(path)
    data = bytearray()
    batch = 64
    t0 = time.monotonic()
    while len(data) < nbytes:
        reqs = []
        want = 0
        while len(reqs) < batch and want < nbytes - len(data):
            n = min(255, nbytes - len(data) - want)
            reqs.append(bytes([2, n]))
            want += n
        s.sendall(b"".join(reqs))
        data += recv_exact(s, want)
    dt = time.monotonic() - t0
    s.close()
    with open(out, "wb") as f:
        f.write(data)
    print("# egd throughput: %d bytes in %.3f s, %.2f MiB/s" %
          (nbytes, dt, nbytes / dt / 1048576 if dt > 0 else 0.0), flush=True)


def idle(path, seconds):
    try:
        s = connect(path)
        s.sendall(b"\x01\x20")
        first = recv_exact(s, 33)
        time.sleep(seconds)
        s.sendall(b"\x01\x20")
        second = recv_exact(s, 33)
        s.close()
        report("idle-client-kept-%ds" % seconds,
               first[0] == 32 and second[0] == 32 and first != second, "bad answers")
    except Exception as e:
        report("idle-client-kept-%ds" % seconds, False,
               "after %d s of silence: %s" % (seconds, e))


def libseed(lib, conf):
    import ctypes
    t = ctypes.CDLL(lib)
    t.tlsmgr_open.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p, ctypes.c_char_p]
    t.tlsmgr_seed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    t.tlsmgr_close.argtypes = [ctypes.c_void_p]
    h = ctypes.c_void_p()
    rc = t.tlsmgr_open(ctypes.byref(h), conf.encode(), b"egd-test")
    if rc != 0:
        report("libseed-open", False, "tlsmgr_open returned %d" % rc)
        return
    bufs = []
    for n in (1, 64, 65, 1000):
        b = ctypes.create_string_buffer(n)
        rc = t.tlsmgr_seed(h, b, n)
        bufs.append(b.raw)
        if rc != 0:
            report("libseed-calls", False, "tlsmgr_seed(%d) returned %d" % (n, rc))
            return
    report("libseed-calls", len(set(x[:16] for x in bufs[1:])) == 3 and
           bufs[1] != bufs[2][:64] and len(bufs[3]) == 1000, "repeated output")
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        b = ctypes.create_string_buffer(64)
        t.tlsmgr_seed(h, b, 64)
        os.write(w, b.raw)
        os._exit(0)
    b = ctypes.create_string_buffer(64)
    t.tlsmgr_seed(h, b, 64)
    theirs = b""
    while len(theirs) < 64:
        chunk = os.read(r, 64 - len(theirs))
        if not chunk:
            break
        theirs += chunk
    os.waitpid(child, 0)
    report("libseed-fork", len(theirs) == 64 and theirs != b.raw, "child repeated its parent")
    t.tlsmgr_close(h)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "conformance":
        conformance(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) >= 5 and sys.argv[1] == "flood":
        flood(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "libseed":
        libseed(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 4 and sys.argv[1] == "idle":
        idle(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) >= 5 and sys.argv[1] == "read":
        read(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
