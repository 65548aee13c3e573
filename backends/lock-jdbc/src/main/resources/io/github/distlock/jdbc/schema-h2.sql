-- Lock table of the distlock JDBC backend, for H2 2.x.
--
-- Placeholders, replaced by JdbcLockSchema (or by hand, or by Flyway, whose placeholder syntax is the same):
--   ${table}         the lock table, schema-qualified when a schema is configured (default: distributed_lock)
--   ${sequence}      its fencing-token sequence (default: distributed_lock_token_seq)
--   ${expiry_index}  its index on expires_at, schema-qualified like the table (default: distributed_lock_expires_idx)

-- One row per key; H2 compares VARCHAR values exactly (case, trailing spaces and Unicode normal form matter).
CREATE TABLE IF NOT EXISTS ${table} (
    lock_key      VARCHAR(255) NOT NULL PRIMARY KEY,
    owner_token   VARCHAR(128) NOT NULL,
    fencing_token BIGINT NOT NULL,
    expires_at    TIMESTAMP(6) WITH TIME ZONE NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS ${sequence};

-- Lets the clean-up find ended locks without scanning the table.
CREATE INDEX IF NOT EXISTS ${expiry_index} ON ${table} (expires_at);
