import Dispatch
import EnrollmentDomain
import EventStore
import Foundation
import PostgresStore

/// `enroll-audit-bench pg-append --store ADDRESS --writers N --batch N [--limit N] FILE`: the native NDJSON
/// of FILE appended into a PostgreSQL store (`PostgresEventStore.append`, the library's write path) by N
/// concurrent writers, each on its own connection, BATCH events per transaction.
///
/// The events are split between the writers by stream (a stream's events keep their order and stay with
/// one writer, as with writers on several hosts that each own some devices). Each writer parses its own
/// lines (`NewEvent(ndjsonLine:)`) inside the timed part, as the peer does. Prints events, seconds,
/// events_per_second, the p50/p99 latency of one append (one transaction), the client's CPU seconds, and
/// how many transactions the server made the store retry.
enum PostgresAppend {
    static func run(address: String, file: String, writers: Int, batch: Int, limit: Int?) throws {
        let location = try PostgresLocation(address)
        var lines = try Data(contentsOf: URL(fileURLWithPath: file)).split(separator: 0x0A).filter { !$0.isEmpty }
        if let limit { lines = Array(lines.prefix(limit)) }
        // Which writer owns which line: by the stream of the line (parsed once here, untimed).
        var slices = Array(repeating: [Data](), count: writers)
        var owners: [String: Int] = [:]
        for line in lines {
            let stream = try NewEvent(ndjsonLine: line).stream
            let owner = owners[stream] ?? (owners.count % writers)
            owners[stream] = owner
            slices[owner].append(Data(line))
        }
        let work = slices
        let result = try blocking {
            // The first open migrates the empty database; the others find the schema.
            var stores: [PostgresEventStore] = []
            for _ in 0..<writers { stores.append(try await PostgresEventStore.open(location)) }
            let cpuStart = cpuSeconds()
            let started = DispatchTime.now().uptimeNanoseconds
            let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
                for (store, lines) in zip(stores, work) {
                    group.addTask {
                        var latencies: [Double] = []
                        var index = 0
                        while index < lines.count {
                            let start = DispatchTime.now().uptimeNanoseconds
                            let events = try lines[index..<min(index + batch, lines.count)].map {
                                try NewEvent(ndjsonLine: $0)
                            }
                            try await store.append(events, expectedVersions: [:])
                            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                            index += batch
                        }
                        return latencies
                    }
                }
                return try await group.reduce(into: [Double]()) { $0 += $1 }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let cpu = cpuSeconds() - cpuStart
            var retried = 0
            for store in stores {
                retried += await store.retriedTransactions
                await store.close()
            }
            return (latencies, seconds, cpu, retried)
        }
        let events = Double(lines.count)
        Measurements.report([
            "events": events, "writers": Double(writers), "batch": Double(batch), "seconds": result.1,
            "events_per_second": events / result.1, "p50_ms": Stats.percentile(result.0, 50),
            "p99_ms": Stats.percentile(result.0, 99), "appends": Double(result.0.count), "cpu_seconds": result.2,
            "retried_transactions": Double(result.3), "peak_rss_mib": Measurements.peakRSSMiB(),
        ])
    }

    /// This process's CPU time so far (user + system), in seconds.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Runs async work from the synchronous harness and waits for it on this thread (the main thread is
    /// neither a Swift concurrency thread nor an event loop of postgres-nio: blocking it starves nothing).
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let box = Box<T>()
        Task {
            do { box.value = .success(try await body()) } catch { box.value = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.value!.get()
    }

    /// Written once by the task before it signals, read only after the wait.
    final class Box<T>: @unchecked Sendable {
        var value: Result<T, any Error>?
    }
}
