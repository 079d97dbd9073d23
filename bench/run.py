#!/usr/bin/env python3
"""kiv's benchmark suite, in one run, on SQLite and on PostgreSQL; writes bench/RESULTS.md.

For each backend: builds nothing itself unless asked (--build, or no release binary), loads the
synthetic plan (`kiv seed --demo --synthetic`) into a fresh database (PostgreSQL: `kiv_bench`,
created and dropped here), measures kiv's start-up, then with wrk (installed with apt when
missing):

  GET  /kiv/v1/health                          the framework's ceiling
  GET  /kiv/v1/actions/{id}                    ids round robin over every synthetic action
  GET  /kiv/v1/actions?clusterId=..&status=..  a filtered, sorted page
  POST /kiv/v1/followUps                       a new follow-up per request (2019S1/2019S2 are left
                                               free by loading 6 periods)
  GET  /kiv/v1/reports/progress?planId=kiv-2016-2019   the whole plan, one client

and the database's own limits: pgbench with a primary-key select on `actions` (the ceiling of
GET /actions/{id}), and the progress report's queries run directly (pgbench -f on PostgreSQL,
Python's sqlite3 on SQLite). It also times the load of the default synthetic plan (8 periods),
runs bench/import_followups.py (10,000-row CSV import) and a short soak (bench/soak.py), and
records kiv's peak RSS (VmHWM) under load.

On PostgreSQL it also counts the statements each measured endpoint runs per request, from
pg_stat_statements (created in the bench database when missing), and how many of them ran as a
prepared statement kept by the connection (named) rather than parsed anew (unnamed), from the
server's statement log. pg_stat_statements needs `shared_preload_libraries`; when the server on
5432 lacks it, the counts are taken on a private PostgreSQL server started here for them
(initdb, pg_ctl; as the postgres user when run as root), and the results say so.

    python3 bench/run.py [--build] [--seconds 10] [--backends sqlite,postgres]
                         [--skip-import] [--skip-full-load] [--soak-seconds 30]

The machine is shared and small (2 cores for kiv, the database and the load generator alike):
absolute numbers are noisy, the ratios within one run are what to compare.
"""

import argparse
import glob
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KIV = os.path.join(ROOT, "target/release/kiv")
BENCH = os.path.join(ROOT, "bench")
PG_HOST = "127.0.0.1"
PG_URL = "postgres://postgres@127.0.0.1:5432/{db}?sslmode=disable"
PLAN = "kiv-2016-2019"
# Loaded periods: 2016S1..2018S2, so that 2019S1 and 2019S2 are free for the write benchmark.
LOADED_PERIODS = 6
FREE_PERIODS = ["2019S1", "2019S2"]


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run(cmd, **kwargs):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kwargs)


def psql(db, sql):
    return run(["psql", "-h", PG_HOST, "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1",
                "-qAtc", sql]).stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(base, method, path, token=None, form=None, timeout=60):
    headers = {}
    data = None
    if form is not None:
        data = "&".join(f"{k}={v}" for k, v in form.items()).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def proc_status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024.0
    return fields


def ensure_tools(backends):
    if not shutil.which("wrk"):
        log("installing wrk (apt)")
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
                       stdout=subprocess.DEVNULL)
    if "postgres" in backends:
        for tool in ("psql", "pgbench"):
            if not shutil.which(tool):
                sys.exit(f"{tool} is needed for the PostgreSQL benchmarks")


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url, token, seconds, connections, threads=2, script=None, script_args=()):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s",
           "-H", f"Authorization: Bearer {token}"]
    if script:
        cmd += ["-s", script]
    cmd.append(url)
    if script_args:
        cmd += ["--", *script_args]
    out = run(cmd).stdout
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "non2xx": int((re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [0, 0])[1]),
        "errors": sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)",
                                                 (re.search(r"Socket errors:.*", out) or [""])[0])),
    }
    for pct in ("50", "99"):
        match = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+\w+)", out, re.M)
        result[f"p{pct}"] = to_ms(match.group(1)) if match else None
    result["connections"] = connections
    return result


