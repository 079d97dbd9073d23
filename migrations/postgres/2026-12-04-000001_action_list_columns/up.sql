-- The action list filters by plan, cluster and status and sorts by the action's dates; those
-- lived on the objective (plan, cluster) and in action_states (status), so every page and its
-- count joined the three tables and filtered after the join. The action row now keeps a copy of
-- each, written in the same transaction as what changes them (action create/edit/move, the
-- objective's cluster, the approval that sets the action's state), so that the indexes below
-- serve the filters and the count reads one index.
ALTER TABLE actions ADD COLUMN plan_id TEXT;
-- The objective's cluster (NULL when the objective has none).
ALTER TABLE actions ADD COLUMN cluster_id TEXT;
-- action_states.status: the status of the latest approved follow-up (NULL: none approved yet,
-- which the API calls notReported).
ALTER TABLE actions ADD COLUMN status TEXT;

UPDATE actions SET plan_id = o.plan_id, cluster_id = o.cluster_id
FROM objectives o WHERE o.id = actions.objective_id;
UPDATE actions SET status = s.status
FROM action_states s WHERE s.action_id = actions.id;
ALTER TABLE actions ALTER COLUMN plan_id SET NOT NULL;

-- Equality filters first, then the date the list sorts and filters on most (plannedEnd).
CREATE INDEX actions_list_plan ON actions (plan_id, cluster_id, status, planned_end);
CREATE INDEX actions_list_cluster ON actions (cluster_id, status, planned_end);
CREATE INDEX actions_list_status ON actions (status, planned_end);
