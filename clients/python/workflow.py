"""An integrator's workflow against a running kiv, through the client that openapi-python-client
generated from the served OpenAPI document (the package `kiv_client`).

    python workflow.py http://127.0.0.1:8080

Every step uses generated functions and models only. A step that fails prints its name and why,
and the steps that need what it should have made are reported as skipped; the run ends with
`N passed, N failed, N skipped` and exits 1 when any step failed.
"""

from __future__ import annotations

import datetime
import importlib
import sys
import traceback
import uuid
from typing import Any, Callable

BASE_URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
PLAN = "kiv-2016-2019"
PERIOD = "2017S1"
IMPORT_PERIOD = "2017S2"
# Codes and external ids unique to this run, so that the workflow can run again on one database.
RUN = uuid.uuid4().hex[:8]

results: list[tuple[str, str, str]] = []
state: dict[str, Any] = {}


class StepFailed(Exception):
    pass


def op(module: str) -> Any:
    """A generated operation module, imported when the step needs it, so that a module the
    generator wrote wrongly fails its own step rather than the whole run."""
    return importlib.import_module(f"kiv_client.api.{module}")


def expect(response: Any, status: int, what: str) -> Any:
    """The parsed answer of a `*_detailed` call, which must have `status`."""
    if int(response.status_code) != status:
        body = response.content[:500].decode("utf-8", "replace")
        raise StepFailed(f"{what}: expected HTTP {status}, got {int(response.status_code)}: {body}")
    return response.parsed


def step(name: str, needs: tuple[str, ...] = ()) -> Callable[[Callable[[], None]], None]:
    def run(body: Callable[[], None]) -> None:
        missing = [n for n in needs if n not in state]
        if missing:
            results.append((name, "SKIP", f"needs {', '.join(missing)} from an earlier step"))
            print(f"SKIP {name}: needs {', '.join(missing)} from an earlier step", flush=True)
            return
        try:
            body()
        except Exception as error:  # every failure is reported, with its kind and message
            detail = f"{type(error).__name__}: {error}"
            results.append((name, "FAIL", detail))
            print(f"FAIL {name}: {detail}", flush=True)
            # Where it broke: in the generated client when it did, else the last frame.
            frames = traceback.extract_tb(error.__traceback__)
            generated = [f for f in frames if "kiv_client" in f.filename]
            where = (generated or frames)[-1]
            print(f"     at {where.filename}:{where.lineno}: {where.line}", flush=True)
            return
        results.append((name, "PASS", ""))
        print(f"PASS {name}", flush=True)

    return run


def client() -> Any:
    from kiv_client import Client

    return Client(base_url=BASE_URL, raise_on_unexpected_status=True)


def authenticated(token: str) -> Any:
    from kiv_client import AuthenticatedClient

    return AuthenticatedClient(base_url=BASE_URL, token=token, raise_on_unexpected_status=True)


# -- log in --------------------------------------------------------------------------------------


@step("log in with client credentials (demo-federale-politie)")
def _() -> None:
    from kiv_client.models import TokenRequest

    token = op("authentication.issue_token")
    answer = token.sync_detailed(
        client=client(),
        body=TokenRequest(
            grant_type="client_credentials",
            client_id="demo-federale-politie",
            client_secret="demo",
        ),
    )
    parsed = expect(answer, 200, "POST /auth/token")
    assert parsed.token_type == "Bearer", parsed.token_type
    state["reporter"] = authenticated(parsed.access_token)


@step("log in with a password (demo-coordinator)")
def _() -> None:
    from kiv_client.models import TokenRequest

    token = op("authentication.issue_token")
    answer = token.sync_detailed(
        client=client(),
        body=TokenRequest(grant_type="password", username="demo-coordinator", password="demo"),
    )
    parsed = expect(answer, 200, "POST /auth/token")
    state["coordinator"] = authenticated(parsed.access_token)


def fall_back_on_harness_tokens() -> None:
    """When a log-in step failed, the rest of the workflow still runs, with a token the harness
    obtained outside the client (KIV_REPORTER_TOKEN, KIV_COORDINATOR_TOKEN), so that one defect
    does not hide the others. The failed log-in still fails the run."""
    import os

    for who, variable in (("reporter", "KIV_REPORTER_TOKEN"), ("coordinator", "KIV_COORDINATOR_TOKEN")):
        if who not in state and os.environ.get(variable):
            print(f"NOTE the {who}'s log-in failed: the next steps use the harness's token ({variable})", flush=True)
            state[who] = authenticated(os.environ[variable])


fall_back_on_harness_tokens()


