-- The plans' content: objectives (strategic -> operational), the actions that carry them out and
-- the indicators that measure them; the audit trail of every change; and the answers kept for
-- retried POSTs (Idempotency-Key).
-- sort_title and search_text are derived on every write: the title's sort key and the lowercased
-- code and titles in every language, so sorting and `q` work alike on both backends.

CREATE TABLE objectives (
    id TEXT PRIMARY KEY NOT NULL,
    plan_id TEXT NOT NULL REFERENCES plans (id),
    cluster_id TEXT REFERENCES clusters (id),
    parent_id TEXT REFERENCES objectives (id),
    code TEXT NOT NULL,
    level TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    sort_title TEXT NOT NULL,
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (plan_id, code)
);
CREATE INDEX objectives_cluster_id ON objectives (cluster_id);
CREATE INDEX objectives_parent_id ON objectives (parent_id);

CREATE TABLE objective_themes (
    objective_id TEXT NOT NULL REFERENCES objectives (id) ON DELETE CASCADE,
    theme_id TEXT NOT NULL REFERENCES themes (id),
    PRIMARY KEY (objective_id, theme_id)
);
CREATE INDEX objective_themes_theme_id ON objective_themes (theme_id);

CREATE TABLE objective_owners (
    objective_id TEXT NOT NULL REFERENCES objectives (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (objective_id, organisation_id)
);
CREATE INDEX objective_owners_organisation_id ON objective_owners (organisation_id);

CREATE TABLE actions (
    id TEXT PRIMARY KEY NOT NULL,
    objective_id TEXT NOT NULL REFERENCES objectives (id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    lead_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    planned_start DATE NOT NULL,
    planned_end DATE NOT NULL,
    weight DOUBLE PRECISION NOT NULL DEFAULT 1,
    external_id TEXT,
    sort_title TEXT NOT NULL,
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (planned_start <= planned_end),
    CHECK (weight > 0),
    UNIQUE (objective_id, code),
    UNIQUE (lead_organisation_id, external_id)
);
CREATE INDEX actions_lead_organisation_id ON actions (lead_organisation_id);
CREATE INDEX actions_planned_end ON actions (planned_end);

CREATE TABLE action_partners (
    action_id TEXT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (action_id, organisation_id)
);
CREATE INDEX action_partners_organisation_id ON action_partners (organisation_id);

CREATE TABLE action_themes (
    action_id TEXT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    theme_id TEXT NOT NULL REFERENCES themes (id),
    PRIMARY KEY (action_id, theme_id)
);
CREATE INDEX action_themes_theme_id ON action_themes (theme_id);

CREATE TABLE indicators (
    id TEXT PRIMARY KEY NOT NULL,
    objective_id TEXT REFERENCES objectives (id),
    action_id TEXT REFERENCES actions (id),
    name TEXT NOT NULL,
    unit TEXT,
    measure TEXT NOT NULL,
    direction TEXT NOT NULL,
    baseline TEXT,
    targets TEXT NOT NULL,
    sort_title TEXT NOT NULL,
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((objective_id IS NULL) <> (action_id IS NULL))
);
CREATE INDEX indicators_objective_id ON indicators (objective_id);
CREATE INDEX indicators_action_id ON indicators (action_id);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    account_login TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, occurred_at);

CREATE TABLE idempotent_requests (
    account_login TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER,
    headers TEXT,
    body BLOB,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_login, idempotency_key)
);
