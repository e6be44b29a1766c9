import EnrollmentDomain
import Foundation
import GRDB
import Logging

/// The append-only, tamper-evident event log in one SQLite file.
///
/// One value owns the database: it opens a WAL connection pool, runs the migrations, stores the payload
/// dictionary and brings projections up to date in `init`; each public method is one transaction.
///
/// ```swift
/// let store = try SQLiteEventStore(path: "enroll-audit.sqlite")
/// let result = try store.append([event])
/// ```
public final class SQLiteEventStore: Sendable {
    /// The file's path.
    public let path: String
    public let configuration: StoreConfiguration
    let pool: DatabasePool
    let codec: PayloadCodec
    let logger: Logger

    /// Opens (and, unless read-only, creates and migrates) the store at `path`.
    ///
    /// A new file is created with mode 0600 (its WAL and shared-memory files inherit it): the store holds
    /// personal data. Projections whose version changed are rebuilt from the log.
    ///
    /// - Throws: ``EventStoreError`` with `store_not_found` (read-only open of a missing file), `corrupt`
    ///   (not a store), `schema_too_new`, or `read_only`.
    public init(
        path: String, configuration: StoreConfiguration = StoreConfiguration(),
        logger: Logger = Logger(label: "enroll-audit.store")
    ) throws {
        self.path = path
        self.configuration = configuration
        self.logger = logger
        let exists = try StoreFile.check(path)
        if configuration.readOnly && !exists {
            throw EventStoreError(.storeNotFound, "no store at this path", path: path)
        }
        // Creation, the check that an existing file is a store, and migration run under a lock across
        // processes: concurrent first writers (and readers) each find either no file or a whole store.
        var creationLock: StoreCreationLock? = StoreCreationLock(forStoreAt: path)
        var openPath = path
        if configuration.readOnly {
            if StoreFile.needsImmutableOpen(path) {
                guard StoreFile.acceptsURIs else {
                    throw EventStoreError(
                        .readOnly,
                        "cannot read a store without its -wal and -shm files on read-only media with this SQLite",
                        path: path)
                }
                openPath = StoreFile.immutableURI(path)
            }
        } else if try StoreFile.check(path) {
            try Self.requireStoreOrEmpty(path)
            try StoreFile.requireWritable(path, exists: true)
        } else {
            try StoreFile.requireWritable(path, exists: false)
            let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if descriptor < 0 && errno != EEXIST {
                throw EventStoreError(
                    .readOnly, "cannot create the store file: \(String(cString: strerror(errno)))", path: path)
            }
            if descriptor >= 0 { close(descriptor) }
        }
        var grdb = Configuration()
        grdb.readonly = configuration.readOnly
        grdb.busyMode = .timeout(configuration.busyTimeoutSeconds)
        grdb.label = "enroll-audit"
        let durability = configuration.durability
        let cacheKiB = configuration.pageCacheKiB
        grdb.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -\(cacheKiB)")
        }
        do {
            pool = try DatabasePool(path: openPath, configuration: grdb)
            let migrator = Self.migrator
            let dictionaries: [Int64: [UInt8]]
            if configuration.readOnly {
                dictionaries = try pool.read { db in
                    guard try migrator.hasCompletedMigrations(db) else {
                        if try migrator.hasBeenSuperseded(db) {
                            throw EventStoreError(.schemaTooNew, "the store was written by a newer version", path: path)
                        }
                        if try !migrator.appliedIdentifiers(db).isEmpty {
                            throw EventStoreError(
                                .schemaTooOld,
                                "the store was written by an older version; open it for writing to upgrade it",
                                path: path)
                        }
                        throw EventStoreError(.corrupt, "the file is not an enrollment audit store", path: path)
                    }
                    return try Self.loadDictionaries(db)
                }
                creationLock = nil
            } else {
                if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                    throw EventStoreError(.schemaTooNew, "the store was written by a newer version", path: path)
                }
                // GRDB sets `synchronous = NORMAL` on the writer when it turns WAL on, after
                // `prepareDatabase` ran: apply the promised durability on the writer connection itself.
                let writerCacheKiB = configuration.writerPageCacheKiB
                try pool.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")")
                    try db.execute(sql: "PRAGMA cache_size = -\(writerCacheKiB)")
                    // Statement journals in memory: an insert into a table with triggers (the `fleet_stats`
                    // counts) journals its pages for the length of the statement, and in a file that is two
                    // write() calls per page. A replay switches back to files (see `replay`).
                    try db.execute(sql: "PRAGMA temp_store = MEMORY")
                }
                try migrator.migrate(pool)
                dictionaries = try pool.write { db in
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO payload_dictionaries(id, bytes) VALUES (?, ?)",
                        arguments: [PayloadDictionary.id, Data(PayloadDictionary.bytes)])
                    return try Self.loadDictionaries(db)
                }
                creationLock = nil
            }
            codec = PayloadCodec(compression: configuration.compression, dictionaries: dictionaries)
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw EventStoreError.wrapping(error, path: path)
        }
        _ = creationLock
        if !configuration.readOnly {
            try catchUpProjections()
        }
    }

    /// Refuses, without writing to it, an existing file that is neither a store (of any version) nor an
    /// empty SQLite database: another application's database, a text file, random bytes.
    private static func requireStoreOrEmpty(_ path: String) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size > 0 else { return }
        var probe = Configuration()
        probe.readonly = true
        let isStoreOrEmpty: Bool
        do {
            let probePath = StoreFile.needsImmutableOpen(path) ? StoreFile.immutableURI(path) : path
            let queue = try DatabaseQueue(path: probePath, configuration: probe)
            isStoreOrEmpty = try queue.read { db in
                let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
                return try tables == 0 || db.tableExists("grdb_migrations")
            }
        } catch {
            throw EventStoreError.wrapping(error, path: path)
        }
        guard isStoreOrEmpty else {
            throw EventStoreError(.corrupt, "the file is not an enrollment audit store", path: path)
        }
    }

    private static func loadDictionaries(_ db: Database) throws -> [Int64: [UInt8]] {
        var dictionaries: [Int64: [UInt8]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, bytes FROM payload_dictionaries") {
            let bytes: Data = row[1]
            dictionaries[row[0]] = Array(bytes)
        }
        return dictionaries
    }

    /// A `PRAGMA` of the writer connection, e.g. `synchronous` (2 = FULL, 1 = NORMAL): what is in force.
    func writerSetting(_ pragma: String) throws -> Int {
        try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA \(pragma)") ?? -1 }
    }

    /// A `PRAGMA` of a reader connection.
    func readerSetting(_ pragma: String) throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA \(pragma)") ?? -1 }
    }

    /// Runs `body` and turns SQLite errors into ``EventStoreError``s that name this store.
    func translatingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw EventStoreError.wrapping(error, path: path)
        }
    }
}
