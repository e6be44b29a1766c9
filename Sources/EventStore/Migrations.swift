import GRDB

extension SQLiteEventStore {
    /// The SQL migrations, in order: the files of `Schema/sqlite/` (`Sources/EventStore/Migrations/`),
    /// embedded in the binary at build time. A shipped migration is never edited.
    static let migrations: [(name: String, sql: [UInt8])] = [
        ("0001_events", PackageResources._001_events_sql)
    ]

    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            let sql = String(decoding: migration.sql, as: UTF8.self)
            migrator.registerMigration(migration.name) { db in
                try db.execute(sql: sql)
            }
        }
        return migrator
    }()
}