class Backend:
    def __init__(self, name, workdir):
        self.name = name
        self.workdir = workdir
        if name == "sqlite":
            self.path = os.path.join(workdir, "kiv-bench.db")
            self.url = f"sqlite://{self.path}"
        else:
            self.db = "kiv_bench"
            self.url = PG_URL.format(db=self.db)

    def create(self, db=None):
        if self.name == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists((db or self.path) + suffix):
                    os.remove((db or self.path) + suffix)
        else:
            psql("postgres", f"DROP DATABASE IF EXISTS {db or self.db} WITH (FORCE)")
            psql("postgres", f"CREATE DATABASE {db or self.db}")

    def drop(self, db=None):
        if self.name == "sqlite":
            self.create(db)
        else:
            psql("postgres", f"DROP DATABASE IF EXISTS {db or self.db} WITH (FORCE)")

    def query(self, sql):
        """Rows of a query on the bench database, as lists of strings."""
        if self.name == "sqlite":
            with sqlite3.connect(self.path) as conn:
                return [[str(v) for v in row] for row in conn.execute(sql)]
        return [line.split("|") for line in psql(self.db, sql).splitlines() if line]


def seed(url, *args):
    started = time.perf_counter()
    out = run([KIV, "seed", *args], env=dict(os.environ, DATABASE_URL=url, KIV_LOG="warn")).stdout
    wall = time.perf_counter() - started
    line = next((l for l in out.splitlines() if l.startswith("synthetic content")), "")
    inner = re.search(r"in ([\d.]+) s", line)
    return wall, float(inner.group(1)) if inner else None, line


