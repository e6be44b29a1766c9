import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import TestSupport
import Testing

/// A child process appending a large batch is SIGKILLed at random moments: the batch is all or nothing,
/// and the store always opens and verifies.
struct CrashTests {
    let directory = TemporaryDirectory()

    @Test(.timeLimit(.minutes(3)))
    func aKilledBatchAppendIsAllOrNothing() throws {
        let path = directory.path("crash.sqlite")
        _ = try SQLiteEventStore(path: path)
        let batchSize = 4_000
        // Seeded: a failure replays with the same kill delays.
        var generator = SeededGenerator(seed: 0xC2A5_2026)
        var committed = 0
        for round in 0..<20 {
            let input = directory.path("batch-\(round).ndjson")
            let tag = "r\(round)"
            try EventFactory.ndjsonLines(count: batchSize, streams: 50, tag: tag).joined(separator: "\n")
                .write(toFile: input, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = CommandLineTool.executable
            process.arguments = ["ingest", "--store", path, input]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 5_000...400_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let store = try SQLiteEventStore(path: path)
            let report = try store.verify()
            #expect(report.ok, "round \(round): \(report.problem ?? "")")
            let queue = try DatabaseQueue(path: path)
            let stored = try queue.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM streams WHERE name LIKE ?", arguments: ["UE-\(tag)-%"])!
            }
            let events = try store.events(inStream: "UE-\(tag)-0").count
            #expect(stored == 0 || stored == 50, "round \(round): \(stored) of 50 streams")
            #expect(events == 0 || events == batchSize / 50, "round \(round): a partial batch")
            if events > 0 { committed += 1 }
            #expect(report.events == Int64(committed * batchSize))
        }
    }
}
