import GRDB

extension SQLiteEventStore {
    /// The mark of a store that `demo` created: SQLite's `user_version` header field ("demo" in ASCII).
    /// The log itself never uses `user_version` (migrations are tracked by GRDB's own table), so the mark
    /// changes nothing else and survives every migration.
    static let demoMark: Int32 = 0x6465_6D6F

    /// Marks this store as created by `demo`, so that `demo --replace` may later replace it (and nothing else).
    public func markAsDemo() throws {
        try translatingErrors {
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = \(Self.demoMark)") }
        }
    }

    /// Whether `demo` created this store (``markAsDemo()``).
    public func isDemo() throws -> Bool {
        try translatingErrors {
            try pool.read { db in try Int32.fetchOne(db, sql: "PRAGMA user_version") == Self.demoMark }
        }
    }
}
