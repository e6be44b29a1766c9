-- The append-only event log on PostgreSQL (docs/postgres.md). A shipped migration is never edited: schema
-- changes are new files. Run by the owner role; the writer role gets SELECT and INSERT only (PostgresRoles).

CREATE TABLE events (
    -- Global, gapless order of recording, from 1: taken under the position lock held to commit.
    position       bigint  PRIMARY KEY CHECK (position >= 1),
    -- The idempotency key.
    event_id       uuid    NOT NULL UNIQUE,
    stream         text    NOT NULL CHECK (length(stream) BETWEEN 1 AND 256),
    -- The event's number within its stream, from 1.
    version        bigint  NOT NULL CHECK (version >= 1),
    type           text    NOT NULL CHECK (length(type) BETWEEN 3 AND 100),
    schema         integer NOT NULL CHECK (schema >= 1),
    -- Milliseconds since 1970-01-01T00:00:00Z: the source's clock and the store's clock.
    occurred_at    bigint  NOT NULL,
    recorded_at    bigint  NOT NULL,
    source         text    NOT NULL CHECK (length(source) >= 1),
    "user"         text,
    correlation_id text,
    -- Whether the catalogue knew the type when it was recorded (not hashed; checked by verify).
    known_type     boolean NOT NULL,
    -- The canonical JSON of `data`, exactly the bytes that are hashed (PostgreSQL's TOAST compresses it).
    data           bytea   NOT NULL CHECK (length(data) >= 2),
    -- SHA-256(previous hash || canonical bytes of this event): see docs/architecture.md.
    hash           bytea   NOT NULL CHECK (length(hash) = 32),
    UNIQUE (stream, version)
);

-- Every completed node of the RFC 9162 tree, once (docs/proofs.md): the full subtree of 2^level leaves that
-- starts at leaf idx << level. Level 0 holds the leaf hashes; leaf idx is the event at position idx + 1.
CREATE TABLE merkle_nodes (
    level smallint NOT NULL CHECK (level BETWEEN 0 AND 62),
    idx   bigint   NOT NULL CHECK (idx >= 0),
    hash  bytea    NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
);

-- Every checkpoint the store signed or copied (C2SP tlog-checkpoint as a C2SP signed note, verbatim).
CREATE TABLE checkpoints (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    size         bigint NOT NULL CHECK (size >= 0),
    root         bytea  NOT NULL CHECK (length(root) = 32),
    origin       text   NOT NULL CHECK (length(origin) >= 1),
    -- The signing key as a C2SP verifier key: name+hash+base64.
    verifier_key text   NOT NULL,
    note         text   NOT NULL,
    -- Milliseconds since 1970-01-01T00:00:00Z, by the store's clock.
    created_at   bigint NOT NULL
);

-- Append-only, enforced by the database itself, for every role (the owner's too): UPDATE, DELETE and
-- TRUNCATE raise. The writer role cannot even try: it holds SELECT and INSERT only.
CREATE FUNCTION enroll_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;

-- TABLE_refuse_update, TABLE_refuse_delete (per row) and TABLE_refuse_truncate (per statement) on each
-- table of the log: the names `verify` checks (PostgresEventStore.appendOnlyTriggers).
DO $$
DECLARE
    log_table text;
    operation text;
BEGIN
    FOREACH log_table IN ARRAY ARRAY['events', 'merkle_nodes', 'checkpoints'] LOOP
        FOREACH operation IN ARRAY ARRAY['update', 'delete'] LOOP
            EXECUTE format(
                'CREATE TRIGGER %I BEFORE %s ON %I FOR EACH ROW EXECUTE FUNCTION enroll_audit_refuse_change()',
                log_table || '_refuse_' || operation, upper(operation), log_table);
        END LOOP;
        EXECUTE format(
            'CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION enroll_audit_refuse_change()',
            log_table || '_refuse_truncate', log_table);
    END LOOP;
END;
$$;

-- Nobody but the owner and the roles granted explicitly reads or writes the log.
REVOKE ALL ON events, merkle_nodes, checkpoints FROM PUBLIC;
