#!/usr/bin/env python3
"""Measures a CSV import of follow-ups through the running API, in one run.

Starts a release build of kiv on a fresh database (SQLite by default, PostgreSQL with
--database-url), creates an objective and N actions of the federal police (with external ids),
then imports N follow-ups from one CSV file, imports the same file again (nothing changes), and
prints the timings. Run `cargo build --release` first.

    python3 bench/import_followups.py --rows 10000 [--database-url postgres://...]
"""

import argparse
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="kiv-bench-")
    url = args.database_url or f"sqlite://{workdir}/kiv.db"
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, KIV_LOG="warn", KIV_RATE_LIMIT_PER_MINUTE="0")  # one PUT per action would outrun the default rate
    server = subprocess.Popen(
        [os.path.join(ROOT, "target/release/kiv"), "serve", "--demo", "--bind", f"127.0.0.1:{port}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/kiv/v1"
    try:
        for _ in range(100):
            try:
                if call(base, "GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        token = lambda login: call(base, "POST", "/auth/token", form={"grant_type": "password", "username": login, "password": "demo"})[1]["access_token"]
        fod = token("demo-coordinator")
        status, objective = call(base, "POST", "/objectives", fod, {"planId": "kiv-2016-2019", "clusterId": "7", "code": "7", "level": "strategic", "title": {"nl": "Bench"}})
        assert status == 201, objective
        started = time.perf_counter()
        for i in range(args.rows):
            status, body = call(base, "PUT", f"/actions/byExternalId/federale-politie/FGP-{i}", fod, {
                "objectiveId": objective["id"], "code": f"7.{i}", "title": {"nl": f"Actie {i}"},
                "plannedStart": "2016-01-01", "plannedEnd": "2019-12-31"})
            assert status == 201, body
        actions_seconds = time.perf_counter() - started

        lines = ["actionExternalId,organisationId,period,status,progress,narrativeNl"]
        lines += [f"FGP-{i},federale-politie,2017S2,onTrack,{i % 100},Stand van zaken {i}" for i in range(args.rows)]
        csv = ("\n".join(lines) + "\n").encode()
        reporter = token("demo-reporter")
        timings = []
        for attempt in ("first import", "same file again"):
            started = time.perf_counter()
            status, report = call(base, "POST", "/imports/followUps", reporter, csv, content_type="text/csv")
            seconds = time.perf_counter() - started
            assert status == 200, report
            timings.append((attempt, seconds, report["created"], report["unchanged"]))
        backend = "PostgreSQL" if url.startswith("postgres") else "SQLite"
        print(f"{backend}: {args.rows} actions created one by one in {actions_seconds:.1f} s")
        for attempt, seconds, created, unchanged in timings:
            print(f"{backend}: {attempt}: {args.rows} rows in {seconds:.2f} s ({args.rows / seconds:.0f} rows/s; created {created}, unchanged {unchanged})")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
