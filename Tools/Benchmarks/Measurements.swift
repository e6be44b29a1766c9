import EventStore
import FleetSimulator
import Foundation
import Ingest

/// Single measurements, each printing one JSON object on stdout.
enum Measurements {
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
            for line in attempt.webhookLines {
                webhookBuffer += Array(line.utf8) + [0x0A]
                lines += 1
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

    static func ingest(store path: String, file: String, compression: String, durability: String) throws {
        var configuration = StoreConfiguration()
        configuration.compression = StoreConfiguration.Compression(rawValue: compression)!
        configuration.durability = StoreConfiguration.Durability(rawValue: durability)!
        let store = try SQLiteEventStore(path: path, configuration: configuration)
        let started = Date()
        let summary = try IngestRunner().run(
            [IngestInput(name: file, handle: FileHandle(forReadingAtPath: file)!)], into: store)
        let seconds = Date().timeIntervalSince(started)
        report([
            "events": Double(summary.total.appended), "seconds": seconds,
            "events_per_second": Double(summary.total.appended) / seconds, "peak_rss_mib": peakRSSMiB(),
            "store_bytes": Double(fileSize(path)),
        ])
    }

    static func read(store path: String) throws {
        var configuration = StoreConfiguration()
        configuration.readOnly = true
        let store = try SQLiteEventStore(path: path, configuration: configuration)
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
            "peak_rss_mib": peakRSSMiB(),
        ])
    }

    static func verify(store path: String) throws {
        var configuration = StoreConfiguration()
        configuration.readOnly = true
        let store = try SQLiteEventStore(path: path, configuration: configuration)
        let started = Date()
        let result = try store.verify()
        let seconds = Date().timeIntervalSince(started)
        report([
            "events": Double(result.events), "ok": result.ok ? 1 : 0, "seconds": seconds,
            "events_per_second": Double(result.events) / seconds, "peak_rss_mib": peakRSSMiB(),
        ])
    }

    static func report(_ values: [String: Double]) {
        let fields = values.keys.sorted().map { key in
            let value = values[key]!
            let text =
                value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.3f", value)
            return "\"\(key)\":\(text)"
        }
        print("{\(fields.joined(separator: ","))}")
    }

    static func peakRSSMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    static func fileSize(_ path: String) -> Int {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return (attributes?[.size] as? NSNumber)?.intValue ?? 0
    }
}
