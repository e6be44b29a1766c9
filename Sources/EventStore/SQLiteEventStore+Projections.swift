import EnrollmentDomain
import Foundation
import GRDB

extension SQLiteEventStore {
    /// The names of the configured projections.
    public var projectionNames: [String] { configuration.projections.map(\.name) }

    /// Rebuilds projections from the log in one transaction, in constant memory.
    ///
    /// - Parameters:
    ///   - names: the projections to rebuild (`nil`: all).
    ///   - progress: called every 65,536 events with the position reached.
    /// - Returns: the number of events replayed.
    @discardableResult
    public func rebuildProjections(named names: Set<String>? = nil, progress: ((Int64) -> Void)? = nil) throws
        -> Int64
    {
        let selected = configuration.projections.filter { names?.contains($0.name) ?? true }
        if let names {
            let unknown = names.subtracting(selected.map(\.name))
            guard unknown.isEmpty else {
                throw EventStoreError(.database, "no projection named \(unknown.sorted().joined(separator: ", "))")
            }
        }
        return try replay(selected, resetFirst: true, progress: progress)
    }

    /// Brings every projection up to the head: rebuilds those whose version changed, replays the tail
    /// for those behind (e.g. a projection added to an existing store).
    func catchUpProjections() throws {
        guard !configuration.projections.isEmpty else { return }
        let checkpoints: [String: (version: Int, position: Int64)] = try translatingErrors {
            try pool.read { db in
                var result: [String: (Int, Int64)] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT name, version, position FROM projection_checkpoints") {
                    result[row[0]] = (row[1], row[2])
                }
                return result
            }
        }
        let head = try head().position
        // In the configured order, since a projection may read the ones before it (device_status reads
        // identity): each is rebuilt or caught up only after everything before it is up to date.
        // Consecutive projections to rebuild share one pass over the log.
        var toRebuild: [any InlineProjection] = []
        func rebuildPending() throws {
            guard !toRebuild.isEmpty else { return }
            if head > 0 {
                logger.info(
                    "rebuilding projections", metadata: ["audit.projections": "\(toRebuild.map(\.name))"])
            }
            try replay(toRebuild, resetFirst: true, progress: nil)
            toRebuild = []
        }
        for projection in configuration.projections {
            guard let checkpoint = checkpoints[projection.name], checkpoint.version == projection.version else {
                toRebuild.append(projection)
                continue
            }
            guard checkpoint.position < head else { continue }
            try rebuildPending()
            try replay([projection], resetFirst: false, from: checkpoint.position, progress: nil)
        }
        try rebuildPending()
    }

    @discardableResult
    private func replay(
        _ projections: [any InlineProjection], resetFirst: Bool, from start: Int64 = 0,
        progress: ((Int64) -> Void)?
    ) throws -> Int64 {
        guard !projections.isEmpty else { return 0 }
        return try translatingErrors {
            try pool.writeWithoutTransaction { db in
                // A reset's DROP TABLE journals the whole table: in a file, not in memory. Set outside the
                // transaction, as SQLite requires, and back to what appends use afterwards.
                try db.execute(sql: "PRAGMA temp_store = DEFAULT")
                defer { try? db.execute(sql: "PRAGMA temp_store = MEMORY") }
                var count: Int64 = 0
                try db.inTransaction(.immediate) {
                    if resetFirst {
                        for projection in projections { try projection.reset(db) }
                    }
                    let writers = try ProjectionWriters(projections, db)
                    var last = start
                    // The log is read and decoded on a second thread, ahead of the folds (EventReadAhead).
                    let events = EventReadAhead(pool: pool, codec: codec, after: start)
                    defer { events.stop() }
                    while let chunk = try events.next() {
                        for event in chunk {
                            try writers.apply(event)
                            try writers.safePoint()
                            count += 1
                            last = event.position
                            if last & 0xFFFF == 0 { progress?(last) }
                        }
                    }
                    try writers.finish(db, position: last)
                    return .commit
                }
                return count
            }
        }
    }
}

extension SQLiteEventStore {
    /// The configured projections that are not up to date with the log: missing, of another version,
    /// or behind the head. A read-only store cannot catch them up; open it for writing once.
    public func staleProjections() throws -> [String] {
        guard !configuration.projections.isEmpty else { return [] }
        return try translatingErrors {
            try pool.read { db in
                let head = try Int64.fetchOne(db, sql: "SELECT max(position) FROM events") ?? 0
                var checkpoints: [String: (version: Int, position: Int64)] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT name, version, position FROM projection_checkpoints") {
                    checkpoints[row[0]] = (row[1], row[2])
                }
                return configuration.projections.filter { projection in
                    guard let checkpoint = checkpoints[projection.name] else { return true }
                    return checkpoint.version != projection.version || checkpoint.position < head
                }.map(\.name)
            }
        }
    }
}
