import AsyncHTTPClient
import EnrollmentDomain
import EventStore
import Foundation
import NIOCore
import TestSupport
import Testing

/// `enroll-audit serve` (the real binary) on SQLite and on PostgreSQL, one code path: ingest, the read API,
/// event streams and export with proofs answer the same on both, and a bad request stores nothing.
@Suite(.timeLimit(.minutes(10)))
struct ServeBackendTests {
    let directory = TemporaryDirectory()
    static let user = ProofStore.user
    static var encodedUser: String { user.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? user }

    /// A client whose read timeout is past the hang guard's bound: a quiet stream on a loaded machine must
    /// not meet the shared client's 90 s first.
    /// Never shut down: it lives as long as the test process.
    static let patientClient = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(60), read: .minutes(5))))

    /// A log key made by the real `keygen`; its verifier key is `key + ".pub"`.
    func makeKey() throws -> String {
        let key = directory.path("audit-\(UUID().uuidString).key")
        let keygen = try CommandLineTool.run(["keygen", "--origin", "example.com/enrollment-audit", "--out", key])
        #expect(keygen.status == 0, "\(keygen.stderr)")
        return key
    }

    /// Ingests the webhook sample (one request per body, in order) and the native sample (one request), on a
    /// fresh store of `backend`; checks the answers, the idempotent retry and the refused requests; and
    /// returns the read API's answers.
    func ingestAndRead(_ backend: ServeBackend, key: String) async throws -> [String: String] {
        let store = try await backend.makeStore(directory)
        let serve = try ServeProcess(store: store.address, arguments: ["--checkpoint-key", key])
        defer { serve.kill() }
        func post(_ path: String, _ body: [UInt8], type: String = "application/x-ndjson") async throws -> HTTPAnswer {
            try await HTTPAnswer.send(
                .POST, serve.baseURL + path, headers: [("Content-Type", type)], body: body, timeout: .minutes(2))
        }
        var appended: Int64 = 0
        for body in try Fixtures.lines("nanomdm-webhook.ndjson") where !body.isEmpty {
            let answer = try await post("/webhooks/mdm", Array(body.utf8), type: "application/json")
            #expect(answer.status == 200, "\(backend): \(answer.text)")
            appended += answer["appended"]?.intValue ?? 0
        }
        #expect(appended > 0)
        let native = Array(try String(contentsOfFile: Fixtures.path("native.ndjson"), encoding: .utf8).utf8)
        let stored = try await post("/v1/events", native)
        #expect(stored.status == 200, "\(backend): \(stored.text)")
        #expect(stored["records"] == .int(718))
        #expect(stored["appended"] == .int(702))
        appended += 702
        #expect(try await store.head() == appended, "\(backend): every acknowledged event is stored")
        // A retried request stores nothing twice and answers the same positions.
        let retried = try await post("/v1/events", native)
        #expect(retried["appended"] == .int(0) && retried["duplicates"] == .int(718), "\(backend)")
        #expect(retried["positions"] == stored["positions"])

        // Bad requests: a bad record, an event id stored with other content, a wrong media type. Each is a
        // 4xx, and stores nothing of its good events.
        let fresh = EventFactory.ndjsonLines(count: 2, tag: "refused")
        let firstNative = try #require(Fixtures.lines("native.ndjson").first)
        let conflicting = firstNative.replacingOccurrences(of: "\"http_status\":200", with: "\"http_status\":201")
        #expect(conflicting != firstNative)
        for (body, type, status, reason) in [
            ((fresh + ["{not json"]).ndjsonBody, "application/x-ndjson", 422, #""line":3"#),
            ((fresh + [conflicting]).ndjsonBody, "application/x-ndjson", 422, "already stored with different content"),
            (fresh.ndjsonBody, "text/csv", 415, "application/x-ndjson"),
        ] {
            let refused = try await post("/v1/events", body, type: type)
            #expect(refused.status == status, "\(backend): \(refused.text)")
            #expect(refused.text.contains(reason), "\(backend): \(refused.text)")
            #expect(refused.headers.first(name: "Content-Type") == "application/problem+json")
        }
        #expect(try await store.head() == appended, "\(backend): a refused request stores nothing")

        let readyz = try await HTTPAnswer.send(.GET, serve.baseURL + "/readyz")
        #expect(readyz.status == 200)
        #expect(readyz["role"] == (backend == .postgres ? .string("primary") : nil), "\(backend): \(readyz.text)")

        var answers: [String: String] = [:]
        let asOf = "as_of=2030-01-01T00:00:00Z"
        for path in [
            "/v1/enrollments?\(asOf)&limit=7", "/v1/enrollments?\(asOf)&state=failed",
            "/v1/enrollments?\(asOf)&user=\(Self.encodedUser)", "/v1/enrollments/\(Self.encodedUser)?\(asOf)",
            "/v1/timeline/\(Self.encodedUser)?\(asOf)", "/v1/stats", "/v1/stats?by=day",
        ] {
            let answer = try await HTTPAnswer.send(.GET, serve.baseURL + path)
            #expect(answer.status == 200, "\(backend) \(path): \(answer.text)")
            answers[path] = try StoreStamps.removed(from: answer.text)
        }
        // The second page of enrollments, by the first page's cursor.
        let cursor = try #require(
            try JSONParser.parse(answers["/v1/enrollments?\(asOf)&limit=7"] ?? "").objectValue?["next_cursor"]?
                .stringValue)
        let next = try await HTTPAnswer.send(.GET, serve.baseURL + "/v1/enrollments?\(asOf)&limit=7&cursor=\(cursor)")
        #expect(next.status == 200)
        answers["next page"] = try StoreStamps.removed(from: next.text)
        for path in ["/v1/export?proof=false", "/v1/events?follow=false&after=100"] {
            let answer = try await HTTPAnswer.send(.GET, serve.baseURL + path, timeout: .minutes(2))
            #expect(answer.status == 200)
            answers[path] = try Self.lines(answer).map(StoreStamps.removed).joined(separator: "\n")
        }
        // The console's pages, from the same read models (no tokens: no sign-in).
        for (path, shows) in [
            ("/console/enrollments/UE-b12e67531613", "tom.rossi@fabrikam.com"), ("/console/queues", "Failed"),
            ("/console/dashboard", "Funnel by step"),
        ] {
            let page = try await HTTPAnswer.send(.GET, serve.baseURL + path)
            #expect(page.status == 200 && page.text.contains(shows), "\(backend) \(path): \(page.status)")
        }
        let metrics = try await HTTPAnswer.send(.GET, serve.baseURL + "/metrics")
        #expect(metrics.status == 200)
        answers["fleet gauges"] = metrics.text.split(separator: "\n").filter {
            $0.hasPrefix("enroll_audit_enrollments")
        }
        .joined(separator: "\n")
        #expect(answers["fleet gauges"]?.isEmpty == false, "\(metrics.text)")
        #expect(serve.terminate() == 0, "\(serve.standardError)")
        return answers
    }

    /// The JSON lines of an NDJSON answer, or the `data:` of each event of a Server-Sent Events answer.
    static func lines(_ answer: HTTPAnswer) -> [String] {
        let events = EventStreamTests.events(answer.text)
        if !events.isEmpty { return events.map(\.data) }
        return answer.text.split(separator: "\n").map(String.init)
    }

    @Test func theSameRequestsGetTheSameAnswersFromSQLiteAndPostgreSQL() async throws {
        let key = try makeKey()
        var answers: [ServeBackend: [String: String]] = [:]
        for backend in ServeBackend.available { answers[backend] = try await ingestAndRead(backend, key: key) }
        let sqlite = try #require(answers[.sqlite])
        #expect(sqlite.count == 11)
        guard let postgres = answers[.postgres] else { return }
        for (path, text) in sqlite.sorted(by: { $0.key < $1.key }) {
            #expect(postgres[path] == text, "\(path) differs between SQLite and PostgreSQL")
        }
    }

    @Test(arguments: ServeBackend.available)
    func anExportWithProofsVerifiesAndAFollowingStreamSeesNewEventsAfterN(_ backend: ServeBackend) async throws {
        let key = try makeKey()
        let store = try await backend.makeStore(directory)
        let serve = try ServeProcess(store: store.address, arguments: ["--checkpoint-key", key])
        defer { serve.kill() }
        let native = Array(try String(contentsOfFile: Fixtures.path("native.ndjson"), encoding: .utf8).utf8)
        let stored = try await HTTPAnswer.send(
            .POST, serve.baseURL + "/v1/ingest?from=native", headers: Headers.ndjson, body: native,
            timeout: .minutes(2))
        #expect(stored.status == 200, "\(stored.text)")
        for path in ["/v1/export?user=\(Self.encodedUser)", "/v1/export?proof=true&after=600"] {
            let answer = try await HTTPAnswer.send(.GET, serve.baseURL + path, timeout: .minutes(2))
            #expect(answer.status == 200, "\(backend) \(path): \(answer.text)")
            let count = Self.lines(answer).count
            #expect(count == (path.contains("user") ? 9 : 102), "\(backend) \(path)")
            let file = directory.path("export-\(UUID().uuidString).ndjson")
            try Data(answer.body).write(to: URL(fileURLWithPath: file))
            let swift = try CommandLineTool.run(["verify", "--file", file, "--key", key + ".pub"])
            #expect(swift.status == 0, "\(backend) \(path): \(swift.stdout)\(swift.stderr)")
            #expect(swift.stdout.contains("ok: \(count) events"), "\(backend) \(path): \(swift.stdout)")
            let python = try PythonTool.run(["Tools/verify-export.py", file, key + ".pub"])
            #expect(python.status == 0, "\(backend) \(path): \(python.stdout)\(python.stderr)")
        }

        // A stream after N sends N+1… and then what commits while it listens, each once, in order.
        let client = Self.patientClient
        var request = HTTPClientRequest(url: serve.baseURL + "/v1/events?after=690")
        request.method = .GET
        let response = try await client.execute(request, timeout: .minutes(5))
        #expect(response.status.code == 200)
        let more = EventFactory.ndjsonLines(count: 5, tag: "live")
        let posted = try await HTTPAnswer.send(
            .POST, serve.baseURL + "/v1/events", headers: Headers.ndjson, body: more.ndjsonBody, client: client)
        #expect(posted["positions"] == .array((703...707).map { .int($0) }), "\(posted.text)")
        let outcome = await HangGuard.run(within: .seconds(180)) {
            var text = ""
            for try await chunk in response.body {
                text += String(buffer: chunk)
                if EventStreamTests.events(text).count >= 17 { break }
            }
            return text
        }
        let text = try #require(try outcome?.get(), "the stream sent the new events within 180 s")
        #expect(EventStreamTests.events(text).map(\.position) == Array(691...707), "\(backend)")
        #expect(serve.terminate() == 0, "\(serve.standardError)")
    }

    @Test(arguments: ServeBackend.available)
    func concurrentRequestsAreEachAllOrNothingAndABadOneFailsAlone(_ backend: ServeBackend) async throws {
        let store = try await backend.makeStore(directory)
        let serve = try ServeProcess(store: store.address)
        defer { serve.kill() }
        let seed = try #require(EventFactory.ndjsonLines(count: 1, tag: "seed").first)
        let seeded = try await HTTPAnswer.send(
            .POST, serve.baseURL + "/v1/events", headers: Headers.ndjson, body: [seed].ndjsonBody)
        #expect(seeded["positions"] == .array([.int(1)]))
        // The seed's event id with other content: refused by the store, inside a batch of other requests.
        let conflicting = seed.replacingOccurrences(of: #""name":"Outlook""#, with: #""name":"Edited""#)
        #expect(conflicting != seed)
        let requests = 24
        func refused(_ index: Int) -> Bool { index % 3 == 0 || index == 1 }
        let answers = try await withThrowingTaskGroup(of: (Int, HTTPAnswer).self) { group in
            for index in 0..<requests {
                var lines = EventFactory.ndjsonLines(count: 10, tag: "c\(index)")
                // Every third request holds the conflicting event, one a record that does not decode: each is
                // refused whole, and the others are stored.
                if index % 3 == 0 { lines[5] = conflicting }
                if index == 1 { lines[5] = #"{"event_id":"x","stream":"UE-bad"}"# }
                group.addTask {
                    (
                        index,
                        try await HTTPAnswer.send(
                            .POST, serve.baseURL + "/v1/events", headers: Headers.ndjson, body: lines.ndjsonBody,
                            timeout: .minutes(2))
                    )
                }
            }
            return try await group.reduce(into: [Int: HTTPAnswer]()) { $0[$1.0] = $1.1 }
        }
        var acknowledged: [Int64] = []
        for (index, answer) in answers {
            #expect(answer.status == (refused(index) ? 422 : 200), "\(backend) \(index): \(answer.text)")
            acknowledged += answer["positions"]?.arrayValue?.compactMap(\.intValue) ?? []
        }
        let stored = (0..<requests).filter { !refused($0) }.count * 10
        #expect(acknowledged.sorted() == Array(2...Int64(1 + stored)), "gapless, each once")
        try await store.withLog { log in
            let report = try await log.verify()
            #expect(report.ok, "\(report.problem ?? "")")
            let streams = Set(try await log.events(after: 0, limit: 1000).map(\.event.stream))
            #expect(streams.count == 1 + (0..<requests).filter { !refused($0) }.count * 10)
            for index in 0..<requests where refused(index) {
                #expect(!streams.contains("UE-c\(index)-0"), "nothing of a refused request is stored")
            }
        }
        #expect(serve.terminate() == 0, "\(serve.standardError)")
    }
}
