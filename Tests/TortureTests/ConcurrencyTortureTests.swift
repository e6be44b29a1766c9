import EnrollmentDomain
import EventStore
import Foundation
import TestSupport
import Testing

extension TortureTests {
    /// Four writer processes and four reader processes on one store for a bounded time, with a
    /// `tail --follow` watching from the start.
    struct Concurrency {
        let directory = TemporaryDirectory()
        static let seconds = TortureScale.pick(short: 8.0, full: 60.0)
        /// Events per batch (writer 1: a hundred times more). A batch's events share a tag that names its size,
        /// so a reader can tell a half-applied batch.
        static let batch = 7
        /// A command is slow past this (reported, with how many were); the goal on an idle machine.
        static let deadline = 60.0
        /// A command still running after this is a deadlock: killed and a finding. Far past ``deadline``,
        /// because on a machine loaded by other builds and tests a command that commits its batch can take
        /// longer than a minute to end, and killing it then would lose its acknowledgement, not its batch.
        static let hangLimit = 180.0

        /// What the run observed, shared by the threads.
        struct Findings {
            var batches: [String: [UUID]] = [:]
            var failures: [String] = []
            var runs: [String: Int] = [:]
            var hung: [String] = []
            var slow = 0
            var slowest = 0.0
        }

        @Test(.timeLimit(.minutes(5)))
        func writersAndReadersLoseNothingDuplicateNothingAndNeverSeeHalfABatch() throws {
            let store = directory.path("shared.sqlite")
            let seed = try NativeInput(
                path: directory.path("seed.ndjson"), count: Self.batch, tag: "seed-n\(Self.batch)", batch: Self.batch)
            #expect(try CommandLineTool.run(["ingest", "--store", store, seed.path]).status == 0)
            let tail = try Child(["tail", "--follow", "--store", store], in: directory, name: "tail")
            let findings = Locked(Findings())
            findings.withLock { $0.batches["seed-n\(Self.batch)-b0"] = seed.ids }
            let end = Date().addingTimeInterval(Self.seconds)
            let directory = self.directory
            runThreads(8) { worker in
                var random = SeededGenerator(seed: TortureScale.seed &+ UInt64(worker))
                var round = 0
                while Date() < end {
                    round += 1
                    let name = "w\(worker)-r\(round)"
                    let started = Date()
                    do {
                        if worker < 4 {
                            try Self.write(worker, round, name, store, directory, findings, &random)
                        } else {
                            try Self.read(worker, name, store, directory, findings)
                        }
                    } catch {
                        findings.withLock { $0.failures.append("\(name): \(error)") }
                    }
                    let took = Date().timeIntervalSince(started)
                    findings.withLock {
                        $0.runs[worker < 4 ? "writes" : "reads", default: 0] += 1
                        $0.slowest = max($0.slowest, took)
                        if took > Self.deadline { $0.slow += 1 }
                    }
                }
            }
            // Let the follower catch up with the last commit, then compare it with a final export.
            let final = try CommandLineTool.run(["export", "--store", store])
            #expect(final.status == 0, "\(final.stderr)")
            let exported = try Self.parse(final.stdout)
            let caughtUp = Date().addingTimeInterval(15)
            while Date() < caughtUp, (try? Self.parse(tail.stdout).count) ?? 0 < exported.count { usleep(100_000) }
            tail.stop(SIGTERM)
            let result = findings.withLock { $0 }
            #expect(result.failures.isEmpty, "\(result.failures.prefix(10))")
            #expect(result.hung.isEmpty, "commands that did not end within \(Self.hangLimit) s: \(result.hung)")

            // Nothing lost, nothing twice.
            let expected = result.batches.values.flatMap { $0 }
            #expect(Set(expected).count == expected.count)
            let ids = exported.map(\.id)
            #expect(ids.count == expected.count)
            #expect(Set(ids) == Set(expected))
            #expect(exported.map(\.position) == Array(1...Int64(exported.count)), "positions are not gapless")
            #expect(try SQLiteEventStore(path: store).verify().ok)

            // The follower saw every event once, in position order.
            let followed = try Self.parse(tail.stdout)
            #expect(followed.map(\.position) == exported.map(\.position))
            #expect(followed.map(\.id) == ids)
            TortureScale.report(
                "concurrency: \(Self.seconds) s, \(result.runs["writes"] ?? 0) writer commands, "
                    + "\(result.runs["reads"] ?? 0) reader commands, \(exported.count) events in "
                    + "\(result.batches.count) batches, slowest command \(String(format: "%.1f", result.slowest)) s, "
                    + "\(result.slow) over \(Self.deadline) s")
        }

