/// The boundary between the folds and a backend's tables: what a backend implements to store the
/// projections. The folds (``IdentityFold``, ``DeviceStatusFold``) read the tables through
/// ``IdentityStateReading`` and ``DeviceStatusStateReading`` and hand their row changes to an applier;
/// nothing on this side of the boundary knows SQL.
///
/// An applier is called inside the backend's write transaction, in the store's order of projections
/// (identity first: the `device_status` fold reads the identity tables as the last apply left them). It
/// applies each change once, in the key order ``TableChanges/sorted`` gives, and must leave nothing
/// half-applied when it throws (the transaction rolls back). ``SQLiteProjectionApplier`` is the SQLite
/// one; `IdentityFoldTests` drives both folds against an applier of dictionaries.
public protocol ProjectionApplier {
    /// Applies one drain of the identity fold: node and set upserts and deletes, and the rows the two
    /// insert-only tables gained.
    func apply(_ changes: IdentityChanges) throws
    /// Applies one drain of the `device_status` fold: the changed rows, then the `fleet_stats` deltas of
    /// the same rows, unless `countingAggregate` is false (a table being filled from empty, whose
    /// aggregate the backend counts once at the end).
    func apply(_ changes: DeviceStatusChanges, countingAggregate: Bool) throws
}
