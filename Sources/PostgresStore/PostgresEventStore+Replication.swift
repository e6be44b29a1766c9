import EventStore
import PostgresNIO

extension PostgresEventStore {
    /// The server's place in replication (docs/postgres.md, "Read replicas"): the lag query.
    public func replicationStatus() async throws -> ReplicationStatus {
        try await transaction(readOnly: true) { [self] connection in
            let rows = try await connection.query(
                """
                SELECT pg_is_in_recovery(),
                    (EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp())) * 1000)::bigint,
                    pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint
                """, logger: logger
            ).collect()
            guard let row = rows.first else {
                throw EventStoreError(.database, "the replication query returned no row", path: location)
            }
            let (standby, delay, bytes) = try row.decode((Bool, Int64?, Int64?).self)
            return ReplicationStatus(
                isStandby: standby, replayDelayMilliseconds: standby ? delay : nil,
                unreplayedBytes: standby ? bytes : nil)
        }
    }
}
