DROP TABLE report_links;
ALTER TABLE accounts DROP COLUMN access_version;
