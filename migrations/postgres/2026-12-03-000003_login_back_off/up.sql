-- Failed log-ins slow further attempts down (back-off) instead of blocking a key outright, and
-- are counted per account at one address as well as per address and per account. The counters
-- are transient: the old ones are dropped rather than converted.
DROP TABLE login_failures;

CREATE TABLE login_attempts (
    -- `pair:`, `address:` or `account:` and a digest of what is counted.
    throttle_key TEXT PRIMARY KEY NOT NULL,
    -- Failures in a row, as of last_failure_at.
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMP,
    -- No attempt is evaluated before this time.
    wait_until TIMESTAMP,
    -- The last successful log-in (pair keys only): the address is known for a while.
    last_success_at TIMESTAMP,
    -- When the row says nothing any more and may be deleted.
    expires_at TIMESTAMP NOT NULL
);

CREATE INDEX login_attempts_expires_at ON login_attempts (expires_at);
