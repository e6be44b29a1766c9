-- The append-only event log. A shipped migration is never edited: schema changes are new files.

-- Stream names, interned: each event row carries a small integer instead of the name.
CREATE TABLE streams (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 256)
);

-- LZ4 dictionaries, kept forever under their id so every row compressed with one stays decodable.
CREATE TABLE payload_dictionaries (
    id    INTEGER PRIMARY KEY,
    bytes BLOB NOT NULL CHECK (length(bytes) BETWEEN 1 AND 65536)
);

CREATE TABLE events (
    -- Global, gapless order of recording, from 1.
    position       INTEGER PRIMARY KEY CHECK (position >= 1),
    -- The idempotency key: a UUID as 16 bytes.
    event_id       BLOB    NOT NULL UNIQUE CHECK (typeof(event_id) = 'blob' AND length(event_id) = 16),
    stream_id      INTEGER NOT NULL REFERENCES streams(id),
    -- The event's number within its stream, from 1.
    version        INTEGER NOT NULL CHECK (version >= 1),
    type           TEXT    NOT NULL CHECK (length(type) BETWEEN 3 AND 100),
    schema         INTEGER NOT NULL DEFAULT 1 CHECK (schema >= 1),
    -- Milliseconds since 1970-01-01T00:00:00Z: the source's clock and the store's clock.
    occurred_at    INTEGER NOT NULL,
    recorded_at    INTEGER NOT NULL,
    source         TEXT    NOT NULL CHECK (length(source) >= 1),
    user           TEXT,
    correlation_id TEXT,
    -- 1 when the catalogue knew the type when it was recorded, 0 when it was stored but flagged.
    known_type     INTEGER NOT NULL CHECK (known_type IN (0, 1)),
    -- How `payload` holds the canonical JSON of `data`: 0 as is, 1 LZ4 block, 2 LZ4 block with a dictionary.
    codec          INTEGER NOT NULL CHECK (codec IN (0, 1, 2)),
    dictionary_id  INTEGER REFERENCES payload_dictionaries(id)
                           CHECK ((codec = 2) = (dictionary_id IS NOT NULL)),
    -- The length of the canonical JSON before compression.
    data_size      INTEGER NOT NULL CHECK (data_size >= 2),
    payload        BLOB    NOT NULL,
    -- SHA-256(previous hash || canonical bytes of this event): see docs/architecture.md.
    hash           BLOB    NOT NULL CHECK (length(hash) = 32),
    UNIQUE (stream_id, version)
);

-- Append-only, enforced by the database itself.
CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events is append-only: UPDATE refused');
END;
CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events is append-only: DELETE refused');
END;
CREATE TRIGGER streams_refuse_update BEFORE UPDATE ON streams
BEGIN
    SELECT RAISE(ABORT, 'streams is append-only: UPDATE refused');
END;
CREATE TRIGGER streams_refuse_delete BEFORE DELETE ON streams
BEGIN
    SELECT RAISE(ABORT, 'streams is append-only: DELETE refused');
END;
CREATE TRIGGER payload_dictionaries_refuse_update BEFORE UPDATE ON payload_dictionaries
BEGIN
    SELECT RAISE(ABORT, 'payload_dictionaries is append-only: UPDATE refused');
END;
CREATE TRIGGER payload_dictionaries_refuse_delete BEFORE DELETE ON payload_dictionaries
BEGIN
    SELECT RAISE(ABORT, 'payload_dictionaries is append-only: DELETE refused');
END;

-- Checkpoints of the projections built from the log (last position applied, code version).
CREATE TABLE projection_checkpoints (
    name     TEXT PRIMARY KEY,
    version  INTEGER NOT NULL,
    position INTEGER NOT NULL
);
