DROP INDEX actions_list_status;
DROP INDEX actions_list_cluster;
DROP INDEX actions_list_plan;
ALTER TABLE actions DROP COLUMN status;
ALTER TABLE actions DROP COLUMN cluster_id;
ALTER TABLE actions DROP COLUMN plan_id;
