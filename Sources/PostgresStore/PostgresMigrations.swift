import EventStore
import PostgresNIO

/// The numbered SQL migrations of the PostgreSQL store (`Sources/PostgresStore/Migrations/`, embedded at
/// build time), applied in order under an advisory lock, each in the transaction that records it in
/// `enroll_audit_migrations`. A shipped migration is never edited: a schema change is a new file.
enum PostgresMigrations {
    static let all: [(id: Int, name: String, sql: [UInt8])] = [
        (1, "0001_log", PackageResources._001_log_sql),
        (2, "0002_projections", PackageResources._002_projections_sql),
    ]

    static let table = """
        CREATE TABLE IF NOT EXISTS enroll_audit_migrations (
            id         integer     PRIMARY KEY,
            name       text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """
}

extension PostgresEventStore {
    /// Applies the missing migrations (`migrate`), or checks that none is missing.
    func prepareSchema(migrate: Bool) async throws {
        let known = Set(PostgresMigrations.all.map(\.id))
        let applied = try await appliedMigrations()
        if let newer = applied.subtracting(known).max() {
            throw EventStoreError(
                .schemaTooNew, "the store was written by a newer version (migration \(newer))", path: location)
        }
        let missing = PostgresMigrations.all.filter { !applied.contains($0.id) }
        guard !missing.isEmpty else { return }
        guard migrate else {
            if applied.isEmpty {
                throw EventStoreError(.storeNotFound, "the database holds no enrollment audit store", path: location)
            }
            throw EventStoreError(
                .schemaTooOld, "the store was written by an older version; open it for writing to upgrade it",
                path: location)
        }
        do {
            try await transaction { [self] connection in
                _ = try await connection.query(
                    "SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))", logger: logger
                ).collect()
                try await connection.query(PostgresQuery(unsafeSQL: PostgresMigrations.table), logger: logger)
                let now = try await Self.appliedMigrations(connection, logger: logger)
                for migration in PostgresMigrations.all where !now.contains(migration.id) {
                    for statement in SQLScript.statements(String(decoding: migration.sql, as: UTF8.self)) {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        "INSERT INTO enroll_audit_migrations (id, name) VALUES (\(migration.id), \(migration.name))",
                        logger: logger)
                }
            }
        } catch let error as EventStoreError where error.code == .readOnly {
            throw EventStoreError(
                .readOnly,
                "the store's schema lacks migration \(missing[0].name), and this role may not create it: "
                    + "open it once as the owner role (docs/postgres.md)", path: location)
        }
        // A log written before the read models existed here (migration 2) fills them from itself once.
        if !applied.isEmpty && missing.contains(where: { $0.id == 2 }) { try await rebuildReadModels() }
    }

    /// The ids of the migrations the database records (none when it has no migrations table).
    func appliedMigrations() async throws -> Set<Int> {
        try await transaction(readOnly: true) { [self] connection in
            try await Self.appliedMigrations(connection, logger: logger)
        }
    }

    static func appliedMigrations(_ connection: PostgresConnection, logger: Logger) async throws -> Set<Int> {
        let exists =
            try await connection.query(
                "SELECT to_regclass('enroll_audit_migrations') IS NOT NULL", logger: logger
            ).collect().first?.decode(Bool.self) ?? false
        guard exists else { return [] }
        var ids: Set<Int> = []
        for try await id in try await connection.query("SELECT id FROM enroll_audit_migrations", logger: logger)
            .decode(Int.self)
        {
            ids.insert(id)
        }
        return ids
    }
}
