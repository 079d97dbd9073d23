// An integrator's workflow against a running kiv, through openapi-fetch typed by the types that
// openapi-typescript generated from the served OpenAPI document (generated/kiv.d.ts).
//
//     node dist/workflow.js http://127.0.0.1:8080
//
// Every call goes through the typed client. A step that fails prints its name and why, and the
// steps that need what it should have made are reported as skipped; the run ends with
// `N passed, N failed, N skipped` and exits 1 when any step failed.

import createClient from "openapi-fetch";
import { randomUUID } from "node:crypto";
import type { components, paths } from "./generated/kiv.js";

type Client = ReturnType<typeof createClient<paths>>;
type Schemas = components["schemas"];

const baseUrl = process.argv[2] ?? "http://127.0.0.1:8080";
const PLAN = "kiv-2016-2019";
const PERIOD = "2017S1";
const IMPORT_PERIOD = "2017S2";
// Codes and external ids unique to this run, so that the workflow can run again on one database.
const RUN = randomUUID().slice(0, 8);

interface State {
  reporter?: Client;
  coordinator?: Client;
  organisation?: string;
  objective?: string;
  action?: string;
  externalId?: string;
  indicator?: string;
  followUp?: string;
  draftEtag?: string;
  submittedEtag?: string;
  approved?: boolean;
}
const state: State = {};
const results: { name: string; outcome: "PASS" | "FAIL" | "SKIP"; detail: string }[] = [];

class StepFailed extends Error {}

function client(token?: string): Client {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  return createClient<paths>({ baseUrl, headers });
}

/** Fails the step unless the answer has `status`; says what the server answered. */
function expectStatus(response: Response, status: number, what: string, error: unknown): void {
  if (response.status !== status) {
    throw new StepFailed(
      `${what}: expected HTTP ${status}, got ${response.status}: ${JSON.stringify(error)}`,
    );
  }
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new StepFailed(message);
}

/** The value of `key` of `state`, which an earlier step must have set. */
function need<K extends keyof State>(key: K): NonNullable<State[K]> {
  const value = state[key];
  if (value === undefined || value === null) throw new StepFailed(`needs ${key}`);
  return value as NonNullable<State[K]>;
}

async function step(name: string, needs: (keyof State)[], body: () => Promise<void>): Promise<void> {
  const missing = needs.filter((key) => state[key] === undefined);
  if (missing.length > 0) {
    const detail = `needs ${missing.join(", ")} from an earlier step`;
    results.push({ name, outcome: "SKIP", detail });
    console.log(`SKIP ${name}: ${detail}`);
    return;
  }
  try {
    await body();
    results.push({ name, outcome: "PASS", detail: "" });
    console.log(`PASS ${name}`);
  } catch (error) {
    const detail =
      error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
    results.push({ name, outcome: "FAIL", detail });
    console.log(`FAIL ${name}: ${detail}`);
    if (error instanceof Error && !(error instanceof StepFailed) && error.stack) {
      console.log(`     ${error.stack.split("\n").slice(1, 3).join("\n     ")}`);
    }
  }
}

// -- log in -----------------------------------------------------------------------------------

async function logIn(request: Schemas["TokenRequest"]): Promise<Client> {
  const { data, error, response } = await client().POST("/kiv/v1/auth/token", { body: request });
  expectStatus(response, 200, "POST /auth/token", error);
  check(data !== undefined, "no token in the answer");
  check(data.token_type === "Bearer", `token_type ${data.token_type}`);
  return client(data.access_token);
}

await step("log in with client credentials (demo-federale-politie)", [], async () => {
  state.reporter = await logIn({
    grant_type: "client_credentials",
    client_id: "demo-federale-politie",
    client_secret: "demo",
  });
});

await step("log in with a password (demo-coordinator)", [], async () => {
  state.coordinator = await logIn({
    grant_type: "password",
    username: "demo-coordinator",
    password: "demo",
  });
});

// When a log-in step failed, the rest of the workflow still runs, with a token the harness
// obtained outside the client (KIV_REPORTER_TOKEN, KIV_COORDINATOR_TOKEN), so that one defect
// does not hide the others. The failed log-in still fails the run.
for (const [who, variable] of [
  ["reporter", "KIV_REPORTER_TOKEN"],
  ["coordinator", "KIV_COORDINATOR_TOKEN"],
] as const) {
  const token = process.env[variable];
  if (state[who] === undefined && token) {
    console.log(`NOTE the ${who}'s log-in failed: the next steps use the harness's token (${variable})`);
    state[who] = client(token);
  }
}

await step("read the reporter's organisation (GET /me)", ["reporter"], async () => {
  const { data, error, response } = await need("reporter").GET("/kiv/v1/me");
  expectStatus(response, 200, "GET /me", error);
  check(data !== undefined, "no body");
  state.organisation = data.organisation.id;
});

