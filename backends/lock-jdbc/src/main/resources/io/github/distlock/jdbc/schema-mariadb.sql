-- Lock table of the distlock JDBC backend, for MariaDB 10.5 or later (InnoDB).
--
-- Placeholders, replaced by JdbcLockSchema (or by hand, or by Flyway, whose placeholder syntax is the same):
--   ${table}         the lock table, database-qualified when a schema is configured (default: distributed_lock)
--   ${sequence}      its fencing-token sequence (default: distributed_lock_token_seq)
--   ${expiry_index}  its index on expires_at (default: distributed_lock_expires_idx)
--
-- The application's database user needs SELECT, INSERT, UPDATE and DELETE on ${table}, and SELECT and INSERT on
-- ${sequence} (NEXTVAL).

-- One row per key. Keys and owner tokens are stored as UTF-8 bytes: binary comparison keeps keys that differ only in
-- case, trailing spaces or Unicode normal form apart, which MariaDB's collations would merge. 765 bytes hold 255 Java
-- characters (at most three UTF-8 bytes each). DATETIME(6) holds UTC from UTC_TIMESTAMP(6): no session time zone,
-- no year-2038 limit. readers holds the key's shared leases, one 'lease-end-microseconds owner' line per reader;
-- while readers hold the key, owner_token is a mark no owner token equals and expires_at is the end of the longest
-- reader lease. waiters holds the intents of writers that wait, one 'wait-end-microseconds owner' line each; new
-- readers are refused while one has not ended.
CREATE TABLE IF NOT EXISTS ${table} (
    lock_key      VARBINARY(765) NOT NULL PRIMARY KEY,
    owner_token   VARBINARY(128) NOT NULL,
    fencing_token BIGINT NOT NULL,
    expires_at    DATETIME(6) NOT NULL,
    readers       MEDIUMTEXT CHARACTER SET ascii COLLATE ascii_bin,
    waiters       MEDIUMTEXT CHARACTER SET ascii COLLATE ascii_bin,
    INDEX ${expiry_index} (expires_at)
) ENGINE = InnoDB;

-- A table created before shared leases gains their columns when this script runs again (the exclusive statements
-- never read them).
ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS readers MEDIUMTEXT CHARACTER SET ascii COLLATE ascii_bin;
ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS waiters MEDIUMTEXT CHARACTER SET ascii COLLATE ascii_bin;

-- A sequence's cache is shared by all sessions of the server, so values are handed out in order.
CREATE SEQUENCE IF NOT EXISTS ${sequence} ENGINE = InnoDB;
