#!/usr/bin/env python3
"""EXPLAIN ANALYZE of the action list's statements, as kiv runs them, on the bench data.

For each kiv binary given (typically the one before a change and the one after), on a private
PostgreSQL server of its own (bench/run.py's, which logs every statement with its parameters):
loads the bench plan (`kiv seed --demo --synthetic --periods 6`), starts kiv, asks each variant
of `GET /actions` once, takes the statements kiv ran for it from the server's log, and runs each
again as a prepared statement with the same parameters: five executions (after which PostgreSQL
may switch a prepared statement to its generic plan, as it does on kiv's connections), then
`EXPLAIN (ANALYZE, BUFFERS)` of the sixth. Writes bench/actions-list.md.

    python3 bench/explain_actions.py --binary before=/path/to/old/kiv --binary after=target/release/kiv
"""

import argparse
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as bench  # noqa: E402

PLAN = bench.PLAN


def variants(server, db):
    """The list requests to explain: each filter alone, the bench's combination, the sorts."""
    one = lambda sql: server.psql(db, sql).strip()  # noqa: E731
    organisation = one("SELECT lead_organisation_id FROM actions WHERE code LIKE 'SYN-%' "
                       "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
    theme = one("SELECT theme_id FROM action_themes GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
    objective = one("SELECT objective_id FROM actions WHERE code LIKE 'SYN-%' "
                    "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
    return [
        ("the bench's page: plan, cluster, status, latest planned end first, page 2",
         f"/actions?planId={PLAN}&clusterId=3&status=delayed&sort=-plannedEnd&pageSize=20&page=2"),
        ("plan only, default order (objective, code)", f"/actions?planId={PLAN}"),
        ("cluster, sorted by planned start", "/actions?clusterId=3&sort=plannedStart"),
        ("status only (delayed), by planned end", "/actions?status=delayed&sort=plannedEnd"),
        ("not reported (no approved follow-up)", "/actions?status=notReported"),
        ("organisation (lead or partner), by code", f"/actions?organisationId={organisation}&sort=code"),
        ("theme", f"/actions?themeId={theme}"),
        ("objective", f"/actions?objectiveId={objective}"),
        ("planned end before a day, by planned end", "/actions?plannedEndBefore=2018-01-01&sort=plannedEnd"),
        ("text search", "/actions?q=federale"),
        ("no filter, by title, page 5", "/actions?sort=title&page=5"),
    ]


def captured(log_path, offset):
    """(statement, parameters) of each execution logged after `offset`."""
    found = []
    with open(log_path, errors="replace") as log_file:
        log_file.seek(offset)
        lines = log_file.read().splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"LOG:  execute [^:]+: (.*)", line)
        if not m:
            continue
        params = ""
        if i + 1 < len(lines) and lines[i + 1].startswith("DETAIL:  parameters: "):
            params = lines[i + 1][len("DETAIL:  parameters: "):]
        found.append((m.group(1), params))
    return found


def arguments(params):
    """`$1 = 'a', $2 = NULL` → `'a', NULL`, in order."""
    values = re.findall(r"\$\d+ = ('(?:[^']|'')*'|NULL)", params)
    return ", ".join(values)


def explain(server, db, sql, params):
    args = arguments(params)
    execute = f"EXECUTE q({args})" if args else "EXECUTE q"
    script = (f"SET jit = off; PREPARE q AS {sql};\n" + f"{execute};\n" * 5
              + f"EXPLAIN (ANALYZE, BUFFERS) {execute};\n")
    out = bench.run(["psql", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", "-d", db,
                     "-v", "ON_ERROR_STOP=1", "-qAt", "-c", script]).stdout
    # Only the plan: the last statement's output, after the five executions' rows.
    plan = out.split("\n")
    start = next((i for i, l in enumerate(plan) if re.match(r"^(Limit|WindowAgg|Sort|Nested|Hash|Index|Seq|Result|Incremental|Subquery|Aggregate|Gather)", l)), 0)
    return "\n".join(plan[start:]).strip()


def measure(label, binary, server):
    db = f"kiv_explain_{label}"
    server.psql("postgres", f"DROP DATABASE IF EXISTS {db}")
    server.psql("postgres", f"CREATE DATABASE {db}")
    url = server.url(db)
    bench.KIV = binary
    bench.log(f"{label}: loading the bench plan")
    bench.seed(url, "--demo", "--synthetic", "--periods", str(bench.LOADED_PERIODS))
    server.psql(db, "VACUUM ANALYZE")
    port = bench.free_port()
    kiv, _ = bench.start_kiv(url, port)
    results = []
    try:
        base = f"http://127.0.0.1:{port}/kiv/v1"
        status, body = bench.http(base, "POST", "/auth/token", form={
            "grant_type": "password", "username": "demo-coordinator", "password": "demo"})
        assert status == 200, body
        token = json.loads(body)["access_token"]
        for title, path in variants(server, db):
            time.sleep(0.2)
            offset = os.path.getsize(server.log)
            status, body = bench.http(base, "GET", path, token)
            assert status == 200, (path, status, body[:300])
            total = json.loads(body)["total"]
            time.sleep(0.3)
            statements = [(sql, params) for sql, params in captured(server.log, offset)
                          if "FROM" in sql and '"actions"' in sql
                          and "action_partners" not in sql.split("FROM", 1)[1][:40]]
            plans = [(sql, params, explain(server, db, sql, params)) for sql, params in statements]
            results.append({"title": title, "path": path, "total": total, "plans": plans})
            bench.log(f"{label}: {path}: total {total}, {len(plans)} statement(s)")
    finally:
        bench.stop(kiv)
        server.psql("postgres", f"DROP DATABASE IF EXISTS {db}")
    return results


def execution_ms(plan):
    m = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return float(m.group(1)) if m else None


def write(measured, path):
    labels = list(measured)
    lines = [
        "# The action list's statements, explained",
        "",
        "`python3 bench/explain_actions.py` "
        + " ".join(f"(`{label}`)" for label in labels)
        + f", {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: each variant of `GET /actions` "
        "asked once on the bench plan (`kiv seed --demo --synthetic --periods 6`: 10,420 actions) "
        "on a private PostgreSQL 15 server; each statement kiv ran for the list (not the one that "
        "reads the page's partners and themes) taken from the server's log and explained as a "
        "prepared statement with the same parameters, after five executions (the plan kiv's "
        "connections use once a statement is kept prepared). Timings are from a shared 2-core "
        "machine; the plans and the buffers read are what to compare.",
        "",
        "| variant | total | " + " | ".join(f"{l}: statements, execution ms" for l in labels) + " |",
        "| --- | --- | " + " | ".join("---" for _ in labels) + " |",
    ]
    first = measured[labels[0]]
    for i, variant in enumerate(first):
        cells = []
        for label in labels:
            v = measured[label][i]
            times = [execution_ms(p) for _, _, p in v["plans"]]
            cells.append(f"{len(v['plans'])}, " + " + ".join(f"{t:.2f}" for t in times if t is not None))
        totals = {measured[l][i]["total"] for l in labels}
        lines.append(f"| {variant['title']} (`{variant['path']}`) | "
                     + ("/".join(str(t) for t in sorted(totals)) + ("" if len(totals) == 1 else " **differ**"))
                     + " | " + " | ".join(cells) + " |")
    for i, variant in enumerate(first):
        lines += ["", f"## {variant['title']}", "", f"`GET /kiv/v1{variant['path']}`", ""]
        for label in labels:
            v = measured[label][i]
            lines += [f"### {label} (total {v['total']})", ""]
            for sql, params, plan in v["plans"]:
                lines += ["```sql", sql, "-- " + (params or "no parameters"), "```", "", "```", plan, "```", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines).rstrip() + "\n")
    bench.log(f"wrote {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", action="append", required=True, help="label=path of a kiv binary")
    parser.add_argument("--out", default=os.path.join(bench.BENCH, "actions-list.md"))
    args = parser.parse_args()
    server = bench.PrivatePostgres()
    server.start()
    measured = {}
    try:
        for spec in args.binary:
            label, _, binary = spec.partition("=")
            measured[label] = measure(label, os.path.abspath(binary), server)
    finally:
        server.stop()
    write(measured, args.out)


if __name__ == "__main__":
    main()
