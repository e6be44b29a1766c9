/// Where a server stands in streaming replication: a primary, or a hot standby and how far it lags
/// (`PostgresStore`'s `replicationStatus()`; `serve`'s `/readyz`).
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

    /// The lag `/readyz` judges: 0 when the standby replayed all the WAL it received (an idle primary sends
    /// none, so the replay delay then says only how long the primary has been idle), else the replay delay.
    public var lagMilliseconds: Int64? {
        guard isStandby else { return nil }
        if unreplayedBytes == 0 { return 0 }
        return replayDelayMilliseconds
    }
}