def start_kiv(url, port):
    """Starts `kiv serve`; returns the process and the seconds until /health answered."""
    started = time.perf_counter()
    server = subprocess.Popen(
        [KIV, "serve", "--bind", f"127.0.0.1:{port}", "--token-ttl-seconds", "7200"],
        # The load generator is one client: the per-client rate limit would answer it 429.
        env=dict(os.environ, DATABASE_URL=url, KIV_LOG="warn", KIV_RATE_LIMIT_PER_MINUTE="0"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/kiv/v1"
    while time.perf_counter() - started < 60:
        try:
            if http(base, "GET", "/health", timeout=2)[0] == 200:
                return server, time.perf_counter() - started
        except OSError:
            pass
        if server.poll() is not None:
            sys.exit(f"kiv serve exited with {server.returncode}")
        time.sleep(0.005)
    sys.exit("kiv did not answer /health within 60 s")


def stop(server):
    server.terminate()
    try:
        server.wait(timeout=40)
    except subprocess.TimeoutExpired:
        server.kill()


def report_sql(backend, period_start, period):
    """The queries kiv runs for the whole plan's progress report (crates/kiv-store/src/reports.rs,
    `progress_report`), with the values it binds spelled out: the objectives, the actions summed
    per objective and status (one aggregate), the indicators, the period's indicator values, the
    clusters and the published judgements."""
    as_of = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    period_end = {"S1": "-06-30", "S2": "-12-31"}[period[4:]]
    period_end = period[:4] + period_end
    today = as_of[:10]
    scope = ("scope_actions AS (SELECT a.id, a.objective_id, a.weight, a.planned_start, "
             "a.planned_end FROM actions a JOIN objectives o ON o.id = a.objective_id "
             f"WHERE o.plan_id = '{PLAN}')")
    objectives = f"SELECT id FROM objectives WHERE plan_id = '{PLAN}'"
    history = ("(SELECT af.{column} FROM approved_follow_ups af WHERE af.action_id = x.id "
               f"AND af.period_start <= '{period_start}' AND af.approved_at <= '{as_of}' "
               "ORDER BY af.period_start DESC, af.approved_at DESC LIMIT 1)")
    return [
        f"SELECT id, code, title, cluster_id FROM objectives WHERE plan_id = '{PLAN}' ORDER BY code",
        f"WITH {scope}, "
        "states AS (SELECT s.id, s.objective_id, s.weight, s.planned_start, s.planned_end, "
        "st.status, st.progress, st.period_start, "
        f"CASE WHEN st.approved_at <= '{as_of}' AND st.period_start <= '{period_start}' "
        "THEN 1 ELSE 0 END AS is_current "
        "FROM scope_actions s LEFT JOIN action_states st ON st.action_id = s.id), "
        "latest AS (SELECT x.objective_id, x.weight, x.planned_start, x.planned_end, "
        f"CASE WHEN x.is_current = 1 THEN x.status ELSE {history.format(column='status')} END AS status, "
        f"CASE WHEN x.is_current = 1 THEN x.progress ELSE {history.format(column='progress')} END AS progress, "
        f"CASE WHEN x.is_current = 1 AND x.period_start = '{period_start}' THEN 1 "
        "WHEN EXISTS (SELECT 1 FROM approved_follow_ups af WHERE af.action_id = x.id "
        f"AND af.period_start = '{period_start}' AND af.approved_at <= '{as_of}') THEN 1 "
        "ELSE 0 END AS reported FROM states x), "
        "facts AS (SELECT objective_id, COALESCE(status, 'notReported') AS status, weight, "
        "CASE WHEN status = 'cancelled' THEN NULL ELSE progress END AS progress, "
        f"CASE WHEN planned_start <= '{period_end}' AND planned_end >= '{period_start}' "
        "THEN 1 ELSE 0 END AS due, reported, planned_end FROM latest) "
        "SELECT objective_id, status, COUNT(*), COALESCE(SUM(weight * progress), 0.0), "
        "COALESCE(SUM(CASE WHEN progress IS NULL THEN 0.0 ELSE weight END), 0.0), "
        "SUM(CASE WHEN progress IS NULL AND status <> 'cancelled' THEN 1 ELSE 0 END), "
        "SUM(due), SUM(due * reported), "
        f"SUM(CASE WHEN planned_end < '{today}' AND status NOT IN ('completed', 'cancelled') "
        "THEN 1 ELSE 0 END) FROM facts GROUP BY objective_id, status",
        "SELECT i.id, i.unit, i.objective_id, a.objective_id, i.measure, i.direction, i.targets "
        "FROM indicators i LEFT JOIN actions a ON a.id = i.action_id "
        f"WHERE i.objective_id IN ({objectives}) OR a.objective_id IN ({objectives})",
        f"WITH {scope}, latest AS (SELECT af.id, ROW_NUMBER() OVER (PARTITION BY af.action_id "
        "ORDER BY af.approved_at DESC) AS rn FROM approved_follow_ups af "
        "JOIN scope_actions s ON s.id = af.action_id "
        f"WHERE af.period_start = '{period_start}' AND af.approved_at <= '{as_of}') "
        "SELECT av.indicator_id, av.number_value, av.text_value FROM approved_values av "
        "JOIN latest l ON l.id = av.approved_id AND l.rn = 1",
        "SELECT id, name FROM clusters",
        "SELECT entity_id, revision, cluster_id, theme_id, period, judgement, round, published_at "
        f"FROM published_assessments WHERE plan_id = '{PLAN}' AND published_at <= '{as_of}'",
    ]


def raw_report(backend, workdir, runs=15):
    queries = report_sql(backend, "2018-07-01", "2018S2")
    if backend.name == "postgres":
        script = os.path.join(workdir, "report.sql")
        with open(script, "w") as f:
            # As on kiv's own connections (crates/kiv-store/src/database.rs).
            f.write("SET jit = off;\n" + ";\n".join(queries) + ";\n")
        out = run(["pgbench", "-h", PG_HOST, "-U", "postgres", "-n", "-c1", "-t", str(runs),
                   "-f", script, backend.db]).stdout
        return float(re.search(r"latency average = ([\d.]+) ms", out).group(1))
    timings = []
    with sqlite3.connect(backend.path) as conn:
        for _ in range(runs):
            started = time.perf_counter()
            for sql in queries:
                conn.execute(sql).fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def pgbench_pk(backend, workdir, seconds, clients):
    psql(backend.db, "DROP TABLE IF EXISTS bench_ids; "
         "CREATE TABLE bench_ids AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM actions; "
         "ALTER TABLE bench_ids ADD PRIMARY KEY (n); ANALYZE bench_ids; ANALYZE actions;")
    count = int(psql(backend.db, "SELECT count(*) FROM bench_ids").strip())
    script = os.path.join(workdir, "pk.sql")
    with open(script, "w") as f:
        f.write(f"\\set n random(1, {count})\n"
                "SELECT * FROM actions WHERE id = (SELECT id FROM bench_ids WHERE n = :n);\n")
    out = run(["pgbench", "-h", PG_HOST, "-U", "postgres", "-n", "-M", "prepared",
               f"-c{clients}", "-j2", f"-T{seconds}", "-f", script, backend.db]).stdout
    psql(backend.db, "DROP TABLE bench_ids")
    return {
        "tps": float(re.search(r"tps = ([\d.]+)", out).group(1)),
        "latency": float(re.search(r"latency average = ([\d.]+) ms", out).group(1)),
    }


def import_bench(backend):
    cmd = [sys.executable, os.path.join(BENCH, "import_followups.py"), "--rows", "10000"]
    db = None
    if backend.name == "postgres":
        db = "kiv_bench_import"
        backend.create(db)
        cmd += ["--database-url", PG_URL.format(db=db)]
    try:
        out = run(cmd).stdout
    finally:
        if db:
            backend.drop(db)
    found = {}
    for line in out.splitlines():
        if m := re.search(r"actions created one by one in ([\d.]+) s", line):
            found["put_seconds"] = float(m.group(1))
        elif m := re.search(r"first import: \d+ rows in ([\d.]+) s \((\d+) rows/s", line):
            found["first"], found["first_rate"] = float(m.group(1)), int(m.group(2))
        elif m := re.search(r"same file again: \d+ rows in ([\d.]+) s", line):
            found["again"] = float(m.group(1))
    return found



# The endpoints whose statements are counted: name, method, path (an action id or a follow-up
# pair is filled in per request), requests.
COUNTED = [
    ("health", "GET", "/health", 50),
    ("action", "GET", "/actions/{id}", 200),
    ("filtered", "GET", None, 100),
    ("post", "POST", "/followUps", 100),
]


def pg_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    return found[-1] if found else None


class PrivatePostgres:
    """A PostgreSQL server of this run's own, with pg_stat_statements preloaded and every
    statement logged: for counting statements when the shared server cannot."""

    def __init__(self):
        self.bin = pg_bin()
        self.dir = tempfile.mkdtemp(prefix="kiv-bench-pg-")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "server.log")
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0

    def _run(self, *cmd):
        cmd = list(cmd)
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return run(cmd)

    def start(self):
        if not self.bin:
            raise RuntimeError("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
        if self.as_postgres:
            run(["chown", "-R", "postgres:postgres", self.dir])
        self._run(os.path.join(self.bin, "initdb"), "-D", self.data, "-U", "postgres",
                  "--auth=trust", "-E", "UTF8")
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                   "-c shared_preload_libraries=pg_stat_statements "
                   "-c pg_stat_statements.track_planning=on -c fsync=off "
                   "-c log_statement=all -c log_line_prefix=''")
        self._run(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-l", self.log, "-w",
                  "-o", options, "start")

    def stop(self):
        try:
            self._run(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop")
        except (subprocess.CalledProcessError, OSError, TypeError):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, db):
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}?sslmode=disable"

    def psql(self, db, sql):
        return run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db,
                    "-v", "ON_ERROR_STOP=1", "-qAtc", sql]).stdout


