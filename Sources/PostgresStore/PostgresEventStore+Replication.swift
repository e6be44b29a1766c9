import EventStore
import PostgresNIO

/// Where a server stands in streaming replication: a primary, or a hot standby and how far it lags.
public struct ReplicationStatus: Sendable, Hashable {
    /// Whether the server is a standby replaying a primary's WAL (`pg_is_in_recovery()`): read-only.
    public var isStandby: Bool
    /// On a standby: how long ago the last transaction it replayed committed on the primary
    /// (`now() - pg_last_xact_replay_timestamp()`), in milliseconds; `nil` before it replayed one. It
    /// grows while the primary is idle too: read it with ``unreplayedBytes``.
    public var replayDelayMilliseconds: Int64?
    /// On a standby: WAL received but not yet replayed, in bytes
    /// (`pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())`); `nil` when it streams nothing.
    public var unreplayedBytes: Int64?

    public init(isStandby: Bool, replayDelayMilliseconds: Int64? = nil, unreplayedBytes: Int64? = nil) {
        self.isStandby = isStandby
        self.replayDelayMilliseconds = replayDelayMilliseconds
        self.unreplayedBytes = unreplayedBytes
    }
}

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
