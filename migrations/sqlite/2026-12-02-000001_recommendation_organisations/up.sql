-- The organisations each recommendation is addressed to, one row each, so the register can be
-- filtered by organisation in the same way on both backends. `recommendations.organisation_ids`
-- stays the order the coordinators gave; this table follows it in every write.

CREATE TABLE recommendation_organisations (
    recommendation_id TEXT NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (recommendation_id, organisation_id)
);
CREATE INDEX recommendation_organisations_organisation_id
    ON recommendation_organisations (organisation_id);

INSERT INTO recommendation_organisations (recommendation_id, organisation_id)
SELECT DISTINCT r.id, j.value FROM recommendations r, json_each(r.organisation_ids) j;

CREATE INDEX recommendations_due_date ON recommendations (due_date);
