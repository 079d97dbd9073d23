DROP TABLE organisations;
DROP TABLE plan_themes;
DROP TABLE plan_clusters;
DROP TABLE themes;
DROP TABLE clusters;
DROP TABLE plans;
