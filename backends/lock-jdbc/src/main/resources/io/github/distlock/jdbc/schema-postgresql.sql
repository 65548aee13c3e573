-- Lock table of the distlock JDBC backend, for PostgreSQL 9.6 or later.
--
-- Placeholders, replaced by JdbcLockSchema (or by hand, or by Flyway, whose placeholder syntax is the same):
--   ${table}         the lock table, schema-qualified when a schema is configured (default: distributed_lock)
--   ${sequence}      its fencing-token sequence (default: distributed_lock_token_seq)
--   ${expiry_index}  its index on expires_at (default: distributed_lock_expires_idx)
--
-- The application's database user needs SELECT, INSERT, UPDATE and DELETE on ${table} and USAGE on ${sequence}.

-- One row per key. COLLATE "C" compares keys byte for byte: case, trailing spaces and Unicode normal form matter.
-- Expiry is database time with the time zone, so that time-zone settings and daylight-saving changes cannot move it.
-- owner_node names the application instance to tell when a release hands the key to a waiter (NULL when the holder
-- did not queue); waiters is the key's queue, oldest first, one 'wait-end-microseconds owner node' entry per waiter.
-- readers holds the key's shared leases, one 'lease-end-microseconds owner' entry per reader; while readers hold
-- the key, owner_token is a mark no owner token equals and expires_at is the end of the longest reader lease.
CREATE TABLE IF NOT EXISTS ${table} (
    lock_key      VARCHAR(255) COLLATE "C" NOT NULL PRIMARY KEY,
    owner_token   VARCHAR(128) NOT NULL,
    fencing_token BIGINT NOT NULL,
    expires_at    TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    owner_node    VARCHAR(32),
    waiters       TEXT[],
    readers       TEXT[]
);

-- A table created by distlock 0.1 gains the queue's columns when this script runs again (PostgreSQL 9.6 or later).
ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS owner_node VARCHAR(32);
ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS waiters TEXT[];
-- ... and the shared leases' column, which an older table lacks (the exclusive statements never read it).
ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS readers TEXT[];

-- CACHE 1 (PostgreSQL's default) matters: values cached per session would be handed out out of order.
CREATE SEQUENCE IF NOT EXISTS ${sequence} CACHE 1;

-- Lets the clean-up find ended locks without scanning the table.
CREATE INDEX IF NOT EXISTS ${expiry_index} ON ${table} (expires_at);
