#!/usr/bin/env python3
"""Report timings of two kiv builds side by side, in one run, on the same synthetic plan.

Each binary gets its own fresh database with the default synthetic plan (`kiv seed --demo
--synthetic`, the same content for the same seed), is started with the demo accounts, and then the
two are timed in turns: the whole plan's progress report, one cluster's, and the whole plan's
trend, one client, sequential requests. The machine is small and shared: compare the ratios of
this one run, not the absolute numbers.

    python3 bench/compare_reports.py --before /path/to/old/kiv --after target/release/kiv \
        [--backend sqlite|postgres] [--rounds 15] [--out bench/reports-compare.md]
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

REQUESTS = [
    ("progress, whole plan", "/kiv/v1/reports/progress?planId=kiv-2016-2019&period=2019S2"),
    ("progress, cluster 3", "/kiv/v1/reports/progress?planId=kiv-2016-2019&period=2019S2&clusterId=3"),
    ("trend, whole plan", "/kiv/v1/reports/trend?planId=kiv-2016-2019"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database(backend, name, scratch):
    if backend == "sqlite":
        return f"sqlite://{os.path.join(scratch, name + '.db')}"
    subprocess.run(["psql", PG_ADMIN, "-q", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
                    "-c", f"CREATE DATABASE {name}"], check=True)
    return f"postgres://postgres@127.0.0.1:5432/{name}?sslmode=disable"


def drop(backend, name):
    if backend == "postgres":
        subprocess.run(["psql", PG_ADMIN, "-q", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                       check=False)


class Server:
    def __init__(self, binary, url):
        env = dict(os.environ, DATABASE_URL=url, KIV_RATE_LIMIT_PER_MINUTE="0", KIV_LOG="warn")
        subprocess.run([binary, "seed", "--demo", "--synthetic"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        self.port = free_port()
        self.process = subprocess.Popen(
            [binary, "serve", "--bind", f"127.0.0.1:{self.port}"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(self.base + "/kiv/v1/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        form = urllib.parse.urlencode({"grant_type": "password", "username": "demo-evaluator",
                                       "password": "demo"}).encode()
        with urllib.request.urlopen(self.base + "/kiv/v1/auth/token", data=form) as answer:
            self.token = json.load(answer)["access_token"]

    def time(self, path):
        request = urllib.request.Request(self.base + path,
                                         headers={"Authorization": f"Bearer {self.token}"})
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as answer:
            answer.read()
        return (time.perf_counter() - start) * 1000

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", required=True)
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--label-before", default="before")
    parser.add_argument("--label-after", default="after")
    parser.add_argument("--out", default=None, help="append the table to this markdown file")
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="kiv-compare-")
    names = {"before": "kiv_compare_before", "after": "kiv_compare_after"}
    servers = {}
    try:
        for side, binary in (("before", args.before), ("after", args.after)):
            servers[side] = Server(binary, database(args.backend, names[side], scratch))
        times = {(side, label): [] for side in servers for label, _ in REQUESTS}
        for label, path in REQUESTS:
            for side in servers:  # warm both
                servers[side].time(path)
            for _ in range(args.rounds):
                for side in servers:  # in turns, so both see the same machine
                    times[(side, label)].append(servers[side].time(path))
    finally:
        for server in servers.values():
            server.stop()
        for side in names:
            drop(args.backend, names[side])
        shutil.rmtree(scratch, ignore_errors=True)

    lines = [
        f"### Reports, {args.backend}: {args.label_before} vs {args.label_after}",
        "",
        f"`python3 bench/compare_reports.py --backend {args.backend} --rounds {args.rounds}`, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; release builds, default synthetic "
        "plan, one client, requests in turns.",
        "",
        f"| report | {args.label_before} p50 ms | {args.label_after} p50 ms | after ÷ before |",
        "| --- | --- | --- | --- |",
    ]
    for label, _ in REQUESTS:
        before = statistics.median(times[("before", label)])
        after = statistics.median(times[("after", label)])
        lines.append(f"| {label} | {before:.1f} | {after:.1f} | {after / before:.2f}× |")
    table = "\n".join(lines) + "\n"
    print(table)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as out:
            out.write("\n" + table)


if __name__ == "__main__":
    sys.exit(main())
