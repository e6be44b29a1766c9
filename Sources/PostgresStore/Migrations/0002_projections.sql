-- The read models (projections) on PostgreSQL (docs/postgres.md, "Read models"): the tables of the SQLite
-- store's projections, with the same names, columns, keys and indexes (Sources/Projections: IdentityTables,
-- DeviceStatusProjection, FleetStatsTables), written inside every append transaction. Unlike the log they
-- are updated in place: the writer role gets SELECT, INSERT, UPDATE and DELETE on them (PostgresRoles).
-- Texts compare as bytes (COLLATE "C"), as SQLite's BINARY does, so ordered reads agree on both backends.
-- SQLite INTEGER (64 bits) is bigint here.

-- The last position each projection applied and its code version (as `projection_checkpoints` on SQLite).
CREATE TABLE projection_checkpoints (
    name     text   COLLATE "C" PRIMARY KEY,
    version  bigint NOT NULL,
    position bigint NOT NULL
);

-- The identity projection: each id (node) names the root of its set, the set's canonical enrollment id.
CREATE TABLE identity_nodes (
    id    text   COLLATE "C" PRIMARY KEY,
    root  text   COLLATE "C" NOT NULL,
    kinds bigint NOT NULL CHECK (kinds > 0)
);
CREATE INDEX identity_nodes_root ON identity_nodes (root);

CREATE TABLE identity_sets (
    root        text   COLLATE "C" PRIMARY KEY,
    rank        bigint NOT NULL,
    occurred_at bigint NOT NULL,
    event_id    text   COLLATE "C" NOT NULL
);

CREATE TABLE identity_user_ids (
    aad_user_id text COLLATE "C" NOT NULL,
    upn         text COLLATE "C" NOT NULL,
    PRIMARY KEY (aad_user_id, upn)
);

CREATE TABLE identity_userless (
    aad_user_id   text   COLLATE "C" NOT NULL,
    stream        text   COLLATE "C" NOT NULL,
    second        bigint NOT NULL,
    joins_failure bigint NOT NULL CHECK (joins_failure IN (0, 1)),
    PRIMARY KEY (aad_user_id, stream, second, joins_failure)
);

-- One row per enrollment, keyed by its canonical id.
CREATE TABLE device_status (
    enrollment        text   COLLATE "C" PRIMARY KEY,
    "user"            text   COLLATE "C",
    user_key          text   COLLATE "C",
    entra_user_id     text   COLLATE "C",
    state             text   COLLATE "C" NOT NULL
                      CHECK (state IN ('enrolled', 'in_progress', 'failed', 'declined', 'fallback', 'unenrolled')),
    step              text   COLLATE "C",
    step_index        bigint NOT NULL CHECK (step_index BETWEEN -1 AND 6),
    failure_step      text   COLLATE "C",
    failure_reason    text   COLLATE "C",
    os_version        text   COLLATE "C",
    model             text   COLLATE "C",
    first_seen        bigint NOT NULL,
    last_seen         bigint NOT NULL,
    last_step_at      bigint NOT NULL,
    enrolled_at       bigint,
    time_to_enroll_ms bigint,
    events            bigint NOT NULL CHECK (events >= 1),
    problem_type      text   COLLATE "C",
    problem_reason    text   COLLATE "C",
    problem_at        bigint,
    conflicts         text   COLLATE "C"
);
CREATE INDEX device_status_state ON device_status (state, first_seen);
CREATE INDEX device_status_stall ON device_status (state, last_step_at);
CREATE INDEX device_status_first_seen ON device_status (
    first_seen, state, step_index, failure_step, failure_reason, time_to_enroll_ms);
CREATE INDEX device_status_user ON device_status (user_key, first_seen);
CREATE INDEX device_status_entra_user ON device_status (entra_user_id);
CREATE INDEX device_status_conflicted ON device_status (first_seen) WHERE conflicts IS NOT NULL;

-- The fleet_stats aggregate: per UTC day of first event, how many device_status rows there are of each
-- (state, step_index, failure), and of each bucket of time to enroll. A count that reaches 0 is deleted.
CREATE TABLE fleet_stats (
    day            bigint NOT NULL,
    state          text   COLLATE "C" NOT NULL,
    step_index     bigint NOT NULL,
    failure_step   text   COLLATE "C" NOT NULL,
    failure_reason text   COLLATE "C" NOT NULL,
    enrollments    bigint NOT NULL CHECK (enrollments > 0),
    PRIMARY KEY (day, state, step_index, failure_step, failure_reason)
);

CREATE TABLE fleet_stats_time_to_enroll (
    day         bigint NOT NULL,
    bucket      bigint NOT NULL,
    enrollments bigint NOT NULL CHECK (enrollments > 0),
    PRIMARY KEY (day, bucket)
);

-- Nobody but the owner and the roles granted explicitly reads or writes the read models.
REVOKE ALL ON projection_checkpoints, identity_nodes, identity_sets, identity_user_ids, identity_userless,
    device_status, fleet_stats, fleet_stats_time_to_enroll FROM PUBLIC;
