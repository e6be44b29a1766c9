import EventStore
import Foundation
import GRDB

/// What the two UNIQUE indexes of `events` cost a bulk load, and what building them after the load
/// (sorted) would save: issue 13's "bulk load into an empty store" measured before it is built.
///
/// The rows of a real store are copied, in position order and in one transaction, into a scratch table
/// of the same columns twice per run: once with `UNIQUE (event_id)` and `UNIQUE (stream_id, version)`
/// inline (what every append maintains today: a random-keyed B-tree insert per row), once without them
/// and with both indexes created after the copy (one sorted build each). With `--copies N` the rows are
/// first repeated N times under fresh random event ids and shifted positions and stream ids (untimed), to
/// stand for a larger load than the store holds. Only the copy (and the builds) are timed, in CPU seconds
/// of this process (user + system, `getrusage`): wall clock on a shared machine is noise.
enum IndexCost {
    /// - Parameter cacheKiB: the scratch connection's page cache; `nil`: the store writer's default.
    static func run(store path: String, copies: Int, runs: Int, cacheKiB: Int?) throws {
        let cacheKiB = cacheKiB ?? StoreConfiguration().writerPageCacheKiB
        let scratch = path + ".index-cost.sqlite"
        Measurements.removeStore(scratch)
        defer { Measurements.removeStore(scratch) }
        let queue = try DatabaseQueue(path: scratch)
        let columns = """
            type, schema, occurred_at, recorded_at, source, user, correlation_id, known_type, codec, dictionary_id,
            data_size, payload, hash
            """
        var rows = 0
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA cache_size = -\(cacheKiB)")
            try db.execute(sql: "ATTACH DATABASE ? AS source", arguments: [path])
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM source.events") ?? 0
            let streams = try Int.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM source.streams") ?? 0
            try db.execute(
                sql: """
                    CREATE TEMP TABLE copies(k INTEGER PRIMARY KEY);
                    WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k + 1 < \(max(1, copies)))
                    INSERT INTO copies SELECT k FROM n;
                    CREATE TABLE rows AS
                        SELECT position + k * \(count) AS position,
                            CASE k WHEN 0 THEN event_id ELSE randomblob(16) END AS event_id,
                            stream_id + k * \(streams) AS stream_id, version, \(columns)
                        FROM copies, source.events ORDER BY k, position;
                    """)
            rows = try Int.fetchOne(db, sql: "SELECT count(*) FROM rows") ?? 0
            try db.execute(sql: "DETACH DATABASE source")
        }
        var inline: [Double] = []
        var deferred: [Double] = []
        var builds: [Double] = []
        for _ in 0..<max(1, runs) {
            inline.append(try load(queue, columns: columns, inlineIndexes: true).total)
            let (total, build) = try load(queue, columns: columns, inlineIndexes: false)
            deferred.append(total)
            builds.append(build)
        }
        let medianInline = Stats.median(inline)
        let medianDeferred = Stats.median(deferred)
        Measurements.report([
            "rows": Double(rows), "runs": Double(inline.count), "cache_kib": Double(cacheKiB),
            "inline_cpu_seconds": medianInline, "deferred_cpu_seconds": medianDeferred,
            "build_cpu_seconds": Stats.median(builds), "saved_cpu_seconds": medianInline - medianDeferred,
            "deferred_over_inline": medianDeferred / max(medianInline, 1e-9),
        ])
    }

    /// One copy of `rows` into a fresh `events`: CPU seconds of the whole load, and of the index builds
    /// alone when they come after it.
    private static func load(_ queue: DatabaseQueue, columns: String, inlineIndexes: Bool) throws -> (
        total: Double, build: Double
    ) {
        try queue.inDatabase { db in
            try db.execute(sql: "DROP TABLE IF EXISTS events")
            try db.execute(
                sql: """
                    CREATE TABLE events (position INTEGER PRIMARY KEY,
                        event_id BLOB NOT NULL\(inlineIndexes ? " UNIQUE" : ""), stream_id INTEGER NOT NULL,
                        version INTEGER NOT NULL, \(columns)\(inlineIndexes ? ", UNIQUE (stream_id, version)" : ""))
                    """)
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        var build = 0.0
        let started = PostgresAppend.cpuSeconds()
        try queue.inTransaction { db in
            try db.execute(
                sql: "INSERT INTO events SELECT position, event_id, stream_id, version, \(columns) FROM rows ORDER BY 1"
            )
            if !inlineIndexes {
                let buildStarted = PostgresAppend.cpuSeconds()
                try db.execute(sql: "CREATE UNIQUE INDEX events_event_id ON events(event_id)")
                try db.execute(sql: "CREATE UNIQUE INDEX events_stream_version ON events(stream_id, version)")
                build = PostgresAppend.cpuSeconds() - buildStarted
            }
            return .commit
        }
        return (PostgresAppend.cpuSeconds() - started, build)
    }
}
