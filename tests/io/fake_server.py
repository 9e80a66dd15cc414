#!/usr/bin/python3
"""A misbehaving HTTP file server for tests/io/fetch_http.sh (cortexbench fetch).

    /usr/bin/python3 fake_server.py --root DIR --port-file F --log F [--lifetime S]

Listens on 127.0.0.1 on a free port (written to --port-file once listening)
and serves DIR/<path> under /<mode>/<path>:

  ok        200, or 206 for a "Range: bytes=N-" request
  norange   always 200 with the whole file (ignores Range)
  truncate  announces the full Content-Length, sends half the body, closes
  cutonce   like truncate on the first request for a path, then like ok
  flaky     503 on the first request for a path, then like ok
  stall     announces the full length, sends 1000 bytes, then goes silent
  anything else, or a missing file: 404

Each request is logged as "<status> <path> range=<Range header or ->".
The server exits by itself after --lifetime seconds (default 120).
"""
import argparse
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
SEEN = set()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def record(self, status):
        with LOCK:
            with open(self.server.log_path, "a") as f:
                f.write("%d %s range=%s\n" % (status, self.path, self.headers.get("Range", "-")))

    def first_time(self):
        with LOCK:
            if self.path in SEEN:
                return False
            SEEN.add(self.path)
            return True

    def fail(self, status):
        self.record(status)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        parts = self.path.split("?")[0].lstrip("/").split("/", 1)
        if len(parts) != 2 or ".." in parts[1].split("/"):
            return self.fail(404)
        mode, rel = parts
        path = os.path.join(self.server.root, rel)
        if not os.path.isfile(path):
            return self.fail(404)
        with open(path, "rb") as f:
            data = f.read()
        if mode == "flaky":
            if self.first_time():
                return self.fail(503)
            mode = "ok"
        if mode == "cutonce":
            mode = "truncate" if self.first_time() else "ok"
        if mode == "ok":
            m = re.match(r"bytes=(\d+)-$", self.headers.get("Range", ""))
            start = int(m.group(1)) if m else 0
            if m and start >= len(data):
                return self.fail(416)
            status = 206 if m else 200
            self.record(status)
            self.send_response(status)
            if m:
                self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            self.wfile.write(data[start:])
        elif mode == "norange":
            self.record(200)
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif mode == "truncate":
            self.record(200)
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
        elif mode == "stall":
            self.record(200)
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:1000])
            self.wfile.flush()
            time.sleep(30)
        else:
            self.fail(404)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--lifetime", type=float, default=120)
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.root = a.root
    srv.log_path = a.log
    open(a.log, "w").close()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    threading.Timer(a.lifetime, srv.shutdown).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
