-- A create_post step finds the post it made on a retry by its source ({kind: 'workflow', stepRunId}):
-- an index on the step run id of workflow-made posts, so that look-up stays one index probe as posts grow.
CREATE INDEX posts_workflow_step_idx ON posts ((source ->> 'stepRunId')) WHERE source ->> 'kind' = 'workflow';
