-- Reference data: plans, clusters, themes, organisations.
-- Localized texts and lists are JSON, stored as JSONB here and as TEXT on SQLite.
-- Every table carries `version` (the entity tag, bumped on each change) and UTC timestamps.

CREATE TABLE plans (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    title JSONB NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    reporting_frequency TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (period_start <= period_end)
);

CREATE TABLE clusters (
    id TEXT PRIMARY KEY NOT NULL,
    number INTEGER NOT NULL UNIQUE,
    code TEXT NOT NULL UNIQUE,
    name JSONB NOT NULL,
    sub_phenomena JSONB NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE themes (
    id TEXT PRIMARY KEY NOT NULL,
    position INTEGER NOT NULL,
    name JSONB NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE plan_clusters (
    plan_id TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    cluster_id TEXT NOT NULL REFERENCES clusters (id),
    PRIMARY KEY (plan_id, cluster_id)
);
CREATE INDEX plan_clusters_cluster_id ON plan_clusters (cluster_id);

CREATE TABLE plan_themes (
    plan_id TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    theme_id TEXT NOT NULL REFERENCES themes (id),
    PRIMARY KEY (plan_id, theme_id)
);
CREATE INDEX plan_themes_theme_id ON plan_themes (theme_id);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    name JSONB NOT NULL,
    kind TEXT NOT NULL,
    coordinator BOOLEAN NOT NULL DEFAULT FALSE,
    parent_id TEXT REFERENCES organisations (id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX organisations_parent_id ON organisations (parent_id);
