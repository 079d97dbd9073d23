DROP TABLE follow_up_contributions;
