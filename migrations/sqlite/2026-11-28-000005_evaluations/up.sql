-- The coordinating FODs' judgement: cluster follow-ups per plan, cluster and period (with the
-- figures frozen at publication), evaluations with their scores, evidence and recommendations,
-- the published revisions reports count, and the history of both.

CREATE TABLE cluster_follow_ups (
    id TEXT PRIMARY KEY NOT NULL,
    plan_id TEXT NOT NULL REFERENCES plans (id),
    cluster_id TEXT NOT NULL REFERENCES clusters (id),
    period TEXT NOT NULL,
    period_start DATE NOT NULL,
    assessment TEXT NOT NULL,
    narrative TEXT,
    highlights TEXT,
    obstacles TEXT,
    next_steps TEXT,
    organisation_ids TEXT NOT NULL,
    state TEXT NOT NULL,
    figures TEXT,
    published_revision INTEGER,
    published_at TIMESTAMP,
    published_by TEXT,
    revision INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (plan_id, cluster_id, period)
);

CREATE TABLE evaluations (
    id TEXT PRIMARY KEY NOT NULL,
    plan_id TEXT NOT NULL REFERENCES plans (id),
    cluster_id TEXT REFERENCES clusters (id),
    theme_id TEXT REFERENCES themes (id),
    -- `cluster:<id>` or `theme:<id>`: one evaluation per subject, round and period.
    subject TEXT NOT NULL,
    round TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    evaluating_organisation_ids TEXT NOT NULL,
    scores TEXT NOT NULL,
    overall_rating TEXT,
    findings TEXT,
    evidence TEXT NOT NULL,
    state TEXT NOT NULL,
    published_revision INTEGER,
    published_at TIMESTAMP,
    published_by TEXT,
    revision INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((cluster_id IS NULL) <> (theme_id IS NULL)),
    UNIQUE (plan_id, subject, round, period_from, period_to)
);

CREATE TABLE recommendations (
    id TEXT PRIMARY KEY NOT NULL,
    evaluation_id TEXT NOT NULL REFERENCES evaluations (id),
    text TEXT NOT NULL,
    organisation_ids TEXT NOT NULL,
    priority TEXT NOT NULL,
    due_date DATE,
    status TEXT NOT NULL,
    status_note TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX recommendations_evaluation_id ON recommendations (evaluation_id, created_at);

-- Every step of a cluster follow-up or an evaluation (created, updated, published, revised),
-- with the record as it was after it: the history, and the published text readers get while a
-- new revision is being written.
CREATE TABLE publication_events (
    id TEXT PRIMARY KEY NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    event TEXT NOT NULL,
    account_login TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    note TEXT,
    snapshot TEXT NOT NULL
);
CREATE INDEX publication_events_entity ON publication_events (entity_type, entity_id, occurred_at);

-- What the progress report shows as of a moment: each published revision's assessment or rating.
CREATE TABLE published_assessments (
    id TEXT PRIMARY KEY NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    plan_id TEXT NOT NULL REFERENCES plans (id),
    cluster_id TEXT,
    theme_id TEXT,
    -- The period judged (for an evaluation, the last one it covers).
    period TEXT NOT NULL,
    period_start DATE NOT NULL,
    -- `onTrack`/`attention`/`offTrack` for a cluster follow-up; the overall rating for an
    -- evaluation, with its round.
    judgement TEXT NOT NULL,
    round TEXT,
    published_at TIMESTAMP NOT NULL,
    UNIQUE (entity_id, revision)
);
CREATE INDEX published_assessments_plan ON published_assessments (plan_id, entity_type, published_at);
