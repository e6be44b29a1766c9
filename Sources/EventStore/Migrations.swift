import GRDB

extension SQLiteEventStore {
    /// The SQL migrations, in order: the files of `Schema/sqlite/` (`Sources/EventStore/Migrations/`),
    /// embedded in the binary at build time, each with the work in Swift that follows its SQL in the same
    /// transaction. A shipped migration is never edited.
    static let migrations: [(name: String, sql: [UInt8], then: (@Sendable (Database) throws -> Void)?)] = [
        ("0001_events", PackageResources._001_events_sql, nil),
        // The tree of the events stored before it existed is built from them here, once.
        ("0002_merkle_tree", PackageResources._002_merkle_tree_sql, MerkleBackfill.run),
    ]

    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            let sql = String(decoding: migration.sql, as: UTF8.self)
            migrator.registerMigration(migration.name) { db in
                try db.execute(sql: sql)
                try migration.then?(db)
            }
        }
        return migrator
    }()
}