// -- reference data ---------------------------------------------------------------------------

await step("list the clusters, 3 a page, following the pages", ["coordinator"], async () => {
  const codes: string[] = [];
  let page = 1;
  let total = 0;
  for (;;) {
    const { data, error, response } = await need("coordinator").GET("/kiv/v1/clusters", {
      params: { query: { planId: PLAN, pageSize: 3, page } },
    });
    expectStatus(response, 200, `GET /clusters page ${page}`, error);
    check(data !== undefined, "no body");
    check(data.items.length <= 3, `page ${page} has ${data.items.length} items`);
    codes.push(...data.items.map((cluster) => cluster.code));
    total = data.total;
    if (data.next === undefined || data.next === null) break;
    page += 1;
    check(page <= 10, "more pages than clusters");
  }
  check(codes.length === 10 && total === 10, `${codes.length} clusters on the pages, total ${total}`);
  check(new Set(codes).size === codes.length, `a cluster on two pages: ${codes.join(",")}`);
  check(page === 4, `${page} pages of 3 for 10 clusters`);
});

// -- planning (coordinator) -------------------------------------------------------------------

await step("create an objective", ["coordinator"], async () => {
  const { data, error, response } = await need("coordinator").POST("/kiv/v1/objectives", {
    body: {
      planId: PLAN,
      clusterId: "3",
      code: `ts-${RUN}`,
      level: "strategic",
      title: { nl: "Drugs (TypeScript client)" },
    },
  });
  expectStatus(response, 201, "POST /objectives", error);
  check(data !== undefined, "no body");
  state.objective = data.id;
});

await step(
  "create an action led by the reporter's organisation",
  ["coordinator", "objective", "organisation"],
  async () => {
    const externalId = `TS-${RUN}`;
    const { data, error, response } = await need("coordinator").POST("/kiv/v1/actions", {
      body: {
        objectiveId: need("objective"),
        code: `ts-${RUN}.a`,
        title: { nl: "Drugslabs (TypeScript client)" },
        leadOrganisationId: need("organisation"),
        plannedStart: "2016-01-01",
        plannedEnd: "2018-12-31",
        externalId,
      },
    });
    expectStatus(response, 201, "POST /actions", error);
    check(data !== undefined, "no body");
    check(data.leadOrganisationId === state.organisation, `led by ${data.leadOrganisationId}`);
    state.action = data.id;
    state.externalId = externalId;
  },
);

await step("create an indicator of the action", ["coordinator", "action"], async () => {
  const { data, error, response } = await need("coordinator").POST("/kiv/v1/indicators", {
    body: {
      actionId: need("action"),
      name: { nl: "Opgerolde drugslabs" },
      measure: "number",
      direction: "increase",
    },
  });
  expectStatus(response, 201, "POST /indicators", error);
  check(data !== undefined, "no body");
  state.indicator = data.id;
});

// -- follow-up (reporter, then coordinator) ---------------------------------------------------

await step(
  "create a follow-up with an indicator value (reporter)",
  ["reporter", "action", "indicator"],
  async () => {
    const { data, error, response } = await need("reporter").POST("/kiv/v1/followUps", {
      body: {
        actionId: need("action"),
        period: PERIOD,
        status: "onTrack",
        progress: 40,
        narrative: { nl: "Twee labs opgerold" },
        indicatorValues: [{ indicatorId: need("indicator"), value: 2 }],
      },
    });
    expectStatus(response, 201, "POST /followUps", error);
    check(data !== undefined, "no body");
    check(data.state === "draft", `state ${data.state}`);
    const etag = response.headers.get("ETag");
    check(etag !== null, "the 201 of POST /followUps has no ETag");
    state.followUp = data.id;
    state.draftEtag = etag;
  },
);

await step("submit the follow-up with If-Match (reporter)", ["reporter", "followUp", "draftEtag"], async () => {
  const { data, error, response } = await need("reporter").POST(
    "/kiv/v1/followUps/{followUpId}/submit",
    { params: { path: { followUpId: need("followUp") }, header: { "If-Match": need("draftEtag") } } },
  );
  expectStatus(response, 200, "POST /followUps/{id}/submit", error);
  check(data !== undefined, "no body");
  check(data.state === "submitted", `state ${data.state}`);
  const etag = response.headers.get("ETag");
  check(etag !== null, "the 200 of the submit has no ETag");
  state.submittedEtag = etag;
});

