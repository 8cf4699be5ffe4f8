#!/usr/bin/env python3
"""Record every exchange between the app (or the CLI) and a lab Moodle, in order, for replay.

    python3 scripts/lab/record-proxy.py --upstream http://127.0.0.1:8145 --listen 8945 \
        --out crates/moodle-sim/admin-runs/4.5/configure_fresh.jsonl.xz \
        --secrets /somewhere/outside/secrets.txt --password 'Admin#Lab2024'

Point the client at http://127.0.0.1:8945; stop with Ctrl-C (or SIGTERM) to write the file.
The proxy rewrites the site's address both ways (Moodle sees its own wwwroot, the client sees
the proxy), and the file has {{BASE}} where the address was. Secrets are replaced, the same
value always by the same stand-in of the same shape, so that a replay stays consistent: the
password by "lab-password", session keys, cookies, login tokens and every 32-hex value
(web-service tokens). Every secret seen is listed in --secrets (outside the repository), and
the file is checked to hold none of them.
"""
import argparse
import gzip
import http.client
import http.server
import json
import lzma
import re
import signal
import sys
import threading
import urllib.parse

# The stand-ins of the tokens given to the client (the replay tests give the same).
# Tokens of another account (fault.php's wsuser) get their own: the client is given them for
# the faults whose tokens.FAULT.env holds them.
FIXED_TOKENS = {"opensis": "0" * 28 + "a001", "userkey": "0" * 28 + "a002",
                "opensis_other": "0" * 28 + "a003", "userkey_other": "0" * 28 + "a004"}
# The recording script names tokens it gives the client between runs with a request to this
# path (with X-Recorder-Probe): ?opensis_other=VALUE&userkey_other=VALUE. Not recorded.
TOKENS_PATH = "/__recorder/tokens"

LOCK = threading.Lock()
EXCHANGES = []
SECRETS = {}  # real -> stand-in
COUNTERS = {}


def stand_in(real, kind):
    if real in SECRETS or not real:
        return
    n = COUNTERS[kind] = COUNTERS.get(kind, 0) + 1
    if kind == "token":
        fake = "f%031x" % n          # 32 hex characters
    elif kind == "sesskey":
        fake = "SessKey%03d" % n      # 10 characters
    elif kind == "cookie":
        fake = "labcookie%04d" % n
    elif kind == "logintoken":
        fake = "LoginToken%022d" % n  # 32 characters
    else:
        fake = "lab-%s-%d" % (kind, n)
    SECRETS[real] = fake


