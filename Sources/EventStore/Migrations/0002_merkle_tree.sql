-- The Merkle tree over the log (RFC 9162 §2.1) and the signed checkpoints of it. See docs/proofs.md.

-- Every completed node of the tree, once: the full subtree of 2^level leaves starting at leaf idx << level.
-- Level 0 holds the leaf hashes (leaf idx is the event at position idx + 1). About two rows per event;
-- any root or proof for any tree size is computed from these rows.
CREATE TABLE merkle_nodes (
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 62),
    idx   INTEGER NOT NULL CHECK (idx >= 0),
    hash  BLOB    NOT NULL CHECK (typeof(hash) = 'blob' AND length(hash) = 32),
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

-- Every checkpoint the store signed (C2SP tlog-checkpoint as a C2SP signed note, kept verbatim).
CREATE TABLE checkpoints (
    id         INTEGER PRIMARY KEY,
    size       INTEGER NOT NULL CHECK (size >= 0),
    root       BLOB    NOT NULL CHECK (typeof(root) = 'blob' AND length(root) = 32),
    origin     TEXT    NOT NULL CHECK (length(origin) >= 1),
    -- The signing key as a C2SP verifier key: name+hash+base64.
    verifier_key TEXT  NOT NULL,
    note       TEXT    NOT NULL,
    -- Milliseconds since 1970-01-01T00:00:00Z, by the store's clock.
    created_at INTEGER NOT NULL
);

CREATE TRIGGER merkle_nodes_refuse_update BEFORE UPDATE ON merkle_nodes
BEGIN
    SELECT RAISE(ABORT, 'merkle_nodes is append-only: UPDATE refused');
END;
CREATE TRIGGER merkle_nodes_refuse_delete BEFORE DELETE ON merkle_nodes
BEGIN
    SELECT RAISE(ABORT, 'merkle_nodes is append-only: DELETE refused');
END;
CREATE TRIGGER checkpoints_refuse_update BEFORE UPDATE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints is append-only: UPDATE refused');
END;
CREATE TRIGGER checkpoints_refuse_delete BEFORE DELETE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints is append-only: DELETE refused');
END;
