#!/usr/bin/env python3
"""Measures how the cost of a CSV import line grows with the number of `indicator:` columns.

Starts a kiv binary (one worker) on a fresh SQLite database with the demo data, creates LINES
actions of the federal police, then imports, for each width, a file of LINES lines (one per
action, a period per width) with WIDTH `indicator:<id>` columns left empty, and prints the
time per line and its ratio to the narrowest width. While the widest file is imported, another
thread polls `GET /health` and reports its slowest answer: with the file read on the I/O
worker, health waits for it.

    python3 bench/import_width.py --kiv target/debug/kiv [--widths 100,1000,2000] [--lines 50]

Compare two builds by running it once with each binary. Linear reading keeps the ratio of the
time per line near the ratio of the widths (or below it, since writing a line costs the same at
any width); quadratic reading makes it grow with its square.
"""

import argparse
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PERIODS = ["2016S1", "2016S2", "2017S1", "2017S2", "2018S1", "2018S2", "2019S1", "2019S2"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, token=None, body=None, content_type="application/json", form=None):
    data = None
    headers = {}
    if form is not None:
        data = "&".join(f"{k}={v}" for k, v in form.items()).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["Content-Type"] = content_type
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def file_of(width, lines, period):
    header = "actionExternalId,organisationId,period,status,progress," + ",".join(
        f"indicator:bench-{i}" for i in range(width)
    )
    empty = "," * width
    rows = [f"BENCH-{n},federale-politie,{period},onTrack,{n % 100}{empty}" for n in range(lines)]
    return ("\n".join([header] + rows) + "\n").encode()


def poll_health(base, stop, worst):
    while not stop.is_set():
        started = time.perf_counter()
        call(base, "GET", "/health")
        worst[0] = max(worst[0], time.perf_counter() - started)
        time.sleep(0.01)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kiv", default=os.path.join(ROOT, "target/debug/kiv"))
    parser.add_argument("--widths", default="100,1000,2000")
    parser.add_argument("--lines", type=int, default=50)
    args = parser.parse_args()
    widths = [int(w) for w in args.widths.split(",")]
    assert len(widths) <= len(PERIODS), "one period per width"

    workdir = tempfile.mkdtemp(prefix="kiv-bench-width-")
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite://{workdir}/kiv.db",
        KIV_LOG="warn",
        KIV_RATE_LIMIT_PER_MINUTE="0",
        KIV_REQUEST_TIMEOUT_SECONDS="600",
        KIV_WORKERS="1",
    )
    server = subprocess.Popen(
        [args.kiv, "serve", "--demo", "--bind", f"127.0.0.1:{port}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/kiv/v1"
    try:
        for _ in range(300):
            try:
                if call(base, "GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        token = lambda login: call(base, "POST", "/auth/token", form={"grant_type": "password", "username": login, "password": "demo"})[1]["access_token"]
        fod = token("demo-coordinator")
        status, objective = call(base, "POST", "/objectives", fod, {"planId": "kiv-2016-2019", "clusterId": "7", "code": "7.99", "level": "strategic", "title": {"nl": "Bench"}})
        assert status == 201, objective
        for n in range(args.lines):
            status, body = call(base, "PUT", f"/actions/byExternalId/federale-politie/BENCH-{n}", fod, {
                "objectiveId": objective["id"], "code": f"7.99.{n}", "title": {"nl": f"Actie {n}"},
                "plannedStart": "2016-01-01", "plannedEnd": "2019-12-31"})
            assert status == 201, body
        reporter = token("demo-reporter")
        results = []
        for width, period in zip(widths, PERIODS):
            body = file_of(width, args.lines, period)
            stop, worst = threading.Event(), [0.0]
            poller = None
            if width == max(widths):
                poller = threading.Thread(target=poll_health, args=(base, stop, worst))
                poller.start()
            started = time.perf_counter()
            status, report = call(base, "POST", "/imports/followUps", reporter, body, content_type="text/csv")
            seconds = time.perf_counter() - started
            stop.set()
            if poller:
                poller.join()
            outcome = f"{report['created']} created" if status == 200 else f"{status}: {json.dumps(report)[:200]}"
            results.append((width, seconds / args.lines, len(body), outcome, worst[0] if poller else None))
        narrowest = results[0][1]
        print(f"kiv: {args.kiv}; {args.lines} lines per file; one worker; SQLite")
        print("| indicator columns | bytes | seconds per line | ratio to the narrowest | outcome | slowest /health during the import |")
        print("| --- | --- | --- | --- | --- | --- |")
        for width, per_line, size, outcome, health in results:
            slowest = f"{health:.3f} s" if health is not None else ""
            print(f"| {width} | {size} | {per_line:.4f} | {per_line / narrowest:.1f}× | {outcome} | {slowest} |")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