@step("read the reporter's organisation (GET /me)", needs=("reporter",))
def _() -> None:
    me = op("accounts.get_own_account")
    parsed = expect(me.sync_detailed(client=state["reporter"]), 200, "GET /me")
    state["organisation"] = parsed.organisation.id


# -- reference data ------------------------------------------------------------------------------


@step("list the clusters, 3 a page, following the pages", needs=("coordinator",))
def _() -> None:
    from kiv_client.types import Unset

    list_clusters = op("reference_data.list_clusters")
    codes: list[str] = []
    page = 1
    while True:
        answer = list_clusters.sync_detailed(
            client=state["coordinator"], plan_id=PLAN, page_size=3, page=page
        )
        parsed = expect(answer, 200, f"GET /clusters page {page}")
        assert len(parsed.items) <= 3, f"page {page} has {len(parsed.items)} items"
        codes += [cluster.code for cluster in parsed.items]
        if isinstance(parsed.next_, Unset) or parsed.next_ is None:
            break
        page += 1
        assert page <= 10, "more pages than clusters"
    assert len(codes) == parsed.total == 10, f"{len(codes)} clusters on the pages, total {parsed.total}"
    assert len(set(codes)) == len(codes), f"a cluster on two pages: {codes}"
    assert page == 4, f"{page} pages of 3 for 10 clusters"


# -- planning (coordinator) ----------------------------------------------------------------------


@step("create an objective", needs=("coordinator",))
def _() -> None:
    from kiv_client.models import LocalizedText, NewObjective, ObjectiveLevel

    create = op("planning.create_objective")
    answer = create.sync_detailed(
        client=state["coordinator"],
        body=NewObjective(
            plan_id=PLAN,
            cluster_id="3",
            code=f"py-{RUN}",
            level=ObjectiveLevel.STRATEGIC,
            title=LocalizedText(nl="Drugs (Python client)"),
        ),
    )
    state["objective"] = expect(answer, 201, "POST /objectives").id


@step("create an action led by the reporter's organisation", needs=("coordinator", "objective", "organisation"))
def _() -> None:
    from kiv_client.models import LocalizedText, NewAction

    create = op("planning.create_action")
    answer = create.sync_detailed(
        client=state["coordinator"],
        body=NewAction(
            objective_id=state["objective"],
            code=f"py-{RUN}.a",
            title=LocalizedText(nl="Drugslabs (Python client)"),
            lead_organisation_id=state["organisation"],
            planned_start=datetime.date(2016, 1, 1),
            planned_end=datetime.date(2018, 12, 31),
            external_id=f"PY-{RUN}",
        ),
    )
    parsed = expect(answer, 201, "POST /actions")
    assert parsed.lead_organisation_id == state["organisation"], parsed.lead_organisation_id
    state["action"] = parsed.id
    state["external_id"] = f"PY-{RUN}"


@step("create an indicator of the action", needs=("coordinator", "action"))
def _() -> None:
    from kiv_client.models import IndicatorDirection, IndicatorMeasure, LocalizedText, NewIndicator

    create = op("planning.create_indicator")
    answer = create.sync_detailed(
        client=state["coordinator"],
        body=NewIndicator(
            action_id=state["action"],
            name=LocalizedText(nl="Opgerolde drugslabs"),
            measure=IndicatorMeasure.NUMBER,
            direction=IndicatorDirection.INCREASE,
        ),
    )
    state["indicator"] = expect(answer, 201, "POST /indicators").id


# -- follow-up (reporter, then coordinator) ------------------------------------------------------


@step("create a follow-up with an indicator value (reporter)", needs=("reporter", "action", "indicator"))
def _() -> None:
    from kiv_client.models import FollowUpStatus, LocalizedText, NewFollowUp, ReportedValue

    create = op("follow_up.create_follow_up")
    answer = create.sync_detailed(
        client=state["reporter"],
        body=NewFollowUp(
            action_id=state["action"],
            period=PERIOD,
            status=FollowUpStatus.ONTRACK,
            progress=40.0,
            narrative=LocalizedText(nl="Twee labs opgerold"),
            indicator_values=[ReportedValue(indicator_id=state["indicator"], value=2.0)],
        ),
    )
    parsed = expect(answer, 201, "POST /followUps")
    assert str(parsed.state) == "draft", parsed.state
    etag = answer.headers.get("ETag")
    assert etag, "the 201 of POST /followUps has no ETag"
    state["follow_up"] = parsed.id
    state["draft_etag"] = etag


