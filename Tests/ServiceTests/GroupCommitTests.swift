import EnrollmentDomain
import Foundation
import Service
import TestSupport
import Testing

struct GroupCommitTests {
    @Test func concurrentRequestsShareTransactionsAndEachIsAllOrNothing() async throws {
        try await TestServer.with(configure: { $0.maximumBatchWait = .milliseconds(5) }) { server in
            // One stored event whose id the bad requests reuse with other content: a conflict found only
            // inside the transaction, after the request's earlier events were appended in its savepoint.
            let taken = EventFactory.ndjsonLines(count: 1, tag: "taken")[0]
            let seed = try await server.request(.POST, "/v1/events", headers: Headers.ndjson, body: [taken].ndjsonBody)
            #expect(seed.status == 200)
            let conflicting = taken.replacingOccurrences(of: #""tag":"taken""#, with: #""tag":"changed""#)
            let requests = 64
            let answers = try await withThrowingTaskGroup(of: (Int, HTTPAnswer).self) { group in
                for index in 0..<requests {
                    var lines = EventFactory.ndjsonLines(count: 4, streams: 4, tag: "request\(index)")
                    if index % 8 == 3 { lines.append(conflicting) }
                    let body = lines.ndjsonBody
                    group.addTask {
                        (index, try await server.request(.POST, "/v1/events", headers: Headers.ndjson, body: body))
                    }
                }
                var answers: [Int: HTTPAnswer] = [:]
                for try await (index, answer) in group { answers[index] = answer }
                return answers
            }
            for (index, answer) in answers {
                if index % 8 == 3 {
                    #expect(answer.status == 422, "request \(index)")
                    #expect(answer["errors"]?.arrayValue?.first?.objectValue?["line"]?.intValue == 5)
                } else {
                    #expect(answer.status == 200, "request \(index): \(answer.text.prefix(200))")
                    #expect(answer["appended"]?.intValue == 4)
                }
            }
            // Good requests entirely, bad ones not at all.
            let exported = try CommandLineTool.run(["export", "--store", server.storePath]).stdout
            for index in 0..<requests {
                let stored = exported.components(separatedBy: #""tag":"request\#(index)""#).count - 1
                #expect(stored == (index % 8 == 3 ? 0 : 4), "request \(index)")
            }
            #expect(try server.eventCount() == 1 + 56 * 4)
            #expect(try server.store.verify().ok)
            let commits = try await Self.commits(server)
            #expect(commits >= 2)
            #expect(commits < Double(requests + 1), "\(commits) transactions for \(requests + 1) requests")
        }
    }

    @Test func aFullQueueAnswers503WithRetryAfterAndStoresNothingOfTheRefused() async throws {
        // The writer must wait for the lock as long as the test holds it, however slow a loaded machine is.
        try await TestServer.with(configure: { $0.queueCapacity = 1 }, configureStore: { $0.busyTimeoutSeconds = 300 })
        {
            server in
            // Another process holds the write lock: the writer takes the first request and waits for the
            // lock, the second fills the queue, the rest are refused at once.
            let lock = try WriteLockHolder(path: server.storePath)
            func post(_ tag: String) async throws -> HTTPAnswer {
                try await server.request(
                    .POST, "/v1/events", headers: Headers.ndjson,
                    body: EventFactory.ndjsonLines(count: 1, tag: tag).ndjsonBody)
            }
            let committer = server.environment.committer
            func until(_ condition: () -> Bool) async throws {
                let deadline = ContinuousClock.now + .seconds(120)
                while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            }
            async let first = post("first")
            try await until { committer.committing == 1 }
            async let second = post("second")
            try await until { committer.queued == 1 }
            #expect(committer.committing == 1)
            #expect(committer.queued == 1)
            var refused: [HTTPAnswer] = []
            for index in 0..<8 { refused.append(try await post("refused\(index)")) }
            let ready = try await server.request(.GET, "/readyz")
            try lock.release()
            #expect(try await first.status == 200)
            #expect(try await second.status == 200)
            #expect(refused.allSatisfy { $0.status == 503 })
            #expect(refused.allSatisfy { $0.headers.first(name: "Retry-After") == "1" })
            #expect(refused.allSatisfy { $0["type"]?.stringValue == "urn:enroll-audit:problem:busy" })
            #expect(ready.status == 503)
            #expect(try server.eventCount() == 2)
        }
    }

    /// `enroll_audit_commits_total` from `/metrics`.
    static func commits(_ server: TestServer) async throws -> Double {
        let metrics = try await server.request(.GET, "/metrics")
        return try #require(PrometheusText.value(of: "enroll_audit_commits_total", in: metrics.text))
    }
}

/// Reads samples from the Prometheus text exposition format.
enum PrometheusText {
    /// The value of the sample whose name and labels are exactly `series` (e.g. `x{state="failed"}`).
    static func value(of series: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            if line[..<space] == series { return Double(line[line.index(after: space)...]) }
        }
        return nil
    }
}

/// Holds SQLite's write lock on a store from another process (the `sqlite3` shell) until released.
final class WriteLockHolder {
    let process = Process()
    let input = Pipe()
    let output = Pipe()

    init(path: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: Data("BEGIN IMMEDIATE;\nSELECT 'locked';\n".utf8))
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("locked") {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw TestFailure("sqlite3 ended before it took the lock") }
            seen += chunk
        }
    }

    func release() throws {
        try input.fileHandleForWriting.write(contentsOf: Data("ROLLBACK;\n".utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
