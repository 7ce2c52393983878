-- The database of sqllint and its owner, the only user that changes the schema (DDL), for
-- migrations (python -m sink.migrate upgrade). Step 1 of 3 (docs/security.md, "Database and
-- secrets"): this file, then the migrations as the owner, then infra/db/grants.sql.
-- Idempotent. Applied by `infra/mariadb.sh ensure` for development and tests; in production a DBA
-- runs it once as an administrator, then sets the password (never in this file):
--   ALTER USER 'sqllint_owner'@'%' IDENTIFIED BY '...' ACCOUNT UNLOCK;
-- The user is created LOCKED, so it cannot log in before its password is set.
-- The database is named `sqllint`; another name means replacing it here and in grants.sql.

CREATE DATABASE IF NOT EXISTS `sqllint` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- ALL on this database only, without GRANT OPTION: it cannot hand its rights to anybody, and it
-- has no right on any other database or on the server (no CREATE USER, no FILE, no SUPER).
CREATE USER IF NOT EXISTS 'sqllint_owner'@'%' ACCOUNT LOCK;
GRANT ALL PRIVILEGES ON `sqllint`.* TO 'sqllint_owner'@'%';
