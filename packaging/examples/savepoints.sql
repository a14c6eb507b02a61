-- Run with: opsdeck jobs --profile prod -f savepoints.sql --yes
-- Statements are separated by ';'. Replace <job-id> with an id from SHOW JOBS.
SHOW JOBS;
CREATE SAVEPOINT FOR JOB <job-id> TO 's3://savepoints/prod' FORMAT CANONICAL;
SHOW SAVEPOINTS FOR JOB <job-id>;