        /// One writer round: a new batch through `ingest` (writers 0 and 1) or `append` (2 and 3), and now
        /// and then an earlier batch again, which must be all duplicates.
        static func write(
            _ worker: Int, _ round: Int, _ name: String, _ store: String, _ directory: TemporaryDirectory,
            _ findings: Locked<Findings>, _ random: inout SeededGenerator
        ) throws {
            // Writer 1 writes large batches, whose transactions last long enough for the others to wait on.
            let size = worker == 1 ? batch * 100 : batch
            let tag = "w\(worker)-r\(round)-n\(size)"
            let input = try NativeInput(path: directory.path("\(name).ndjson"), count: size, tag: tag, batch: size)
            let repeatEarlier = round > 2 && Int.random(in: 0..<4, using: &random) == 0
            let path = repeatEarlier ? directory.path("w\(worker)-r1.ndjson") : input.path
            let arguments =
                worker < 2
                ? ["ingest", "--store", store, "--format", "json", path] : ["append", "--store", store]
            let child = try Child(arguments, in: directory, name: name, stdin: worker < 2 ? nil : path)
            guard succeeded(child, name, findings) else { return }
            if !repeatEarlier {
                findings.withLock { $0.batches["\(tag)-b0"] = input.ids }
            } else {
                let appended =
                    worker < 2 ? child.stdout.contains(#""appended":0"#) : !child.stdout.contains("appended ")
                if !appended { findings.withLock { $0.failures.append("\(name): a repeated batch was stored again") } }
                try? FileManager.default.removeItem(atPath: input.path)
            }
        }

        /// Waits for `child` until ``hangLimit``; a hang or a non-zero exit is recorded as a finding.
        static func succeeded(_ child: Child, _ name: String, _ findings: Locked<Findings>) -> Bool {
            guard let status = child.wait(deadline: hangLimit) else {
                findings.withLock { $0.hung.append(name) }
                return false
            }
            guard status == 0 else {
                findings.withLock { $0.failures.append("\(name) exited \(status): \(child.stderr)") }
                return false
            }
            return true
        }

        /// One reader round: an export (checked for whole batches), a verify, or a devices query.
        static func read(
            _ worker: Int, _ name: String, _ store: String, _ directory: TemporaryDirectory,
            _ findings: Locked<Findings>
        ) throws {
            let arguments: [String] =
                switch worker {
                case 4, 5: ["export", "--store", store]
                case 6: ["verify", "--store", store, "--format", "json"]
                default: ["devices", "--store", store]
                }
            let child = try Child(arguments, in: directory, name: name)
            guard succeeded(child, name, findings) else { return }
            if worker == 4 || worker == 5 {
                // A tag `…-n<size>-b0` names a batch of `size` events: all of them, or none.
                var perTag: [String: Int] = [:]
                for event in try parse(child.stdout) { perTag[event.tag, default: 0] += 1 }
                let partial = perTag.filter { tag, count in
                    count != Int(tag.split(separator: "-n").last?.split(separator: "-").first ?? "") ?? batch
                }
                if !partial.isEmpty { findings.withLock { $0.failures.append("\(name) saw half a batch: \(partial)") } }
            }
            try? FileManager.default.removeItem(atPath: child.stdoutPath)
        }

        struct Exported {
            var position: Int64
            var id: UUID
            var tag: String
        }

        /// The events of an NDJSON export (an unfinished last line is left out).
        static func parse(_ ndjson: String) throws -> [Exported] {
            var events: [Exported] = []
            for line in ndjson.split(separator: "\n") {
                guard let object = try? JSONParser.parse(Array(line.utf8)).objectValue else { continue }
                guard case .int(let position) = object["position"], case .string(let id) = object["event_id"],
                    let uuid = UUID(uuidString: id),
                    case .object(let data) = object["data"], case .string(let tag) = data["tag"]
                else { throw CocoaError(.coderReadCorrupt) }
                events.append(Exported(position: position, id: uuid, tag: tag))
            }
            return events
        }
    }
}
