ALTER TABLE published_assessments DROP COLUMN period_from;
