import EnrollmentDomain
import EventStore
import Foundation
import TestSupport
import Testing

extension TortureTests {
    /// `enroll-audit ingest` of a large file SIGKILLed at random moments, again and again on the same
    /// store: it always opens and verifies, holds each batch entirely or not at all, and a final run
    /// completes the ingest with every event stored exactly once.
    struct Crash {
        let directory = TemporaryDirectory()
        static let kills = TortureScale.pick(short: 5, full: 60)
        static let lines = TortureScale.pick(short: 4_000, full: 20_000)
        static let batch = 500

        /// How long a whole ingest of the input takes here (to spread the kills over it).
        func timeAWholeIngest(_ input: NativeInput) throws -> Double {
            let started = Date()
            let run = try CommandLineTool.run(["ingest", "--store", directory.path("timing.sqlite"), input.path])
            #expect(run.status == 0, "\(run.stderr)")
            return Date().timeIntervalSince(started)
        }

        /// Opens the store as the tool does (recovering the WAL), and checks the chain.
        func checkOpensAndVerifies(_ path: String, _ context: String) throws {
            let store = try SQLiteEventStore(path: path)
            let report = try store.verify()
            #expect(report.ok, "\(context): \(report.problem ?? "")")
        }

        @Test(.timeLimit(.minutes(12)))
        func aStrictIngestKilledAtRandomLeavesAllOrNothingAndARerunCompletesIt() throws {
            var random = SeededGenerator(seed: TortureScale.seed)
            let before = try NativeInput(path: directory.path("before.ndjson"), count: 300, tag: "before")
            let input = try NativeInput(path: directory.path("strict.ndjson"), count: Self.lines, tag: "strict")
            let store = directory.path("strict.sqlite")
            func startOver() throws {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + suffix) }
                let first = try CommandLineTool.run(["ingest", "--store", store, before.path])
                #expect(first.status == 0, "\(first.stderr)")
            }
            try startOver()
            let whole = try timeAWholeIngest(input)
            var killed = 0
            var completed = 0
            for attempt in 0..<Self.kills {
                let delay = Double.random(in: 0.02...(whole * 0.8), using: &random)
                let durability = Bool.random(using: &random) ? "full" : "normal"
                let child = try Child(
                    ["ingest", "--store", store, "--durability", durability, input.path], in: directory,
                    name: "strict-\(attempt)")
                usleep(UInt32(delay * 1_000_000))
                child.stop()
                if child.wasKilled { killed += 1 } else { completed += 1 }
                try checkOpensAndVerifies(store, "strict kill \(attempt) after \(delay) s")
                let count = try RawStore.count(store)
                #expect(
                    count == before.ids.count || count == before.ids.count + input.ids.count,
                    "strict kill \(attempt) after \(delay) s left \(count) events: a partial ingest")
                // Finished before the kill: start over, so the next kills land on a real ingest again.
                if count > before.ids.count { try startOver() }
            }
            let rerun = try CommandLineTool.run(["ingest", "--store", store, "--format", "json", input.path])
            #expect(rerun.status == 0, "\(rerun.stderr)")
            let ids = try RawStore.eventIDs(store)
            #expect(ids.count == before.ids.count + input.ids.count)
            #expect(Set(ids) == Set(before.ids + input.ids))
            try checkOpensAndVerifies(store, "after the rerun")
            TortureScale.report(
                "crash strict: \(Self.kills) kills (\(killed) mid-ingest, \(completed) after it ended), "
                    + "\(Self.lines) lines, whole ingest \(String(format: "%.1f", whole)) s")
        }

        @Test(.timeLimit(.minutes(12)))
        func aBatchedIngestKilledAtRandomKeepsWholeBatchesAndARerunCompletesIt() throws {
            var random = SeededGenerator(seed: TortureScale.seed &+ 1)
            let input = try NativeInput(path: directory.path("batched.ndjson"), count: Self.lines, tag: "batched")
            let store = directory.path("batched.sqlite")
            let whole = try timeAWholeIngest(input)
            var killed = 0
            var previous = 0
            var grew = 0
            for attempt in 0..<Self.kills {
                // Every run starts from the first record again: the batches already stored are duplicates. The
                // kill comes at a random moment after the store reached a random size, so it lands mid-ingest
                // however fast this machine is at the moment.
                let target = Int.random(in: previous...Self.lines, using: &random)
                let delay = Double.random(in: 0...0.3, using: &random)
                let durability = Bool.random(using: &random) ? "full" : "normal"
                let child = try Child(
                    [
                        "ingest", "--store", store, "--commit-every", "\(Self.batch)", "--durability", durability,
                        input.path,
                    ], in: directory, name: "batched-\(attempt)")
                let giveUp = Date().addingTimeInterval(whole * 3 + 5)
                while child.process.isRunning && Date() < giveUp && (try? RawStore.count(store)) ?? 0 < target {
                    usleep(10_000)
                }
                usleep(UInt32(delay * 1_000_000))
                child.stop()
                if child.wasKilled { killed += 1 }
                try checkOpensAndVerifies(store, "batched kill \(attempt) after \(delay) s")
                let ids = try RawStore.eventIDs(store)
                #expect(
                    ids.count % Self.batch == 0, "batched kill \(attempt) left \(ids.count) events: a partial batch")
                #expect(ids.count >= previous, "committed batches disappeared")
                #expect(ids == Array(input.ids.prefix(ids.count)), "the stored events are not the input's first ones")
                if ids.count > previous { grew += 1 }
                previous = ids.count
                if ids.count == input.ids.count {
                    // Finished: start over on a fresh store so the next kills land mid-ingest again.
                    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + suffix) }
                    previous = 0
                }
            }
            let rerun = try CommandLineTool.run([
                "ingest", "--store", store, "--commit-every", "\(Self.batch)", "--format", "json", input.path,
            ])
            #expect(rerun.status == 0, "\(rerun.stderr)")
            let summary = try #require(try JSONParser.parse(rerun.stdout).objectValue)
            #expect(summary["duplicates"] == .int(Int64(previous)))
            #expect(summary["appended"] == .int(Int64(input.ids.count - previous)))
            #expect(try RawStore.eventIDs(store) == input.ids)
            try checkOpensAndVerifies(store, "after the rerun")
            TortureScale.report(
                "crash commit-every \(Self.batch): \(Self.kills) kills (\(killed) mid-ingest, \(grew) grew the "
                    + "store), \(Self.lines) lines, whole ingest \(String(format: "%.1f", whole)) s")
        }
    }
}
