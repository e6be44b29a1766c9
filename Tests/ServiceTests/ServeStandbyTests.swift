import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// `enroll-audit serve` on a PostgreSQL hot standby (`pg_basebackup -R` of a primary, streaming
/// replication, both on sockets of their own): every read route answers as on the primary, ingest is
/// refused with 503 naming the replica, and `/readyz` reports the lag (and 503 beyond `--max-replica-lag`).
@Suite(.enabled(if: ServeBackend.available.contains(.postgres)))
struct ServeStandbyTests {
    let directory = TemporaryDirectory()

    static func get(_ serve: ServeProcess, _ path: String) async throws -> HTTPAnswer {
        try await HTTPAnswer.send(.GET, serve.baseURL + path, timeout: .minutes(2))
    }

    /// Polls `condition` every 50 ms for at most `seconds`; whether it held.
    static func eventually(seconds: Int = 60, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    // The limit is for a hang: two clusters, a base backup and two servers.
    @Test(.timeLimit(.minutes(10)))
    func aStandbyAnswersEveryReadRefusesIngestAndReportsItsLag() async throws {
        let primaryCluster = try PostgresCluster()
        defer { primaryCluster.stop() }
        let store = try await ServedStore.postgres(on: primaryCluster)
        let database = try #require(store.database)
        let primary = try ServeProcess(store: store.address)
        defer { primary.kill() }
        let native = Array(try String(contentsOfFile: Fixtures.path("native.ndjson"), encoding: .utf8).utf8)
        let stored = try await HTTPAnswer.send(
            .POST, primary.baseURL + "/v1/events", headers: Headers.ndjson, body: native, timeout: .minutes(2))
        #expect(stored.status == 200, "\(stored.text)")

        let standbyCluster = try PostgresCluster(standbyOf: primaryCluster)
        defer { standbyCluster.stop() }
        // After the base backup: these reach the standby through the WAL stream only.
        let late = try await HTTPAnswer.send(
            .POST, primary.baseURL + "/v1/events", headers: Headers.ndjson,
            body: EventFactory.ndjsonLines(count: 10, tag: "late").ndjsonBody)
        #expect(late.status == 200)
        let key = directory.path("audit.key")
        #expect(
            try CommandLineTool.run(["keygen", "--origin", "example.com/enrollment-audit", "--out", key]).status == 0)
        let signed = try CommandLineTool.run(["checkpoint", "--store", database.address(), "--key", key])
        #expect(signed.status == 0, "\(signed.stderr)")

        let replicaAddress = standbyCluster.address(user: database.writer, database: database.name)
        let standby = try ServeProcess(store: replicaAddress, arguments: ["--max-replica-lag", "1s"])
        defer { standby.kill() }
        let user = ServeBackendTests.encodedUser
        let full = try await Self.get(primary, "/v1/export?proof=false").text
        #expect(
            try await Self.eventually { try await Self.get(standby, "/v1/export?proof=false").text == full },
            "the standby replayed the primary's appends")

        for path in [
            // A fixed `as_of`: a stall measured from now differs between two requests a moment apart.
            "/v1/enrollments?as_of=2030-01-01T00:00:00Z&limit=20", "/v1/enrollments/\(user)?as_of=2030-01-01T00:00:00Z",
            "/v1/timeline/\(user)?as_of=2030-01-01T00:00:00Z",
            "/v1/stats?by=day", "/v1/events?follow=false&after=700", "/v1/export?user=\(user)&proof=false",
        ] {
            let (fromStandby, fromPrimary) = (try await Self.get(standby, path), try await Self.get(primary, path))
            #expect(fromStandby.status == 200, "\(path): \(fromStandby.text)")
            #expect(!fromStandby.body.isEmpty && fromStandby.text == fromPrimary.text, "\(path)")
        }
        let metrics = try await Self.get(standby, "/metrics")
        #expect(metrics.status == 200 && metrics.text.contains("enroll_audit_enrollments"))
        // An export with proofs, against the checkpoint the primary recorded (the standby signs none).
        let proven = try await Self.get(standby, "/v1/export?user=\(user)")
        #expect(proven.status == 200, "\(proven.text)")
        let file = directory.path("standby-export.ndjson")
        try Data(proven.body).write(to: URL(fileURLWithPath: file))
        let verify = try CommandLineTool.run(["verify", "--file", file, "--key", key + ".pub"])
        #expect(verify.status == 0 && verify.stdout.contains("ok: 9 events"), "\(verify.stdout)\(verify.stderr)")

        // Ingest is refused, whole, before anything is tried: the replica takes no writes.
        let body = EventFactory.ndjsonLines(count: 2, tag: "standby").ndjsonBody
        for (path, type) in [
            ("/v1/events", "application/x-ndjson"), ("/v1/ingest", "application/x-ndjson"),
            ("/webhooks/mdm", "application/json"),
        ] {
            let refused = try await HTTPAnswer.send(
                .POST, standby.baseURL + path, headers: [("Content-Type", type)], body: body)
            #expect(refused.status == 503, "\(path): \(refused.text)")
            #expect(refused["type"]?.stringValue?.hasSuffix("read-only-replica") == true, "\(refused.text)")
            #expect(refused["title"]?.stringValue?.contains("read-only replica") == true)
        }
        #expect(try await Self.get(standby, "/v1/export?proof=false").text == full, "nothing was stored")

        // `/readyz`: the primary says it is; the standby, caught up, shows its lag (0: all WAL replayed).
        let primaryReady = try await Self.get(primary, "/readyz")
        #expect(primaryReady.status == 200 && primaryReady["role"] == .string("primary"), "\(primaryReady.text)")
        let caughtUp = try await Self.get(standby, "/readyz")
        #expect(caughtUp.status == 200, "\(caughtUp.text)")
        #expect(caughtUp["role"] == .string("standby") && caughtUp["read_only"] == .bool(true))
        #expect(caughtUp["lag_ms"] == .int(0) && caughtUp["unreplayed_bytes"] == .int(0), "\(caughtUp.text)")
        #expect(caughtUp["replay_delay_ms"]?.intValue != nil, "\(caughtUp.text)")

        // Replay paused while the primary commits: WAL arrives unreplayed, the lag grows past the limit,
        // and /readyz answers 503 until replay resumes.
        try standbyCluster.psql("SELECT pg_wal_replay_pause()", database: database.name)
        let unreplayed = try await HTTPAnswer.send(
            .POST, primary.baseURL + "/v1/events", headers: Headers.ndjson,
            body: EventFactory.ndjsonLines(count: 3, tag: "paused").ndjsonBody)
        #expect(unreplayed.status == 200)
        var lagging: HTTPAnswer?
        #expect(
            try await Self.eventually {
                let answer = try await Self.get(standby, "/readyz")
                lagging = answer
                return answer.status == 503
            }, "\(lagging?.text ?? "")")
        #expect(lagging?["type"]?.stringValue?.hasSuffix("replica-lagging") == true, "\(lagging?.text ?? "")")
        try standbyCluster.psql("SELECT pg_wal_replay_resume()", database: database.name)
        #expect(try await Self.eventually { try await Self.get(standby, "/readyz").status == 200 })
        #expect(standby.terminate() == 0, "\(standby.standardError)")
        #expect(primary.terminate() == 0, "\(primary.standardError)")
    }
}
