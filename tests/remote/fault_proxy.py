#!/usr/bin/env python3
"""An HTTP proxy in front of an S3 server that injects faults, for the retry tests.

usage: fault_proxy.py UPSTREAM MODE PORTFILE [--seconds N]

Listens on 127.0.0.1 (a free port, written to PORTFILE), forwards every request to
UPSTREAM (http://127.0.0.1:PORT) and answers according to MODE:
  flaky  the first two tries of every request (same method, path, query and range)
         fail, then one passes, and so on; the faults take turns: 503 SlowDown,
         connection reset, a body cut short (full Content-Length, half the bytes), 500
  down   every request gets 503 SlowDown
Counts are appended to PORTFILE.log ('faults N forwarded M'). Stops by itself after
--seconds (default 300), so a failed test never leaves it running.
"""
import http.client
import http.server
import socket
import sys
import threading
import urllib.parse

upstream = urllib.parse.urlparse(sys.argv[1])
mode = sys.argv[2]
portfile = sys.argv[3]
seconds = int(sys.argv[sys.argv.index("--seconds") + 1]) if "--seconds" in sys.argv else 300
lock = threading.Lock()
counts = {"n": 0, "faults": 0, "forwarded": 0}
tries = {}
SLOWDOWN = b"<?xml version='1.0'?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
INTERNAL = b"<?xml version='1.0'?><Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>"


def log():
    with open(portfile + ".log", "w") as f:
        f.write(f"faults {counts['faults']} forwarded {counts['forwarded']}\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def fault(self, kind):
        if kind in ("slowdown", "internal"):
            body = SLOWDOWN if kind == "slowdown" else INTERNAL
            self.send_response(503 if kind == "slowdown" else 500)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.close_connection = True
            self.connection.close()

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            self.close_connection = True
            return
        request = (self.command, self.path, self.headers.get("Range"))
        with lock:
            counts["n"] += 1
            tries[request] = tries.get(request, 0) + 1
            attempt = tries[request]
            n = counts["n"]
        kind = None
        if mode == "down":
            kind = "slowdown"
        elif mode == "flaky" and attempt % 3 != 0:
            kind = ["slowdown", "reset", "truncate", "internal"][n % 4]
        if kind and kind != "truncate":
            with lock:
                counts["faults"] += 1
                log()
            return self.fault(kind)
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "proxy-connection")}
        conn.request(self.command, self.path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if kind == "truncate" and len(data) > 1:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            with lock:
                counts["faults"] += 1
                log()
            return
        self.wfile.write(data)
        with lock:
            counts["forwarded"] += 1
            log()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
threading.Timer(seconds, server.shutdown).start()
log()
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