def learn(text):
    for m in re.finditer(r'"sesskey":"([A-Za-z0-9]+)"', text):
        stand_in(m.group(1), "sesskey")
    for m in re.finditer(r'sesskey=([A-Za-z0-9]{10})\b', text):
        stand_in(m.group(1), "sesskey")
    for m in re.finditer(r'name="sesskey" value="([A-Za-z0-9]+)"', text):
        stand_in(m.group(1), "sesskey")
    for m in re.finditer(r'name="logintoken" value="([A-Za-z0-9]+)"', text):
        stand_in(m.group(1), "logintoken")
    for m in re.finditer(r'(?<![0-9a-fA-F])([0-9a-f]{32})(?![0-9a-fA-F])', text):
        stand_in(m.group(1), "token")


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def handle_any(self):
        args = self.server.args
        if self.headers.get("X-Recorder-Probe") and self.path.startswith(TOKENS_PATH + "?"):
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            with LOCK:
                for name, values in query.items():
                    if name in FIXED_TOKENS and values[0]:
                        SECRETS[values[0]] = FIXED_TOKENS[name]
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        up = urllib.parse.urlsplit(args.upstream)
        mine = "http://127.0.0.1:%d" % args.listen
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        ctype = self.headers.get("Content-Type") or ""
        multipart = ctype.startswith("multipart/")
        if not multipart:
            body = body.replace(mine.encode(), args.upstream.encode()).replace(
                urllib.parse.quote(mine, safe="").encode(), urllib.parse.quote(args.upstream, safe="").encode())
        headers = {}
        for k, v in self.headers.items():
            if k.lower() in ("host", "content-length", "connection", "accept-encoding"):
                continue
            headers[k] = v.replace(mine, args.upstream)
        headers["Host"] = up.netloc
        headers["Content-Length"] = str(len(body))
        conn = http.client.HTTPConnection(up.hostname, up.port or 80, timeout=600)
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        out_headers = []
        for k, v in resp.getheaders():
            if k.lower() in ("transfer-encoding", "connection", "content-length", "date", "keep-alive"):
                continue
            out_headers.append((k, v.replace(args.upstream, mine)))
        esc_up = args.upstream.replace("/", "\\/")
        esc_mine = mine.replace("/", "\\/")
        data = data.replace(args.upstream.encode(), mine.encode()).replace(esc_up.encode(), esc_mine.encode())
        self.send_response(resp.status)
        for k, v in out_headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

        if self.headers.get("X-Recorder-Probe"):
            return  # the recording script asking whether the proxy is up: not the client's
        text = data.decode("utf-8", "replace")
        req_text = "" if multipart else body.decode("utf-8", "replace")
        with LOCK:
            learn(text)
            learn(req_text)
            learn(self.path)
            for k, v in out_headers:
                if k.lower() == "set-cookie":
                    m = re.match(r"\s*([^=]+)=([^;]*)", v)
                    if m and m.group(2) not in ("", "deleted"):
                        stand_in(m.group(2), "cookie")
            cookie = self.headers.get("Cookie") or ""
            for part in cookie.split(";"):
                if "=" in part:
                    stand_in(part.split("=", 1)[1].strip(), "cookie")
            if args.password:
                SECRETS.setdefault(args.password, "lab-password")
            EXCHANGES.append({
                "seq": len(EXCHANGES) + 1,
                "method": self.command,
                "target": self.path.replace(args.upstream, mine),
                "content_type": ctype or None,
                "body": ("<multipart %d bytes>" % len(body)) if multipart else req_text.replace(args.upstream, mine),
                "cookie": cookie or None,
                "status": resp.status,
                "headers": out_headers,
                "response": text,
            })

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = handle_any


def scrub(s, mine):
    if s is None:
        return None
    for real in sorted(SECRETS, key=len, reverse=True):
        fake = SECRETS[real]
        s = s.replace(real, fake)
        q = urllib.parse.quote_plus(real)
        if q != real:
            s = s.replace(q, urllib.parse.quote_plus(fake))
    s = s.replace(mine, "{{BASE}}").replace(mine.replace("/", "\\/"), "{{BASE_JSON}}")
    s = s.replace(urllib.parse.quote(mine, safe=""), "{{BASE_QUOTED}}")
    return s


def save(args):
    mine = "http://127.0.0.1:%d" % args.listen
    with LOCK:
        rows = []
        for e in EXCHANGES:
            r = dict(e)
            for k in ("target", "body", "cookie", "response"):
                r[k] = scrub(r[k], mine)
            r["headers"] = [(k, scrub(v, mine)) for k, v in e["headers"]]
            rows.append(r)
        blob = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n"
        left = [s for s in SECRETS if s in blob or urllib.parse.quote_plus(s) in blob]
        if left:
            print("refusing to write: %d secrets left in the recording" % len(left), file=sys.stderr)
            sys.exit(1)
        # xz with a window larger than the run: the same admin pages repeat all through it.
        data = blob.encode("utf-8")
        if args.out.endswith(".xz"):
            data = lzma.compress(data, preset=9 | lzma.PRESET_EXTREME)
        else:
            data = gzip.compress(data)
        with open(args.out, "wb") as f:
            f.write(data)
        with open(args.secrets, "a") as f:
            for s in SECRETS:
                f.write(s + "\n")
        print("wrote %d exchanges to %s" % (len(rows), args.out), file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--listen", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--secrets", required=True)
    ap.add_argument("--password")
    ap.add_argument("--token", action="append", default=[], metavar="NAME=VALUE",
                    help="a token the client is given (opensis, userkey): recorded as a fixed stand-in "
                         "the replay test gives too")
    args = ap.parse_args()
    args.upstream = args.upstream.rstrip("/")
    for spec in args.token:
        name, _, value = spec.partition("=")
        if value:
            SECRETS[value] = FIXED_TOKENS[name]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.listen), Proxy)
    server.args = args

    def stop(*_):
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("recording on http://127.0.0.1:%d → %s" % (args.listen, args.upstream), file=sys.stderr)
    server.serve_forever()
    save(args)


if __name__ == "__main__":
    main()
