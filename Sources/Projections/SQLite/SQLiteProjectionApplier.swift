import GRDB

/// The folds' row changes applied to the SQLite tables, on the connection of the write transaction:
/// each changed row once, sorted by key, with one prepared statement per kind of change
/// (``IdentityChanges/write(_:)``, ``DeviceStatusChanges/write(_:countingAggregate:)``).
struct SQLiteProjectionApplier: ProjectionApplier {
    let db: Database

    func apply(_ changes: IdentityChanges) throws {
        try changes.write(db)
    }

    func apply(_ changes: DeviceStatusChanges, countingAggregate: Bool) throws {
        try changes.write(db, countingAggregate: countingAggregate)
    }
}
