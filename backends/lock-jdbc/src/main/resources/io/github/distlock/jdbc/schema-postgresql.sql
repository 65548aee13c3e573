-- Lock table of the distlock JDBC backend, for PostgreSQL 9.5 or later.
--
-- Placeholders, replaced by JdbcLockSchema (or by hand, or by Flyway, whose placeholder syntax is the same):
--   ${table}         the lock table, schema-qualified when a schema is configured (default: distributed_lock)
--   ${sequence}      its fencing-token sequence (default: distributed_lock_token_seq)
--   ${expiry_index}  its index on expires_at (default: distributed_lock_expires_idx)
--
-- The application's database user needs SELECT, INSERT, UPDATE and DELETE on ${table} and USAGE on ${sequence}.

-- One row per key. COLLATE "C" compares keys byte for byte: case, trailing spaces and Unicode normal form matter.
-- Expiry is database time with the time zone, so that time-zone settings and daylight-saving changes cannot move it.
CREATE TABLE IF NOT EXISTS ${table} (
    lock_key      VARCHAR(255) COLLATE "C" NOT NULL PRIMARY KEY,
    owner_token   VARCHAR(128) NOT NULL,
    fencing_token BIGINT NOT NULL,
    expires_at    TIMESTAMP(6) WITH TIME ZONE NOT NULL
);

-- CACHE 1 (PostgreSQL's default) matters: values cached per session would be handed out out of order.
CREATE SEQUENCE IF NOT EXISTS ${sequence} CACHE 1;

-- Lets the clean-up find ended locks without scanning the table.
CREATE INDEX IF NOT EXISTS ${expiry_index} ON ${table} (expires_at);
