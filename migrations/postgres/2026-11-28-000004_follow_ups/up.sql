-- Follow-ups: what an organisation reports on an action per reporting period, their review
-- history, the approved revisions (immutable, what reports count) and each action's current
-- state (its latest approved follow-up).

CREATE TABLE follow_ups (
    id TEXT PRIMARY KEY NOT NULL,
    action_id TEXT NOT NULL REFERENCES actions (id),
    period TEXT NOT NULL,
    period_start DATE NOT NULL,
    status TEXT NOT NULL,
    progress DOUBLE PRECISION,
    narrative JSONB,
    state TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    created_by TEXT NOT NULL,
    submitted_at TIMESTAMP,
    reviewed_by TEXT,
    reviewed_at TIMESTAMP,
    review_note TEXT,
    revision INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (progress IS NULL OR (progress >= 0 AND progress <= 100)),
    UNIQUE (action_id, period)
);
CREATE INDEX follow_ups_period ON follow_ups (period, state);
CREATE INDEX follow_ups_organisation_id ON follow_ups (organisation_id);

CREATE TABLE follow_up_values (
    follow_up_id TEXT NOT NULL REFERENCES follow_ups (id) ON DELETE CASCADE,
    indicator_id TEXT NOT NULL REFERENCES indicators (id),
    position INTEGER NOT NULL,
    number_value DOUBLE PRECISION,
    text_value TEXT,
    comment JSONB,
    PRIMARY KEY (follow_up_id, indicator_id)
);
CREATE INDEX follow_up_values_indicator_id ON follow_up_values (indicator_id);

CREATE TABLE follow_up_events (
    id TEXT PRIMARY KEY NOT NULL,
    follow_up_id TEXT NOT NULL REFERENCES follow_ups (id),
    revision INTEGER NOT NULL,
    event TEXT NOT NULL,
    account_login TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    note TEXT,
    snapshot JSONB NOT NULL
);
CREATE INDEX follow_up_events_follow_up_id ON follow_up_events (follow_up_id, occurred_at);

CREATE TABLE approved_follow_ups (
    id TEXT PRIMARY KEY NOT NULL,
    follow_up_id TEXT NOT NULL REFERENCES follow_ups (id),
    revision INTEGER NOT NULL,
    action_id TEXT NOT NULL REFERENCES actions (id),
    period TEXT NOT NULL,
    period_start DATE NOT NULL,
    status TEXT NOT NULL,
    progress DOUBLE PRECISION,
    approved_at TIMESTAMP NOT NULL,
    approved_by TEXT NOT NULL,
    UNIQUE (follow_up_id, revision)
);
CREATE INDEX approved_follow_ups_action ON approved_follow_ups (action_id, period_start, approved_at);

CREATE TABLE approved_values (
    approved_id TEXT NOT NULL REFERENCES approved_follow_ups (id),
    indicator_id TEXT NOT NULL REFERENCES indicators (id),
    number_value DOUBLE PRECISION,
    text_value TEXT,
    PRIMARY KEY (approved_id, indicator_id)
);
CREATE INDEX approved_values_indicator_id ON approved_values (indicator_id);

CREATE TABLE action_states (
    action_id TEXT PRIMARY KEY NOT NULL REFERENCES actions (id),
    approved_id TEXT NOT NULL REFERENCES approved_follow_ups (id),
    status TEXT NOT NULL,
    progress DOUBLE PRECISION,
    period TEXT NOT NULL,
    period_start DATE NOT NULL,
    approved_at TIMESTAMP NOT NULL
);
CREATE INDEX action_states_status ON action_states (status);
