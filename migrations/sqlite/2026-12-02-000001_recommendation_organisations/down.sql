DROP INDEX recommendations_due_date;
DROP TABLE recommendation_organisations;
