#!/usr/bin/env python3
"""hostile.py — careless and hostile HTTP peers for the robustness tests of
`retrysim mock` and `retrysim live` (tests/e2e/robustness_live.sh). Talks to
127.0.0.1 only (a source address of 127.0.0.x may be chosen); every loop is
bounded in count and time. Not a test itself (the runner runs *.sh only).

  raw PORT BYTES [TIMEOUT]        send BYTES (Python escapes: \\x00, \\r\\n), print
                                  'status=N closed=0|1 secs=S' for the answer
  slowloris PORT N SECS           keep N connections trickling header bytes for
                                  SECS; reconnect the ones the server closes;
                                  print 'opened=.. closed_by_server=.. peak=..'
  idle PORT N SECS [SRC]          open N connections that send nothing, hold them
                                  SECS; print 'opened=.. refused_503=.. closed=..'
                                  (closed: by the server before the end)
  serve PORTFILE MODE SECS        an HTTP server on 127.0.0.1:0 (port written to
                                  PORTFILE) answering every request as MODE says,
                                  for at most SECS
"""
import os
import random
import selectors
import socket
import sys
import threading
import time

HOST = "127.0.0.1"


def unescape(s):
    return s.encode("latin1").decode("unicode_escape").encode("latin1")


def status_of(data):
    if data.startswith(b"HTTP/"):
        parts = data.split(b" ", 2)
        if len(parts) > 1 and parts[1].isdigit():
            return int(parts[1])
    return 0


def cmd_raw(port, payload, timeout=5.0):
    s = socket.create_connection((HOST, port), timeout=timeout)
    t0 = time.monotonic()
    s.sendall(unescape(payload))
    data, closed = b"", 0
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                closed = 1
                break
            data += chunk
            if b"\r\n\r\n" in data and status_of(data) and b"Content-Length" in data:
                head, _, body = data.partition(b"\r\n\r\n")
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        if len(body) >= int(line.split(b":")[1]):
                            # the whole answer: does the server close after it?
                            s.settimeout(0.5)
                            try:
                                closed = 1 if not s.recv(1) else 0
                            except (socket.timeout, OSError):
                                closed = 0
                            raise StopIteration
    except StopIteration:
        pass
    except (socket.timeout, ConnectionResetError):
        pass
    print("status=%d closed=%d secs=%.3f" % (status_of(data), closed, time.monotonic() - t0))
    body = data.partition(b"\r\n\r\n")[2]
    sys.stdout.write("body=" + body[:300].decode("utf-8", "replace").replace("\n", " ") + "\n")


