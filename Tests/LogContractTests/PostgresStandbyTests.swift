import EnrollmentDomain
import EventStore
import Foundation
import PostgresStore
import TestSupport
import Testing

/// A primary and a hot standby fed by streaming replication (`pg_basebackup -R`), both on sockets of
/// their own: events appended on the primary are read on the standby, by every read command, read-only.
@Suite(.enabled(if: LogBackend.available.contains(.postgres)))
struct PostgresStandbyTests {
    let directory = TemporaryDirectory()

    // The limit is for a hang: alone the test takes about 110 s; under the whole suite on two loaded cores,
    // two clusters, a base backup and a dozen CLI runs were seen to pass five minutes.
    @Test(.timeLimit(.minutes(10)))
    func readCommandsWorkOnAStreamingStandbyWhichRefusesWritesAndReportsItsLag() async throws {
        let primary = try PostgresCluster()
        defer { primary.stop() }
        let database = try primary.makeDatabase()
        let writer = try await PostgresFixture.writer(database)
        try await writer.append(try ContractEvents.sample())
        let key = directory.path("audit.key")
        #expect(
            try CommandLineTool.run(["keygen", "--origin", "example.com/enrollment-audit", "--out", key]).status == 0)

        let standby = try PostgresCluster(standbyOf: primary)
        defer { standby.stop() }
        let replica = standby.address(user: database.writer, database: database.name)
        let reader = try await PostgresEventStore.open(try PostgresLocation(replica), migrate: false)
        // Appended and signed after the base backup: these reach the standby through the WAL stream only.
        try await writer.append((0..<10).map { ContractEvents.event("UE-late", $0) })
        let signed = try CommandLineTool.run(["checkpoint", "--store", database.address(), "--key", key])
        #expect(signed.status == 0, "\(signed.stderr)")
        let checkpointFile = directory.path("checkpoint.txt")
        try Data(signed.stdout.utf8).write(to: URL(fileURLWithPath: checkpointFile))
        let head = try await writer.head()
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let (replayed, checkpoints) = (try await reader.head(), try await reader.checkpoints())
            if replayed == head, !checkpoints.isEmpty { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await reader.head() == head, "the standby replayed the primary's appends")
        #expect(try await reader.checkpoints().count == 1)
        let status = try await reader.replicationStatus()
        #expect(status.isStandby)
        #expect(status.replayDelayMilliseconds != nil)
        #expect(status.unreplayedBytes == 0)
        #expect(try await writer.replicationStatus() == ReplicationStatus(isStandby: false))

        let verify = try CommandLineTool.run(["verify", "--store", replica, "--format", "json"])
        #expect(verify.status == 0, "\(verify.stderr)")
        let report = try JSONParser.parse(verify.stdout).objectValue ?? [:]
        #expect(report["events"] == .int(712))
        #expect(report["head_hash"] == .string(head.digest))
        let proven = try CommandLineTool.run([
            "verify", "--store", replica, "--checkpoint", checkpointFile, "--key", key + ".pub",
        ])
        #expect(proven.status == 0, "\(proven.stderr)")
        #expect(proven.stdout.contains("consistency proven"))
        // The query commands too: their snapshots are REPEATABLE READ READ ONLY, which a standby serves.
        for arguments in [
            ["export", "--proof"], ["export", "--format", "csv"], ["tail", "--after", "690"],
            // A fixed `--as-of`: a stall measured from now differs between two runs a moment apart.
            ["stats", "--format", "json"], ["devices", "--format", "json", "--as-of", "2030-01-01T00:00:00Z"],
        ] {
            let fromStandby = try CommandLineTool.run(arguments + ["--store", replica])
            let fromPrimary = try CommandLineTool.run(arguments + ["--store", database.address(user: database.writer)])
            #expect(fromStandby.status == 0, "\(arguments): \(fromStandby.stderr)")
            #expect(fromStandby.stdout == fromPrimary.stdout, "\(arguments)")
            #expect(!fromStandby.stdout.isEmpty)
        }
        // Writes go to the primary: the standby refuses them, clearly, and stays as it was.
        let signOnStandby = try CommandLineTool.run(["checkpoint", "--store", replica, "--key", key])
        #expect(signOnStandby.status != 0)
        #expect(signOnStandby.stderr.contains("read-only (a hot standby?)"), "\(signOnStandby.stderr)")
        let line = EventFactory.ndjsonLines(count: 1).joined()
        let appendOnStandby = try CommandLineTool.run(["append", "--store", replica, line])
        #expect(appendOnStandby.status != 0)
        #expect(appendOnStandby.stderr.contains("read-only"), "\(appendOnStandby.stderr)")
        #expect(try await reader.head() == head)

        // The standby refuses LISTEN while in recovery: a follower there polls, and still sees every event.
        let listened = Order()
        let follower = Task { () -> [Int64] in
            var positions: [Int64] = []
            do {
                try await reader.follow(
                    after: head.position, pollInterval: .milliseconds(200), listening: { listened.note("\($0)") }
                ) { page in
                    positions += page.map(\.position)
                    if positions.count >= 3 { throw CancellationError() }
                }
            } catch is CancellationError {}
            return positions
        }
        for index in 0..<3 { try await writer.append([ContractEvents.event("UE-later", index)]) }
        let followed = try await withTimeout(seconds: 60) { try await follower.value }
        #expect(followed == [head.position + 1, head.position + 2, head.position + 3])
        #expect(!listened.entries.contains("true"), "LISTEN never worked on the standby")
        await reader.close()
        await writer.close()
    }
}
