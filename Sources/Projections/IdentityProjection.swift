import EnrollmentDomain
import EventStore
import GRDB

/// The identity projection: joins every id that names the same enrollment into one set (a union-find,
/// ``IdentityFold``, kept in `identity_nodes` / `identity_sets`), whose root is the enrollment's canonical id.
///
/// Tables: `identity_nodes(id, root, kinds)`, `identity_sets(root, rank, occurred_at, event_id)`,
/// `identity_user_ids(aad_user_id, upn)`, `identity_userless(aad_user_id, stream, second, joins_failure)`.
/// The rules are those of ``IdentityFacts``; docs/projections.md explains them.
public struct IdentityProjection: InlineProjection {
    public let name = "identity"
    public let version = 1

    public init() {}

    public func reset(_ db: Database) throws {
        for table in IdentityTables.tables { try db.execute(sql: "DROP TABLE IF EXISTS \(table)") }
        try db.execute(sql: IdentityTables.schema)
    }

    public func makeWriter(_ db: Database) throws -> any ProjectionWriter {
        let empty = try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM identity_nodes)") ?? false
        return Writer(db, tablesAreEmpty: empty)
    }

    /// Folds events in memory (``IdentityFold``) and writes the row changes when flushed: at the fold's
    /// bound, when `device_status` flushes (which reads these tables), before a savepoint opens, and at
    /// the end of the transaction.
    final class Writer: ProjectionWriter {
        private let applier: any ProjectionApplier
        /// Read by the `device_status` writer of the same transaction (``DeviceStatusProjection``).
        let fold: IdentityFold

        init(_ db: Database, tablesAreEmpty: Bool) {
            applier = SQLiteProjectionApplier(db: db)
            fold = IdentityFold(reader: SQLiteIdentityState(db: db), tablesAreEmpty: tablesAreEmpty)
        }

        func apply(_ recorded: RecordedEvent) throws {
            try fold.apply(recorded)
        }

        var needsFlush: Bool { fold.needsFlush }

        func flush() throws {
            try applier.apply(fold.drain())
        }

        func willOpenSavepoint() throws {
            try flush()
        }

        func discardCaches() {
            fold.discard()
        }
    }
}
