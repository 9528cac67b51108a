"""A loopback HTTP server for the weights download tests: serves the files of
ROOT the way the publishers and the ways they can fail, chosen by the first
path component:

  /plain/NAME          the file, honouring byte ranges (206), like a mirror
  /drive/NAME          a Google-Drive-like "download anyway?" page whose form
                       (hidden id, export, confirm, uuid) leads to the file
  /cut/NAME            the first request for NAME sends half the file under
                       the full Content-Length and closes; later ones honour ranges
  /wrong/NAME          another file's bytes (seg.pth's) under NAME
  /slow/NAME           the file at about 1 MB/s, for cancelling mid-file
  /missing/NAME        404
  /switch/NAME         as the route named in LOG_FILE.route when that file
                       exists (a test changes it between steps), else plain

usage: /usr/bin/python3 weights_server.py ROOT PORT_FILE LOG_FILE [LIFETIME_S]

Listens on 127.0.0.1 only, on a free port written to PORT_FILE, and stops by
itself after LIFETIME_S (default 300) seconds. LOG_FILE gets one line per
request: the path and its Range header ("-" when none).
"""
import http.server
import os
import re
import sys
import threading
import time

ROOT, PORT_FILE, LOG_FILE = sys.argv[1:4]
LIFETIME_S = float(sys.argv[4]) if len(sys.argv) > 4 else 300.0
cut_already = set()
log_lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        with log_lock, open(LOG_FILE, "a") as log:
            log.write(f"{self.path} {self.headers.get('Range', '-')}\n")
        path, _, query = self.path.partition("?")
        route, _, name = path.lstrip("/").partition("/")
        if route == "switch":
            route = open(LOG_FILE + ".route").read().strip() if os.path.exists(LOG_FILE + ".route") else "plain"
        if route == "drive":
            self.send_drive_page(name)
        elif route == "drive-download":
            fields = dict(pair.split("=", 1) for pair in query.split("&") if "=" in pair)
            if fields.get("confirm") == "t" and fields.get("uuid") == "1234-abcd":
                self.send_file(fields.get("id", ""))
            else:
                self.send_drive_page(fields.get("id", ""))
        elif route == "plain":
            self.send_file(name)
        elif route == "cut":
            self.send_file(name, cut=name not in cut_already)
            cut_already.add(name)
        elif route == "slow":
            self.send_file(name, slow=True)
        elif route == "wrong":
            self.send_file("seg.pth")
        else:
            self.send_error(404)

    def send_drive_page(self, name):
        # As Drive's page: an absolute form action on another path, hidden fields.
        host = f"http://127.0.0.1:{self.server.server_port}"
        page = (f'<!DOCTYPE html><html><head><title>Google Drive - Virus scan warning</title></head><body>'
                f'<p>{name} is too large for Google Drive to scan for viruses.</p>'
                f'<form id="download-form" action="{host}/drive-download" method="get">'
                f'<input type="submit" id="uc-download-link" value="Download anyway"/>'
                f'<input type="hidden" name="id" value="{name}">'
                f'<input type="hidden" name="export" value="download">'
                f'<input type="hidden" name="confirm" value="t">'
                f'<input type="hidden" name="uuid" value="1234-abcd"></form></body></html>').encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def send_file(self, name, cut=False, slow=False):
        path = os.path.join(ROOT, os.path.basename(name))
        if not name or not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, "rb") as f:
            data = f.read()
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        if match and not cut:
            start = int(match.group(1))
            if start >= len(data):
                self.send_error(416)
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        if cut:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if not slow:
            self.wfile.write(data[start:])
            return
        try:
            for at in range(start, len(data), 65536):
                self.wfile.write(data[at:at + 65536])
                time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client cancelled


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(server.server_port))
os.rename(PORT_FILE + ".tmp", PORT_FILE)
threading.Timer(LIFETIME_S, server.shutdown).start()
server.serve_forever()