@step("submit the follow-up with If-Match (reporter)", needs=("reporter", "follow_up", "draft_etag"))
def _() -> None:
    submit = op("follow_up.submit_follow_up")
    answer = submit.sync_detailed(
        state["follow_up"], client=state["reporter"], if_match=state["draft_etag"]
    )
    parsed = expect(answer, 200, "POST /followUps/{id}/submit")
    assert str(parsed.state) == "submitted", parsed.state
    etag = answer.headers.get("ETag")
    assert etag, "the 200 of the submit has no ETag"
    state["submitted_etag"] = etag


@step("approve it with If-Match from the submit's answer (coordinator)", needs=("coordinator", "follow_up", "submitted_etag"))
def _() -> None:
    from kiv_client.models import Review

    approve = op("follow_up.approve_follow_up")
    answer = approve.sync_detailed(
        state["follow_up"],
        client=state["coordinator"],
        if_match=state["submitted_etag"],
        body=Review(review_note="Akkoord"),
    )
    parsed = expect(answer, 200, "POST /followUps/{id}/approve")
    assert str(parsed.state) == "approved", parsed.state
    state["approved"] = True


# -- reports -------------------------------------------------------------------------------------


def progress_report(operation: str = "progress_report", **query: Any) -> Any:
    report = op(f"reports.{operation}")
    answer = report.sync_detailed(client=state["coordinator"], plan_id=PLAN, period=PERIOD, **query)
    return answer


@step("read the progress report's totals through the models (JSON)", needs=("coordinator",))
def _() -> None:
    parsed = expect(progress_report(cluster_id="3"), 200, "GET /reports/progress")
    assert parsed.period == PERIOD, parsed.period
    totals = parsed.totals
    assert totals.actions >= 1, f"totals.actions = {totals.actions}"
    counts = totals.by_status.to_dict()
    assert sum(counts.values()) == totals.actions, f"totals.byStatus {counts} for {totals.actions} actions"
    assert counts.get("onTrack", 0) >= 1, f"totals.byStatus = {counts}"


@step("find the approved follow-up in the report's figures", needs=("coordinator", "objective", "approved"))
def _() -> None:
    parsed = expect(progress_report(cluster_id="3"), 200, "GET /reports/progress")
    ours = [o for c in parsed.clusters for o in c.objectives if o.objective_id == state["objective"]]
    assert len(ours) == 1, "the new objective is not in the report"
    assert ours[0].actions == 1, f"the objective's actions = {ours[0].actions}"
    assert ours[0].progress == 40.0, f"the objective's progress = {ours[0].progress}"
    assert ours[0].by_status.on_track == 1, f"the objective's byStatus = {ours[0].by_status}"


@step("download the progress report as CSV", needs=("coordinator",))
def _() -> None:
    answer = progress_report("progress_report_csv")
    csv = expect(answer, 200, "GET /reports/progress.csv").payload.read().decode("utf-8")
    header = csv.splitlines()[0]
    assert header.startswith("level,clusterId,objectiveId,code,name,actions,"), header


@step("download the progress report as xlsx", needs=("coordinator",))
def _() -> None:
    answer = progress_report("progress_report_xlsx")
    workbook = expect(answer, 200, "GET /reports/progress.xlsx").payload.read()
    assert workbook[:2] == b"PK", f"not a zip file: {workbook[:8]!r}"


# -- CSV import (reporter) -----------------------------------------------------------------------


@step("import follow-ups from a CSV file (reporter)", needs=("reporter", "organisation", "external_id"))
def _() -> None:
    csv = (
        "actionExternalId,organisationId,period,status,progress,narrativeNl\n"
        f"{state['external_id']},{state['organisation']},{IMPORT_PERIOD},delayed,45,Vertraagd\n"
    )
    from io import BytesIO

    from kiv_client.models import CsvUpload, ImportFollowUpsMode
    from kiv_client.types import File

    import_follow_ups = op("follow_up.import_follow_ups")
    upload = CsvUpload(file=File(payload=BytesIO(csv.encode("utf-8")), file_name="followUps.csv", mime_type="text/csv"))
    answer = import_follow_ups.sync_detailed(client=state["reporter"], body=upload, mode=ImportFollowUpsMode.ATOMIC)
    parsed = expect(answer, 200, "POST /imports/followUps")
    assert (parsed.created, parsed.refused) == (1, 0), f"created {parsed.created}, refused {parsed.refused}"


passed = sum(1 for r in results if r[1] == "PASS")
failed = sum(1 for r in results if r[1] == "FAIL")
skipped = sum(1 for r in results if r[1] == "SKIP")
print(f"python: {passed} passed, {failed} failed, {skipped} skipped", flush=True)
sys.exit(1 if failed or skipped else 0)
