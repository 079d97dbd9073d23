-- The recommendations of each evaluation as its latest revision was published: what everybody
-- who does not read drafts (everybody but the coordinators) is shown, while the coordinators
-- add, change and delete recommendations in the next revision's draft (`recommendations`).
-- Publishing a revision replaces its evaluation's rows here with the draft's. `status` and
-- `statusNote` (what became of a recommendation) are kept on both, as one value across
-- revisions; `version` here counts the changes readers have seen.

CREATE TABLE published_recommendations (
    id TEXT PRIMARY KEY NOT NULL,
    evaluation_id TEXT NOT NULL REFERENCES evaluations (id),
    revision INTEGER NOT NULL,
    text JSONB NOT NULL,
    organisation_ids JSONB NOT NULL,
    priority TEXT NOT NULL,
    due_date DATE,
    status TEXT NOT NULL,
    status_note JSONB,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX published_recommendations_evaluation_id
    ON published_recommendations (evaluation_id, created_at);
CREATE INDEX published_recommendations_due_date ON published_recommendations (due_date);

CREATE TABLE published_recommendation_organisations (
    recommendation_id TEXT NOT NULL REFERENCES published_recommendations (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (recommendation_id, organisation_id)
);
CREATE INDEX published_recommendation_organisations_organisation_id
    ON published_recommendation_organisations (organisation_id);

-- The recommendations of evaluations published so far, as they are now; of an evaluation whose
-- next revision is being written, those created up to its latest publication (changes made in
-- that draft before this migration cannot be told apart from the published text).
INSERT INTO published_recommendations (id, evaluation_id, revision, text, organisation_ids,
    priority, due_date, status, status_note, version, created_by, created_at, updated_at)
SELECT r.id, r.evaluation_id, e.published_revision, r.text, r.organisation_ids, r.priority,
    r.due_date, r.status, r.status_note, r.version, r.created_by, r.created_at, r.updated_at
FROM recommendations r
JOIN evaluations e ON e.id = r.evaluation_id
WHERE e.published_revision IS NOT NULL
  AND r.created_at <= (
      SELECT MAX(p.occurred_at) FROM publication_events p
      WHERE p.entity_type = 'evaluation' AND p.entity_id = e.id AND p.event = 'published');

INSERT INTO published_recommendation_organisations (recommendation_id, organisation_id)
SELECT o.recommendation_id, o.organisation_id
FROM recommendation_organisations o
JOIN published_recommendations p ON p.id = o.recommendation_id;
