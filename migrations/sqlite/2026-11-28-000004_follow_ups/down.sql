DROP TABLE action_states;
DROP TABLE approved_values;
DROP TABLE approved_follow_ups;
DROP TABLE follow_up_events;
DROP TABLE follow_up_values;
DROP TABLE follow_ups;
