import EnrollmentDomain
import EventStore
import Export
import FleetSimulator
import Foundation
import GRDB
import GRDBSQLite
import Ingest
import Projections

/// Single measurements, each run in a child process of its own (so its peak RSS is its own) and printing
/// one JSON object of numbers on stdout.
enum Measurements {
    /// Writes the simulator's native NDJSON (and, optionally, its NanoMDM webhook lines).
    static func generate(users: Int, out: String, webhooks: String?) throws {
        let simulator = FleetSimulator(seed: 42, users: users)
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        let handle = FileHandle(forWritingAtPath: out)!
        var webhookHandle: FileHandle?
        if let webhooks {
            _ = FileManager.default.createFile(atPath: webhooks, contents: nil)
            webhookHandle = FileHandle(forWritingAtPath: webhooks)
        }
        var buffer: [UInt8] = []
        var webhookBuffer: [UInt8] = []
        var events = 0
        var lines = 0
        try simulator.forEachAttempt { attempt in
            for event in attempt.events {
                event.jsonValue.write(to: &buffer)
                buffer.append(0x0A)
                events += 1
            }
            if webhookHandle != nil {
                for line in attempt.webhookLines {
                    webhookBuffer += Array(line.utf8) + [0x0A]
                    lines += 1
                }
            }
            if buffer.count > 1 << 20 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
            if webhookBuffer.count > 1 << 20 {
                try webhookHandle?.write(contentsOf: webhookBuffer)
                webhookBuffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: buffer)
        try webhookHandle?.write(contentsOf: webhookBuffer)
        report(["events": Double(events), "webhook_lines": Double(lines)])
    }

    /// Bulk ingest of one file with `IngestRunner` (one transaction), into a fresh store.
    static func ingest(
        store path: String, file: String, compression: String, projections: Bool, writerCacheKiB: Int? = nil,
        commitEvery: Int? = nil
    ) throws {
        removeStore(path)
        var configuration = StoreConfiguration()
        if let writerCacheKiB { configuration.writerPageCacheKiB = writerCacheKiB }
        configuration.compression = StoreConfiguration.Compression(rawValue: compression)!
        configuration.projections = projections ? ProjectionSet.all : []
        let store = try SQLiteEventStore(path: path, configuration: configuration)
        let started = Date()
        var options = IngestOptions()
        options.commitEvery = commitEvery
        let summary = try IngestRunner(options: options).run(
            [IngestInput(name: file, handle: FileHandle(forReadingAtPath: file)!)], into: store)
        let seconds = Date().timeIntervalSince(started)
        let events = Double(summary.total.appended)
        report([
            "events": events, "seconds": seconds, "events_per_second": events / seconds,
            "peak_rss_mib": peakRSSMiB(), "sqlite_peak_mib": sqlitePeakMiB(),
            "store_bytes": Double(fileSize(path) + fileSize(path + "-wal")),
            "events_table_bytes": Double(try eventsTableBytes(store)),
        ])
    }

    /// The pages of the `events` table and its two unique indexes (`dbstat`), or -1 when SQLite was built
    /// without it.
    static func eventsTableBytes(_ store: SQLiteEventStore) throws -> Int {
        (try? store.read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT sum(pgsize) FROM dbstat
                    WHERE name IN ('events', 'sqlite_autoindex_events_1', 'sqlite_autoindex_events_2')
                    """)
        } ?? -1) ?? -1
    }

    /// Durable single appends: a fresh store, `synchronous=FULL`, projections inline, one transaction per
    /// event (`store.append([event])`); the latency of each.
    static func singleAppends(store path: String, input: String, count: Int) throws {
        removeStore(path)
        var events: [NewEvent] = []
        // The first lines of the input are enough: read a few MiB, not the whole file.
        let head = try FileHandle(forReadingAtPath: input)!.read(upToCount: 8 << 20) ?? Data()
        for line in head.split(separator: 0x0A).dropLast().prefix(count) {
            events.append(try NewEvent(ndjsonLine: line))
        }
        var configuration = StoreConfiguration()
        configuration.durability = .full
        configuration.projections = ProjectionSet.all
        let store = try SQLiteEventStore(path: path, configuration: configuration)
        var latencies: [Double] = []
        let started = Date()
        for event in events {
            let start = DispatchTime.now().uptimeNanoseconds
            try store.append([event])
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        let seconds = Date().timeIntervalSince(started)
        report([
            "events": Double(events.count), "seconds": seconds, "p50_ms": Stats.percentile(latencies, 50),
            "p99_ms": Stats.percentile(latencies, 99), "peak_rss_mib": peakRSSMiB(), "sqlite_peak_mib": sqlitePeakMiB(),
        ])
    }

    /// A plain sequential read of the whole log (`forEachEvent`): the baseline of rebuild and export.
    static func read(store path: String) throws {
        let store = try openReadOnly(path)
        let started = Date()
        var count = 0
        var bytes = 0
        try store.forEachEvent { event in
            count += 1
            bytes &+= event.event.data.count
            return true
        }
        let seconds = Date().timeIntervalSince(started)
        report([
            "events": Double(count), "seconds": seconds, "events_per_second": Double(count) / seconds,
            "peak_rss_mib": peakRSSMiB(), "sqlite_peak_mib": sqlitePeakMiB(),
        ])
    }

    /// `store.rebuildProjections()` of every projection.
    static func rebuild(store path: String, writerCacheKiB: Int? = nil) throws {
        var configuration = StoreConfiguration()
        configuration.projections = ProjectionSet.all
        if let writerCacheKiB { configuration.writerPageCacheKiB = writerCacheKiB }
        let store = try SQLiteEventStore(path: path, configuration: configuration)
        let events = try store.head().position
        let started = Date()
        try store.rebuildProjections()
        let seconds = Date().timeIntervalSince(started)
        report([
            "events": Double(events), "seconds": seconds, "events_per_second": Double(events) / seconds,
            "peak_rss_mib": peakRSSMiB(), "sqlite_peak_mib": sqlitePeakMiB(),
        ])
    }

    /// The whole log exported as NDJSON (optionally an LZ4 frame) to a file, in process.
    static func export(store path: String, out: String, lz4: Bool, cacheKiB: Int?) throws {
        let store = try openReadOnly(path, cacheKiB: cacheKiB)
        let file = try OutputFile(path: out, replacing: true)
        let started = Date()
        let count = try EventExporter(format: .ndjson).export(from: store, to: try ByteSink(output: file, lz4: lz4))
        try file.commit()
        let seconds = Date().timeIntervalSince(started)
        report([
            "events": Double(count), "seconds": seconds, "events_per_second": Double(count) / seconds,
            "bytes": Double(fileSize(out)), "peak_rss_mib": peakRSSMiB(), "sqlite_peak_mib": sqlitePeakMiB(),
        ])
    }

    static func verify(store path: String) throws {
        let store = try openReadOnly(path)
        let started = Date()
        let result = try store.verify()
        let seconds = Date().timeIntervalSince(started)
        report([
            "events": Double(result.events), "ok": result.ok ? 1 : 0, "seconds": seconds,
            "events_per_second": Double(result.events) / seconds, "peak_rss_mib": peakRSSMiB(),
            "sqlite_peak_mib": sqlitePeakMiB(),
        ])
    }

    static func openReadOnly(_ path: String, cacheKiB: Int? = nil) throws -> SQLiteEventStore {
        var configuration = StoreConfiguration()
        configuration.readOnly = true
        configuration.projections = ProjectionSet.all
        // To tell SQLite's page cache from the rest in a peak RSS.
        if let cacheKiB { configuration.pageCacheKiB = cacheKiB }
        return try SQLiteEventStore(path: path, configuration: configuration)
    }

    static func removeStore(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    static func report(_ values: [String: Double]) {
        let fields = values.keys.sorted().map { key in
            let value = values[key]!
            let text =
                value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.6f", value)
            return "\"\(key)\":\(text)"
        }
        print("{\(fields.joined(separator: ","))}")
    }

    static func peakRSSMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// The most memory SQLite's allocator held at once (page caches, statements), in MiB: the part of the
    /// peak RSS that its configured cache sizes bound.
    static func sqlitePeakMiB() -> Double {
        var current: sqlite3_int64 = 0
        var highwater: sqlite3_int64 = 0
        sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &current, &highwater, 0)
        return Double(highwater) / 1_048_576
    }

    static func fileSize(_ path: String) -> Int {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return (attributes?[.size] as? NSNumber)?.intValue ?? 0
    }
}
