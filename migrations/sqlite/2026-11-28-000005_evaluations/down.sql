DROP TABLE published_assessments;
DROP TABLE publication_events;
DROP TABLE recommendations;
DROP TABLE evaluations;
DROP TABLE cluster_follow_ups;
