#!/usr/bin/env python3
"""Soak test: mixed reads and writes against a running kiv for a while (default 5 minutes), then
the requests, errors, statuses and latencies per endpoint and kiv's memory at the start and the
end (growth means a leak or an unbounded cache).

Needs the demo accounts (`kiv seed --demo`) and some actions (`kiv seed --synthetic`).

    python3 bench/soak.py --base-url http://127.0.0.1:8080 [--seconds 300] [--concurrency 4]
                          [--pid <kiv pid>] [--json]

An error is a 5xx, a timeout, a refused connection or an answer the request should never get
(401, 400, 404 for an id that exists). 409 on a write is no error: the action has a follow-up
for that period already (the soak picks actions and periods at random).
"""

import argparse
import http.client
import json
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

PLAN = "kiv-2016-2019"
PERIODS = [f"{y}S{s}" for y in range(2016, 2020) for s in (1, 2)]


def kiv_pid(port):
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True).stdout
    match = re.search(r"pid=(\d+)", out)
    return int(match.group(1)) if match else None


def memory(pid):
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    fields[key] = int(value.split()[0]) / 1024.0
    except (OSError, TypeError):
        pass
    return fields


class Client:
    def __init__(self, base):
        url = urllib.parse.urlparse(base)
        self.host, self.port = url.hostname, url.port or 80
        self.conn = None

    def send(self, method, path, token=None, body=None, headers=None, form=None):
        headers = dict(headers or {})
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                return response.status, response.getheader("ETag"), response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server closed: once more on a new one.
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise


class Tokens:
    """A demo coordinator's token, renewed before it expires."""

    def __init__(self, base):
        self.base = base
        self.lock = threading.Lock()
        self.token, self.renew_at = None, 0.0

    def get(self):
        with self.lock:
            if time.monotonic() >= self.renew_at:
                status, _, body = Client(self.base).send(
                    "POST", "/kiv/v1/auth/token",
                    form={"grant_type": "password", "username": "demo-coordinator", "password": "demo"})
                if status != 200:
                    sys.exit(f"cannot log in as demo-coordinator: {status} {body[:200]!r}")
                answer = json.loads(body)
                self.token = answer["access_token"]
                self.renew_at = time.monotonic() + max(30, answer.get("expires_in", 900) - 60)
            return self.token


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.endpoints = {}

    def add(self, endpoint, status, seconds, error):
        with self.lock:
            e = self.endpoints.setdefault(endpoint, {"requests": 0, "errors": 0, "statuses": {}, "ms": []})
            e["requests"] += 1
            e["errors"] += int(error)
            e["statuses"][str(status)] = e["statuses"].get(str(status), 0) + 1
            e["ms"].append(seconds * 1000)


def worker(base, tokens, action_ids, stats, deadline, seed):
    rng = random.Random(seed)
    client = Client(base)

    def call(endpoint, method, path, ok, body=None, headers=None):
        started = time.perf_counter()
        try:
            status, etag, payload = client.send(method, path, tokens.get(), body=body, headers=headers)
        except (OSError, http.client.HTTPException) as error:
            stats.add(endpoint, type(error).__name__, time.perf_counter() - started, True)
            client.conn = None
            return None, None, None
        stats.add(endpoint, status, time.perf_counter() - started, status not in ok)
        return status, etag, payload

    while time.monotonic() < deadline:
        roll = rng.random()
        action = rng.choice(action_ids)
        if roll < 0.35:
            call("GET /actions/{id}", "GET", f"/kiv/v1/actions/{action}", {200})
        elif roll < 0.55:
            cluster = rng.randint(1, 10)
            status = rng.choice(["onTrack", "delayed", "completed", "notReported"])
            call("GET /actions?filters", "GET",
                 f"/kiv/v1/actions?planId={PLAN}&clusterId={cluster}&status={status}"
                 f"&sort=-plannedEnd&pageSize=20&page={rng.randint(1, 3)}", {200})
        elif roll < 0.65:
            call("GET /followUps?actionId", "GET", f"/kiv/v1/followUps?actionId={action}", {200})
        elif roll < 0.70:
            call("GET /actions/{id}/history", "GET", f"/kiv/v1/actions/{action}/history", {200})
        elif roll < 0.72:
            call("GET /reports/progress (cluster)", "GET",
                 f"/kiv/v1/reports/progress?planId={PLAN}&clusterId={rng.randint(1, 10)}", {200})
        else:
            period = rng.choice(PERIODS)
            status, etag, payload = call(
                "POST /followUps", "POST", "/kiv/v1/followUps", {201, 409},
                body={"actionId": action, "period": period, "status": "delayed",
                      "progress": rng.randint(0, 99), "narrative": {"nl": "Soak"}})
            if status == 201 and rng.random() < 0.5:
                created = json.loads(payload)
                call("POST /followUps/{id}/submit", "POST", f"/kiv/v1/followUps/{created['id']}/submit",
                     {200}, headers={"If-Match": etag})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8080")
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--pid", type=int, help="kiv's process id (default: the one listening on the port)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    pid = args.pid or kiv_pid(urllib.parse.urlparse(base).port or 80)
    tokens = Tokens(base)
    # Actions to work on: the first pages of the plan's actions.
    action_ids = []
    client = Client(base)
    for page in range(1, 11):
        status, _, body = client.send("GET", f"/kiv/v1/actions?planId={PLAN}&pageSize=100&page={page}", tokens.get())
        if status != 200:
            sys.exit(f"cannot list actions: {status}")
        items = json.loads(body)["items"]
        action_ids += [a["id"] for a in items]
        if len(items) < 100:
            break
    if not action_ids:
        sys.exit("no actions: load some with `kiv seed --synthetic`")
    start_memory = memory(pid)
    stats = Stats()
    deadline = time.monotonic() + args.seconds
    threads = [threading.Thread(target=worker, args=(base, tokens, action_ids, stats, deadline, n))
               for n in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    end_memory = memory(pid)
    summary = {
        "seconds": args.seconds,
        "concurrency": args.concurrency,
        "pid": pid,
        "rss_start": start_memory.get("VmRSS"),
        "rss_end": end_memory.get("VmRSS"),
        "rss_peak": end_memory.get("VmHWM"),
        "endpoints": {},
    }
    for endpoint, e in sorted(stats.endpoints.items()):
        ms = sorted(e["ms"])
        summary["endpoints"][endpoint] = {
            "requests": e["requests"],
            "errors": e["errors"],
            "statuses": e["statuses"],
            "p50": statistics.median(ms),
            "p99": ms[min(len(ms) - 1, int(len(ms) * 0.99))],
        }
    if args.json:
        print(json.dumps(summary, indent=1))
        return
    print(f"soak: {args.seconds} s, {args.concurrency} clients against {base} (kiv pid {pid})")
    print(f"{'endpoint':38} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for endpoint, e in summary["endpoints"].items():
        statuses = " ".join(f"{k}:{v}" for k, v in sorted(e["statuses"].items()))
        print(f"{endpoint:38} {e['requests']:>9} {e['errors']:>7} {e['p50']:>8.1f} {e['p99']:>8.1f}  {statuses}")
    rss = lambda v: "?" if v is None else f"{v:.1f} MB"
    print(f"kiv RSS: {rss(summary['rss_start'])} at the start, {rss(summary['rss_end'])} at the end "
          f"(peak {rss(summary['rss_peak'])})")
    errors = sum(e["errors"] for e in summary["endpoints"].values())
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
