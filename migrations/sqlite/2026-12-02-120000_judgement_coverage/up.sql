-- The first period a published judgement covers (an evaluation's `period.from`; a cluster
-- follow-up's own period), so that a report of a period shows no judgement of later periods.
ALTER TABLE published_assessments ADD COLUMN period_from TEXT;
UPDATE published_assessments
SET period_from = COALESCE(
    (SELECT e.period_from FROM evaluations e WHERE e.id = published_assessments.entity_id),
    period);
