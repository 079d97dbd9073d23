-- Accounts of people and agency systems, the throttling of failed logins, and secrets the server
-- generates for itself (the token signing secret when none is configured).

CREATE TABLE accounts (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('person', 'client')),
    login TEXT NOT NULL UNIQUE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    roles JSONB NOT NULL,
    secret_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    secret_changed_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX accounts_organisation_id ON accounts (organisation_id);

CREATE TABLE login_failures (
    throttle_key TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    window_started_at TIMESTAMP NOT NULL,
    blocked_until TIMESTAMP
);

CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
