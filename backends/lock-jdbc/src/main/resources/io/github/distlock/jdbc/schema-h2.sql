-- Lock table of the distlock JDBC backend, for H2 2.x.
--
-- Placeholders, replaced by JdbcLockSchema (or by hand, or by Flyway, whose placeholder syntax is the same):
--   ${table}         the lock table, schema-qualified when a schema is configured (default: distributed_lock)
--   ${sequence}      its fencing-token sequence (default: distributed_lock_token_seq)
--   ${expiry_index}  its index on expires_at, schema-qualified like the table (default: distributed_lock_expires_idx)

-- One row per key; H2 compares VARCHAR values exactly (case, trailing spaces and Unicode normal form matter).
-- readers holds the key's shared leases, one 'lease-end-microseconds owner' line per reader; while readers hold the
-- key, owner_token is a mark no owner token equals and expires_at is the end of the longest reader lease. waiters
-- holds the intents of writers that wait, one 'wait-end-microseconds owner' line each; new readers are refused while
-- one has not ended.
CREATE TABLE IF NOT EXISTS ${table} (
    lock_key      VARCHAR(255) NOT NULL PRIMARY KEY,
    owner_token   VARCHAR(128) NOT NULL,
    fencing_token BIGINT NOT NULL,
    expires_at    TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    readers       CHARACTER VARYING,
    waiters       CHARACTER VARYING
);

-- A table created before shared leases gains their columns when this script runs again (the exclusive statements
-- never read them).
ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS readers CHARACTER VARYING;
ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS waiters CHARACTER VARYING;

CREATE SEQUENCE IF NOT EXISTS ${sequence};

-- Lets the clean-up find ended locks without scanning the table.
CREATE INDEX IF NOT EXISTS ${expiry_index} ON ${table} (expires_at);
