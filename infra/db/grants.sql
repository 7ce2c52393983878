-- The services' database users and what each may do, least privilege (docs/security.md,
-- "Database and secrets"). Step 3 of 3: after infra/db/owner.sql and the migrations, because a
-- table's grant needs the table. Idempotent: run it again after a migration that adds a table.
-- Applied by `infra/mariadb.sh ensure` for development and tests; in production a DBA runs it as
-- an administrator, then sets each password (never in this file):
--   ALTER USER 'sqllint_ingest'@'%' IDENTIFIED BY '...' ACCOUNT UNLOCK;   (and 'sqllint_sink')
-- Users are created LOCKED, so none of them can log in before its password is set.

-- The ingest reads jobs and tasks to answer queries and writes only what it owns
-- (runtime/tables.py): a job's first row (ingest/accepted.py, INSERT only) and the
-- Idempotency-Key rows (ingest/idempotency.py: claim = INSERT, complete = UPDATE, and DELETE of
-- its own failed claim so the client's retry can succeed). No DELETE of jobs or tasks, no DDL.
CREATE USER IF NOT EXISTS 'sqllint_ingest'@'%' ACCOUNT LOCK;
GRANT SELECT ON `sqllint`.* TO 'sqllint_ingest'@'%';
GRANT INSERT ON `sqllint`.`linting_jobs` TO 'sqllint_ingest'@'%';
GRANT INSERT, UPDATE, DELETE ON `sqllint`.`idempotency_keys` TO 'sqllint_ingest'@'%';
-- A key's last use is recorded; keys themselves are made and revoked by the owner (sqllint-admin).
GRANT UPDATE (`last_used_at`) ON `sqllint`.`api_keys` TO 'sqllint_ingest'@'%';
GRANT INSERT, UPDATE ON `sqllint`.`tenant_usage` TO 'sqllint_ingest'@'%';

-- The sink materialises jobs and tasks (upserts: INSERT ... ON DUPLICATE KEY UPDATE) and runs the
-- webhook outbox (SELECT ... FOR UPDATE SKIP LOCKED needs UPDATE); DELETE for retention's purge.
-- Table by table, so a table added later is not writable until this file says so. No DDL.
CREATE USER IF NOT EXISTS 'sqllint_sink'@'%' ACCOUNT LOCK;
GRANT SELECT, INSERT, UPDATE, DELETE ON `sqllint`.`linting_jobs` TO 'sqllint_sink'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `sqllint`.`linting_tasks` TO 'sqllint_sink'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `sqllint`.`webhook_deliveries` TO 'sqllint_sink'@'%';
-- Retention (sink/retention.py) expires Idempotency-Key rows: it finds and deletes them, never
-- writes one.
GRANT SELECT, DELETE ON `sqllint`.`idempotency_keys` TO 'sqllint_sink'@'%';
GRANT SELECT, DELETE ON `sqllint`.`tenant_usage` TO 'sqllint_sink'@'%';

-- The single over-privileged user of earlier versions is gone.
DROP USER IF EXISTS 'sqllint'@'%';
