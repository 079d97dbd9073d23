-- Rights are withdrawn within seconds: every change that withdraws or alters an account's rights
-- raises its access version, and a token issued under an older one is refused. Report links are
-- kept, so that they can be listed and revoked and die with the account that made them.

ALTER TABLE accounts ADD COLUMN access_version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE report_links (
    id TEXT PRIMARY KEY NOT NULL,
    report TEXT NOT NULL,
    parameters TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES accounts (login),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_by TEXT
);
CREATE INDEX report_links_created_by ON report_links (created_by, created_at);