await step(
  "approve it with If-Match from the submit's answer (coordinator)",
  ["coordinator", "followUp", "submittedEtag"],
  async () => {
    const { data, error, response } = await need("coordinator").POST(
      "/kiv/v1/followUps/{followUpId}/approve",
      {
        params: {
          path: { followUpId: need("followUp") },
          header: { "If-Match": need("submittedEtag") },
        },
        body: { reviewNote: "Akkoord" },
      },
    );
    expectStatus(response, 200, "POST /followUps/{id}/approve", error);
    check(data !== undefined, "no body");
    check(data.state === "approved", `state ${data.state}`);
    state.approved = true;
  },
);

// -- reports ----------------------------------------------------------------------------------

await step("read the progress report's totals through the models (JSON)", ["coordinator"], async () => {
  const { data, error, response } = await need("coordinator").GET("/kiv/v1/reports/progress", {
    params: { query: { planId: PLAN, period: PERIOD, clusterId: "3" } },
  });
  expectStatus(response, 200, "GET /reports/progress", error);
  check(data !== undefined, "no body");
  check(data.period === PERIOD, `period ${data.period}`);
  const totals = data.totals;
  check(totals.actions >= 1, `totals.actions = ${totals.actions}`);
  let counted = 0;
  const counts = Object.entries(totals.byStatus).map(([status, count]) => {
    counted += count;
    return `${status} ${count.toFixed(0)}`;
  });
  check(counted === totals.actions, `totals.byStatus ${counts.join(", ")} for ${totals.actions} actions`);
  const onTrack = totals.byStatus["onTrack"];
  check(onTrack !== undefined && onTrack >= 1, `totals.byStatus: ${counts.join(", ")}`);
});

await step(
  "find the approved follow-up in the report's figures",
  ["coordinator", "objective", "approved"],
  async () => {
    const { data, error, response } = await need("coordinator").GET("/kiv/v1/reports/progress", {
      params: { query: { planId: PLAN, period: PERIOD, clusterId: "3" } },
    });
    expectStatus(response, 200, "GET /reports/progress", error);
    check(data !== undefined, "no body");
    const ours = data.clusters
      .flatMap((cluster) => cluster.objectives)
      .filter((objective) => objective.objectiveId === state.objective);
    check(ours.length === 1, "the new objective is not in the report");
    const objective = ours[0]!;
    check(objective.actions === 1, `the objective's actions = ${objective.actions}`);
    check(objective.progress === 40, `the objective's progress = ${objective.progress}`);
    const onTrack: number | undefined = objective.byStatus["onTrack"];
    check(onTrack === 1, `the objective's byStatus = ${JSON.stringify(objective.byStatus)}`);
  },
);

await step("download the progress report as CSV", ["coordinator"], async () => {
  const { data, error, response } = await need("coordinator").GET("/kiv/v1/reports/progress.csv", {
    params: { query: { planId: PLAN, period: PERIOD } },
    parseAs: "text",
  });
  expectStatus(response, 200, "GET /reports/progress.csv", error);
  check(data !== undefined, "no body");
  const header = data.split("\n")[0] ?? "";
  check(header.startsWith("level,clusterId,objectiveId,code,name,actions,"), `header ${header}`);
});

await step("download the progress report as xlsx", ["coordinator"], async () => {
  const { data, error, response } = await need("coordinator").GET("/kiv/v1/reports/progress.xlsx", {
    params: { query: { planId: PLAN, period: PERIOD } },
    parseAs: "arrayBuffer",
  });
  expectStatus(response, 200, "GET /reports/progress.xlsx", error);
  check(data !== undefined, "no body");
  const signature = new TextDecoder().decode(new Uint8Array(data).slice(0, 2));
  check(signature === "PK", `not a zip file: ${JSON.stringify(signature)}`);
});

// -- CSV import (reporter) --------------------------------------------------------------------

await step("import follow-ups from a CSV file (reporter)", ["reporter", "organisation", "externalId"], async () => {
  const csv =
    "actionExternalId,organisationId,period,status,progress,narrativeNl\n" +
    `${need("externalId")},${need("organisation")},${IMPORT_PERIOD},delayed,45,Vertraagd\n`;
  const { data, error, response } = await need("reporter").POST("/kiv/v1/imports/followUps", {
    params: { query: { mode: "atomic" } },
    body: csv,
    bodySerializer: (body) => body,
    headers: { "Content-Type": "text/csv" },
  });
  expectStatus(response, 200, "POST /imports/followUps", error);
  check(data !== undefined, "no body");
  check(data.created === 1 && data.refused === 0, `created ${data.created}, refused ${data.refused}`);
});

const count = (outcome: string) => results.filter((r) => r.outcome === outcome).length;
console.log(`typescript: ${count("PASS")} passed, ${count("FAIL")} failed, ${count("SKIP")} skipped`);
process.exit(count("FAIL") + count("SKIP") > 0 ? 1 : 0);