def statement_snapshot(query):
    """Calls and plans per statement of the bench database, from pg_stat_statements."""
    rows = query("SELECT queryid, calls, plans, regexp_replace(query, '\\s+', ' ', 'g') "
                 "FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database "
                 "WHERE datname = current_database())")
    return {r[0]: (int(r[1]), int(r[2]), r[3]) for r in (line.split("|", 3) for line in rows.splitlines()) if len(r) == 4}


def log_executes(path, offset):
    """Executions the server logged after `offset`: (named, unnamed, simple), and the new offset.
    A statement kept prepared by diesel runs as `execute __diesel_stmt_N`, one parsed for a
    single use as `execute <unnamed>`, a simple-protocol one as `statement:`."""
    named = unnamed = simple = 0
    with open(path, errors="replace") as log_file:
        log_file.seek(offset)
        for line in log_file:
            if "LOG:  execute <unnamed>" in line:
                unnamed += 1
            elif "LOG:  execute " in line:
                named += 1
            elif "LOG:  statement: " in line:
                simple += 1
        return (named, unnamed, simple), log_file.tell()


def count_statements(args, workdir, action_ids, pairs, filtered_path):
    """Statements per request of each counted endpoint, on a server with pg_stat_statements."""
    shared = "pg_stat_statements" in psql("postgres", "SHOW shared_preload_libraries")
    server = None
    found = {"server": "the shared server on 5432" if shared else
             "a private PostgreSQL server of this run: the server on 5432 lacks "
             "shared_preload_libraries = pg_stat_statements"}
    db = "kiv_bench_statements"
    if shared:
        query = lambda sql: psql(db, sql)  # noqa: E731
        url = PG_URL.format(db=db)
        psql("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        psql("postgres", f"CREATE DATABASE {db}")
    else:
        server = PrivatePostgres()
        try:
            server.start()
        except (RuntimeError, subprocess.CalledProcessError) as error:
            server.stop()
            found["error"] = f"no server with pg_stat_statements: {error}"
            log(found["error"])
            return found
        query = lambda sql: server.psql(db, sql)  # noqa: E731
        url = server.url(db)
        server.psql("postgres", f"CREATE DATABASE {db}")
    kiv = None
    try:
        log("statements: loading the bench plan into a database with pg_stat_statements")
        seed(url, "--demo", "--synthetic", "--periods", str(LOADED_PERIODS))
        query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        port = free_port()
        kiv, _ = start_kiv(url, port)
        base = f"http://127.0.0.1:{port}/kiv/v1"
        status, body = http(base, "POST", "/auth/token",
                            form={"grant_type": "password", "username": "demo-coordinator", "password": "demo"})
        assert status == 200, body
        token = json.loads(body)["access_token"]
        rng = random.Random(17)
        pair_iter = iter(pairs)
        for name, method, path, n in COUNTED:
            def one(i):
                if name == "action":
                    return http(base, "GET", f"/actions/{action_ids[i % len(action_ids)]}", token)
                if name == "filtered":
                    return http(base, "GET", filtered_path[len("/kiv/v1"):], token)
                if name == "post":
                    action, period = next(pair_iter).split(",")
                    payload = json.dumps({"actionId": action, "period": period, "status": "onTrack",
                                          "progress": rng.randint(0, 100), "narrative": {"nl": "bench"}}).encode()
                    request = urllib.request.Request(base + "/followUps", data=payload, method="POST", headers={
                        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                    try:
                        with urllib.request.urlopen(request, timeout=60) as response:
                            return response.status, response.read()
                    except urllib.error.HTTPError as error:
                        return error.code, error.read()
                return http(base, method, path, token)
            # Warm up: every connection of the pool prepares its statements once.
            for i in range(20):
                one(i)
            before = statement_snapshot(query)
            offset = os.path.getsize(server.log) if server else 0
            statuses = {}
            for i in range(n):
                status, _ = one(i + 20)
                statuses[status] = statuses.get(status, 0) + 1
            after = statement_snapshot(query)
            ran = []
            for qid, (calls, plans, text) in after.items():
                calls0, plans0, _ = before.get(qid, (0, 0, ""))
                if calls - calls0 > 0 and "pg_stat_statements" not in text:
                    ran.append({"calls": calls - calls0, "plans": plans - plans0, "query": text[:160]})
            ran.sort(key=lambda r: -r["calls"])
            entry = {"requests": n, "statuses": statuses,
                     "per_request": sum(r["calls"] for r in ran) / n,
                     "plans_per_request": sum(r["plans"] for r in ran) / n,
                     "statements": ran[:8]}
            if server:
                (named, unnamed, simple), _ = log_executes(server.log, offset)
                entry.update(named=named / n, unnamed=unnamed / n, simple=simple / n)
            found[name] = entry
            log(f"statements: {name}: {entry['per_request']:.2f} per request")
    finally:
        if kiv:
            stop(kiv)
        if server:
            server.stop()
        else:
            psql("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    return found


def bench_backend(name, args, workdir):
    backend = Backend(name, workdir)
    result = {"backend": name}
    if not args.skip_full_load:
        log(f"{name}: loading the default synthetic plan (8 periods) into a scratch database")
        scratch = os.path.join(workdir, "full.db") if name == "sqlite" else "kiv_bench_full"
        backend.create(scratch)
        url = f"sqlite://{scratch}" if name == "sqlite" else PG_URL.format(db=scratch)
        wall, inner, line = seed(url, "--synthetic")
        result["full_load"] = {"wall": wall, "synthetic": inner, "counts": line}
        backend.drop(scratch)

    log(f"{name}: loading the bench database ({LOADED_PERIODS} periods, demo accounts)")
    backend.create()
    wall, inner, line = seed(backend.url, "--demo", "--synthetic", "--periods", str(LOADED_PERIODS))
    result["load"] = {"wall": wall, "synthetic": inner, "counts": line}

    action_ids = [r[0] for r in backend.query("SELECT id FROM actions WHERE code LIKE 'SYN-%' ORDER BY id")]
    ids_file = os.path.join(workdir, f"{name}-action-ids.txt")
    with open(ids_file, "w") as f:
        f.write("\n".join(action_ids) + "\n")
    pairs = [f"{a},{p}" for p in FREE_PERIODS for a in action_ids]
    random.Random(2016).shuffle(pairs)
    pairs_file = os.path.join(workdir, f"{name}-pairs.txt")
    with open(pairs_file, "w") as f:
        f.write("\n".join(pairs) + "\n")
    # A page of delayed actions of one cluster, latest planned end first.
    result["filtered_path"] = "/kiv/v1/actions?planId=kiv-2016-2019&clusterId=3&status=delayed&sort=-plannedEnd&pageSize=20&page=2"

    port = free_port()
    startups = []
    server = None
    for attempt in range(3):
        if server:
            stop(server)
        server, seconds = start_kiv(backend.url, port)
        startups.append(seconds)
    result["startup"] = statistics.median(startups)
    result["startups"] = startups
    pid = server.pid
    origin = f"http://127.0.0.1:{port}"
    base = origin + "/kiv/v1"
    try:
        result["rss_start"] = proc_status(pid)["VmRSS"]
        status, body = http(base, "POST", "/auth/token",
                            form={"grant_type": "password", "username": "demo-coordinator", "password": "demo"})
        assert status == 200, body
        token = json.loads(body)["access_token"]
        status, _ = http(base, "GET", result["filtered_path"][len("/kiv/v1"):], token)
        assert status == 200, status
        s = args.seconds
        log(f"{name}: wrk runs of {s} s")
        result["health"] = wrk(base + "/health", token, s, 16)
        result["action"] = wrk(origin, token, s, 8, script=os.path.join(BENCH, "wrk/get_ids.lua"),
                               script_args=("/kiv/v1/actions/", ids_file))
        result["filtered"] = wrk(origin + result["filtered_path"], token, s, 8)
        result["post"] = wrk(origin, token, max(3, s // 2), 8,
                             script=os.path.join(BENCH, "wrk/post_followups.lua"),
                             script_args=(pairs_file, "2"))
        result["report"] = wrk(f"{base}/reports/progress?planId={PLAN}&period=2018S2", token,
                               max(s, 15), 1, threads=1)
        result["rss_peak"] = proc_status(pid)["VmHWM"]
        log(f"{name}: the database's own limits")
        result["raw_report_ms"] = raw_report(backend, workdir)
        if name == "postgres":
            result["pgbench_pk"] = pgbench_pk(backend, workdir, s, 8)
        if args.soak_seconds and name == "postgres":
            log(f"{name}: soak for {args.soak_seconds} s")
            out = run([sys.executable, os.path.join(BENCH, "soak.py"), "--base-url", origin,
                       "--seconds", str(args.soak_seconds), "--pid", str(pid), "--json"]).stdout
            result["soak"] = json.loads(out)
        result["rss_end"] = proc_status(pid)
    finally:
        stop(server)
    if name == "postgres" and not args.skip_statements:
        log(f"{name}: statements per request (pg_stat_statements)")
        result["statements"] = count_statements(args, workdir, action_ids, pairs,
                                                result["filtered_path"])
    if not args.skip_import:
        log(f"{name}: CSV import of 10,000 rows (bench/import_followups.py)")
        result["import"] = import_bench(backend)
    backend.drop()
    return result


def fmt(value, digits=0):
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def write_results(results, args):
    commit = run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]).stdout.strip()
    dirty = run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"]).stdout.strip()
    by = {r["backend"]: r for r in results}
    label = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
    lines = [
        "# Benchmark results",
        "",
        f"`python3 bench/run.py` at commit `{commit}`{' (with local changes)' if dirty else ''}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; release build, kiv (2 workers, pool of 8), "
        "the database and wrk on the same 2-core machine, which other work shares: absolute numbers "
        "are noisy, **compare the ratios within one run**. PostgreSQL 15 over TCP loopback with "
        "`sslmode=disable`. wrk runs of "
        f"{args.seconds} s (the report: one client, at least 15 s; writes: {max(3, args.seconds // 2)} s).",
        "",
        "Data: `kiv seed --demo --synthetic --periods 6` (185 zones, 10,420 actions, 20,910 indicators, "
        "follow-ups over 2016S1..2018S2), leaving 2019S1 and 2019S2 free so every write creates a "
        "follow-up. The default plan (8 periods) is loaded separately to time the load.",
        "",
        "## Throughput and latency",
        "",
        "| request | backend | conns | req/s | p50 ms | p99 ms | non-2xx |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    rows = [("health", "`GET /health` (framework ceiling)"),
            ("action", "`GET /actions/{id}`"),
            ("filtered", "`GET /actions?clusterId=3&status=delayed&sort=-plannedEnd` page 2"),
            ("post", "`POST /followUps` (new follow-up each)"),
            ("report", "`GET /reports/progress` whole plan")]
    for key, title in rows:
        for name in ("sqlite", "postgres"):
            r = by.get(name, {}).get(key)
            if r:
                lines.append(f"| {title} | {label[name]} | {r['connections']} | {fmt(r['rps'])} | "
                             f"{fmt(r['p50'], 2)} | {fmt(r['p99'], 2)} | {r['non2xx'] + r['errors']} |")
    lines += ["", "## Against the ceilings and targets", "",
              "| measure | SQLite | PostgreSQL | target | met? |", "| --- | --- | --- | --- | --- |"]

    def both(f):
        return [f(by[n]) if n in by else "–" for n in ("sqlite", "postgres")]

    pg = by.get("postgres", {})
    pk = pg.get("pgbench_pk")
    if pk and pg.get("action"):
        ratio = pg["action"]["rps"] / pk["tps"]
        lines.append(f"| pgbench PK select on `actions` (8 clients) | – | {fmt(pk['tps'])} tx/s, "
                     f"{fmt(pk['latency'], 3)} ms | ceiling | |")
        lines.append(f"| `GET /actions/{{id}}` ÷ pgbench PK select | – | {ratio:.0%} | ≥ 60% | "
                     f"{'yes' if ratio >= 0.6 else '**no**'} |")
    for name in ("sqlite", "postgres"):
        pass
    raw = both(lambda r: f"{fmt(r['raw_report_ms'], 1)} ms")
    lines.append(f"| progress report, its SQL run directly (one client) | {raw[0]} | {raw[1]} | | |")
    ratios = both(lambda r: r["report"]["p50"] / r["raw_report_ms"])
    p50 = both(lambda r: r["report"]["p50"])
    lines.append(f"| progress report p50 via kiv | {fmt(p50[0], 1) if p50[0] != '–' else '–'} ms | "
                 f"{fmt(p50[1], 1) if p50[1] != '–' else '–'} ms | < 100 ms | "
                 f"{'yes' if all(v == '–' or v < 100 for v in p50) else '**no**'} |")
    lines.append(f"| progress report p50 ÷ its SQL | "
                 + " | ".join("–" if v == "–" else f"{v:.1f}×" for v in ratios)
                 + f" | ≤ 1.5× | {'yes' if all(v == '–' or v <= 1.5 for v in ratios) else '**no**'} |")
    writes = both(lambda r: r["post"]["rps"])
    lines.append(f"| follow-up writes/s | {fmt(writes[0]) if writes[0] != '–' else '–'} | "
                 f"{fmt(writes[1]) if writes[1] != '–' else '–'} | ≥ 2,000 on PostgreSQL | "
                 f"{'yes' if writes[1] != '–' and writes[1] >= 2000 else '**no**'} |")
    health = both(lambda r: r["action"]["rps"] / r["health"]["rps"])
    lines.append("| `GET /actions/{id}` ÷ `GET /health` | "
                 + " | ".join("–" if v == "–" else f"{v:.0%}" for v in health) + " | | |")
    rss = both(lambda r: r["rss_peak"])
    lines.append(f"| kiv peak RSS (VmHWM) under load | {fmt(rss[0], 1) if rss[0] != '–' else '–'} MB | "
                 f"{fmt(rss[1], 1) if rss[1] != '–' else '–'} MB | < 150 MB | "
                 f"{'yes' if all(v == '–' or v < 150 for v in rss) else '**no**'} |")
    rss0 = both(lambda r: r["rss_start"])
    lines.append(f"| kiv RSS after start | {fmt(rss0[0], 1) if rss0[0] != '–' else '–'} MB | "
                 f"{fmt(rss0[1], 1) if rss0[1] != '–' else '–'} MB | | |")
    start = both(lambda r: r["startup"])
    lines.append(f"| start-up: `kiv serve` until `/health` answers (median of 3, existing database) | "
                 f"{fmt(start[0], 3) if start[0] != '–' else '–'} s | {fmt(start[1], 3) if start[1] != '–' else '–'} s | "
                 f"< 1 s | {'yes' if all(v == '–' or v < 1 for v in start) else '**no**'} |")
    counted = pg.get("statements")
    if counted:
        lines += ["", "## Statements per request (PostgreSQL, pg_stat_statements)", "",
                  f"Counted on {counted['server']}, after a warm-up of 20 requests per endpoint, over "
                  "sequential requests. *Statements* counts every statement the server ran for the "
                  "requests (transaction control included); *planned* how many of them were planned "
                  "(a statement kept prepared is planned a few times, then runs its generic plan); "
                  "*prepared* and *unnamed*, from the server's statement log, how many ran as a "
                  "statement the connection keeps prepared and how many were parsed for one use.", ""]
        if "error" in counted:
            lines.append(f"Not counted: {counted['error']}.")
        else:
            lines += ["| request | requests | statements / request | planned / request | prepared / request | unnamed / request | the statements (calls) |",
                      "| --- | --- | --- | --- | --- | --- | --- |"]
            titles = dict(rows)
            for key, _, _, _ in COUNTED:
                e = counted.get(key)
                if not e:
                    continue
                shown = "<br>".join(f"{r['calls']}× `{r['query'][:90].replace('|', '/')}`" for r in e["statements"][:4])
                lines.append(f"| {titles.get(key, key)} | {e['requests']} | {e['per_request']:.2f} | "
                             f"{e['plans_per_request']:.2f} | {fmt(e.get('named'), 2)} | {fmt(e.get('unnamed'), 2)} | {shown} |")
    lines += ["", "## Loading the synthetic plan", "",
              "| backend | default plan (8 periods): wall / in the transaction | bench plan (6 periods, with `--demo`) | content (default plan) |",
              "| --- | --- | --- | --- |"]
    for name in ("sqlite", "postgres"):
        r = by.get(name)
        if not r:
            continue
        full = r.get("full_load")
        counts = (full or r["load"])["counts"].split(": ", 1)[-1]
        lines.append(f"| {label[name]} | "
                     + (f"{fmt(full['wall'], 1)} s / {fmt(full['synthetic'], 1)} s" if full else "–")
                     + f" | {fmt(r['load']['wall'], 1)} s | {counts} |")
    if any("import" in r for r in results):
        lines += ["", "## CSV import of follow-ups (`bench/import_followups.py --rows 10000`)", "",
                  "10,000 lines (`actionExternalId,organisationId,period,status,progress,narrativeNl`), one "
                  "follow-up per action, posted once, then the same file again (every line unchanged), on a "
                  "fresh database of its own.", "",
                  "| backend | first import | same file again | 10,000 actions via `PUT /actions/byExternalId` one by one |",
                  "| --- | --- | --- | --- |"]
        for name in ("sqlite", "postgres"):
            imp = by.get(name, {}).get("import")
            if imp:
                lines.append(f"| {label[name]} | {fmt(imp.get('first'), 2)} s ({fmt(imp.get('first_rate'))} rows/s) | "
                             f"{fmt(imp.get('again'), 2)} s | {fmt(imp.get('put_seconds'), 1)} s |")
    soak = pg.get("soak")
    if soak:
        lines += ["", f"## Soak (`bench/soak.py --seconds {soak['seconds']}`, PostgreSQL, after the runs above)", "",
                  f"{soak['concurrency']} clients of mixed reads and writes; kiv's RSS {fmt(soak['rss_start'], 1)} MB at the "
                  f"start, {fmt(soak['rss_end'], 1)} MB at the end (peak {fmt(soak['rss_peak'], 1)} MB).", "",
                  "| endpoint | requests | errors | statuses | p50 ms | p99 ms |", "| --- | --- | --- | --- | --- | --- |"]
        for endpoint, e in soak["endpoints"].items():
            statuses = ", ".join(f"{k}: {v}" for k, v in sorted(e["statuses"].items()))
            lines.append(f"| {endpoint} | {e['requests']} | {e['errors']} | {statuses} | "
                         f"{fmt(e['p50'], 1)} | {fmt(e['p99'], 1)} |")
    lines.append("")
    notes_marker = "<!-- Notes below are written by hand; bench/run.py keeps them. -->"
    path = os.path.join(BENCH, "RESULTS.md")
    notes = ""
    if os.path.exists(path):
        with open(path) as f:
            text = f.read()
        if notes_marker in text:
            notes = text.split(notes_marker, 1)[1]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n" + notes_marker + notes)
    with open(os.path.join(BENCH, "results.json"), "w") as f:
        json.dump({"commit": commit, "results": results}, f, indent=1, default=str)
    log(f"wrote {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", action="store_true", help="cargo build --release first")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-full-load", action="store_true")
    parser.add_argument("--soak-seconds", type=int, default=30, help="0: no soak")
    parser.add_argument("--skip-statements", action="store_true",
                        help="do not count the statements per request (PostgreSQL)")
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if args.build or not os.path.exists(KIV):
        log("cargo build --release")
        subprocess.run(["cargo", "build", "--release", "--locked"], cwd=ROOT, check=True)
    ensure_tools(backends)
    results = []
    with tempfile.TemporaryDirectory(prefix="kiv-bench-") as workdir:
        for name in backends:
            results.append(bench_backend(name, args, workdir))
    write_results(results, args)


if __name__ == "__main__":
    main()
