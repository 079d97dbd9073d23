-- What each partner organisation of an action contributes to the lead's follow-up of a period:
-- its own narrative and indicator values, beside the lead's text and never over it. One per
-- follow-up and partner; written while the follow-up is a draft or returned.

CREATE TABLE follow_up_contributions (
    id TEXT PRIMARY KEY NOT NULL,
    follow_up_id TEXT NOT NULL REFERENCES follow_ups (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    narrative JSONB NOT NULL,
    indicator_values JSONB NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (follow_up_id, organisation_id)
);