def connect_nb(port, src=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if src:
        s.bind((src, 0))
    s.setblocking(False)
    s.connect_ex((HOST, port))
    return s


def cmd_slowloris(port, n, secs):
    sel = selectors.DefaultSelector()
    conns = {}
    opened = closed = peak = 0
    head = b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-a: "

    def open_one():
        nonlocal opened
        s = connect_nb(port)
        conns[s] = 0
        sel.register(s, selectors.EVENT_READ)
        opened += 1

    end = time.monotonic() + secs
    for _ in range(n):
        open_one()
    next_tick = time.monotonic()
    while time.monotonic() < end:
        if time.monotonic() >= next_tick:           # one byte per connection every 0.5 s
            for s in list(conns):
                k = conns[s]
                try:
                    s.send(head[k:k + 1] if k < len(head) else b"a")
                    conns[s] = k + 1
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    pass                            # the close shows up as readable
            next_tick = time.monotonic() + 0.5
        peak = max(peak, len(conns))
        for key, _ in sel.select(timeout=0.05):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:                            # closed by the server: open another
                sel.unregister(s)
                s.close()
                del conns[s]
                closed += 1
                if opened < n * 20:
                    open_one()
    for s in conns:
        s.close()
    print("opened=%d closed_by_server=%d peak=%d" % (opened, closed, peak))


def cmd_idle(port, n, secs, src=None):
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if src:
            s.bind((src, 0))
        s.settimeout(2)
        try:
            s.connect((HOST, port))
        except OSError:
            s.close()
            continue
        s.setblocking(False)
        socks.append(s)
    print("connected=%d" % len(socks), flush=True)
    state = {}                                      # socket -> '503' or 'closed'
    end = time.monotonic() + secs
    while time.monotonic() < end and len(state) < len(socks):
        for s in socks:
            if s in state:
                continue
            try:
                data = s.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            state[s] = "503" if data.startswith(b"HTTP/1.1 503") else "closed"
        time.sleep(0.05)
    r503 = sum(1 for v in state.values() if v == "503")
    print("opened=%d refused_503=%d closed=%d still_open=%d" %
          (len(socks), r503, len(state) - r503, len(socks) - len(state)), flush=True)
    for s in socks:
        s.close()


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    n = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            n = int(line.split(b":")[1])
    while len(body) < n:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    return head


OK_BODY = (b'{"id":"chatcmpl-x","object":"chat.completion","choices":[{"index":0,"message":'
           b'{"role":"assistant","content":"\\ud83d\\ude00 hi"},"finish_reason":"stop"}],'
           b'"usage":{"prompt_tokens":200,"completion_tokens":100,"total_tokens":300}}')


def reply(conn, mode):
    def send(status, body, ctype=b"application/json", extra=b""):
        conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: " + ctype + b"\r\nContent-Length: " +
                     str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body)

    if mode == "surrogate200":
        send(b"200 OK", OK_BODY)
    elif mode == "status999":
        send(b"999 Odd", b"{}")
    elif mode == "html200":
        send(b"200 OK", b"<html><body><h1>502 Bad Gateway</h1></body></html>", b"text/html")
    elif mode == "random200":
        send(b"200 OK", bytes(random.getrandbits(8) for _ in range(300)))
    elif mode == "deep200":
        send(b"200 OK", b"[" * 200000)
    elif mode == "truncated200":
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                     str(len(OK_BODY)).encode() + b"\r\n\r\n" + OK_BODY[:len(OK_BODY) // 2])
        return False
    elif mode in ("huge200", "hugechunked200"):
        if mode == "huge200":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n")
        else:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"[" + b"0," * 32767 + b"0"
        sent = 0
        try:
            while sent < (1 << 30):                  # until the client hangs up (or 1 GiB)
                if mode == "huge200":
                    conn.sendall(chunk)
                else:
                    conn.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
        except OSError:
            pass
        with open(os.environ.get("HOSTILE_LOG", "/dev/null"), "a") as f:
            f.write("huge: sent %d bytes before the client hung up\n" % sent)
        return False
    elif mode == "reset":
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        return False
    elif mode == "silent":
        time.sleep(30)
        return False
    elif mode == "openai429":
        send(b"429 Too Many Requests", b'{"error":{"message":"Rate limit reached for requests","type":"requests",'
             b'"param":null,"code":"rate_limit_exceeded"}}', extra=b"retry-after-ms: 50\r\n")
    elif mode == "anthropic529":
        send(b"529 Overloaded", b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')
    elif mode == "openai_context":
        send(b"400 Bad Request", b'{"error":{"message":"This model\'s maximum context length is 8192 tokens.",'
             b'"type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}')
    elif mode == "anthropic_context":
        send(b"400 Bad Request", b'{"type":"error","error":{"type":"invalid_request_error",'
             b'"message":"prompt is too long: 210000 tokens > 200000 maximum"}}')
    elif mode == "error_html":
        send(b"503 Service Unavailable", b"<html>upstream down</html>", b"text/html")
    else:
        send(b"500 Internal Server Error", b'{"error":{"message":"unknown mode","type":"server_error"}}')
    return True


def cmd_serve(portfile, mode, secs):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((HOST, 0))
    srv.listen(512)
    srv.settimeout(0.2)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)

    def handle(conn):
        conn.settimeout(10)
        try:
            while read_request(conn) is not None:
                if not reply(conn, mode):
                    break
        except OSError:
            pass
        finally:
            conn.close()

    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    cmd = argv[1]
    if cmd == "raw":
        cmd_raw(int(argv[2]), argv[3], float(argv[4]) if len(argv) > 4 else 5.0)
    elif cmd == "slowloris":
        cmd_slowloris(int(argv[2]), int(argv[3]), float(argv[4]))
    elif cmd == "idle":
        cmd_idle(int(argv[2]), int(argv[3]), float(argv[4]), argv[5] if len(argv) > 5 else None)
    elif cmd == "serve":
        cmd_serve(argv[2], argv[3], float(argv[4]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
