import AsyncHTTPClient
import Console
import EnrollmentDomain
import EventStore
import Foundation
import Projections
import Service
import TestSupport

/// A console on a real server, signed in or not, read by a client that does not follow redirects (so
/// the tests see the sign-in's 303 and its cookie).
struct ConsoleClient {
    static let readToken = "console-read-token-0123456789abcdef"
    static let ingestToken = "console-ingest-token-0123456789abcdef"
    static let tokens = "\(readToken) read\n\(ingestToken) ingest\n"

    /// Never shut down: it lives as long as the test process.
    static let noRedirects = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    let server: TestServer
    var cookie: String?

    /// Runs `body` with a server with the console mounted, and the test tokens.
    static func with<T>(_ body: (ConsoleClient) async throws -> T) async throws -> T {
        let tokens = try AccessTokens(parsing: Self.tokens, file: "tokens")
        // A log key, so that exports carry proofs (each signs its checkpoint), as `serve --checkpoint-key`.
        let signer = try NoteSigner(generatingFor: "example.com/console-tests")
        return try await TestServer.with(
            extraRoutes: [try ConsoleRoutes()],
            configure: {
                $0.tokens = tokens
                $0.checkpointSigner = signer
            }
        ) { server in try await body(ConsoleClient(server: server)) }
    }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> HTTPAnswer {
        try await server.request(.GET, path, headers: headers + cookieHeader, client: Self.noRedirects)
    }

    /// Posts a form (`application/x-www-form-urlencoded`).
    func post(_ path: String, _ fields: [(String, String)]) async throws -> HTTPAnswer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
        return try await server.request(
            .POST, path, headers: [("Content-Type", "application/x-www-form-urlencoded")] + cookieHeader,
            body: Array(body.utf8), client: Self.noRedirects)
    }

    var cookieHeader: [(String, String)] { cookie.map { [("Cookie", "enroll_audit_session=\($0)")] } ?? [] }

    /// Signs in with the read token; returns a client that sends the session cookie.
    func signedIn() async throws -> ConsoleClient {
        let answer = try await post("/console/login", [("token", Self.readToken)])
        guard answer.status == 303, let setCookie = answer.headers.first(name: "Set-Cookie"),
            let pair = setCookie.split(separator: ";").first, let value = pair.split(separator: "=").last
        else { throw TestFailure("sign-in failed: \(answer.status)") }
        var client = self
        client.cookie = String(value)
        return client
    }

    /// Posts native NDJSON events through the API.
    func ingest(_ lines: [String]) async throws {
        let answer = try await server.request(
            .POST, "/v1/events", headers: Headers.ndjson + [Headers.bearer(Self.ingestToken)], body: lines.ndjsonBody)
        guard answer.status == 200 else { throw TestFailure("ingest: \(answer.status) \(answer.text)") }
    }
}

/// What Python's html.parser builds from a page (Tools/html-facts.py): the elements with their
/// attributes, and the text.
struct HTMLFacts {
    struct Element {
        var tag: String
        var attributes: [(name: String, value: String)]

        func attribute(_ name: String) -> String? { attributes.first { $0.name == name }?.value }
    }

    var elements: [Element]
    var texts: [String]

    /// Parses `page` with Python on a thread of its own (``offThePool(_:)``).
    init(_ page: String) async throws {
        let result = try await offThePool { try PythonTool.run(["Tools/html-facts.py"], stdin: Data(page.utf8)) }
        guard result.status == 0 else { throw TestFailure("html-facts: \(result.stderr)") }
        let json = try JSONParser.parse(Array(result.stdoutData))
        elements = (json.objectValue?["elements"]?.arrayValue ?? []).map { element in
            let object = element.objectValue ?? [:]
            let attributes = (object["attributes"]?.arrayValue ?? []).compactMap { pair -> (String, String)? in
                guard let parts = pair.arrayValue, parts.count == 2, let name = parts[0].stringValue,
                    let value = parts[1].stringValue
                else { return nil }
                return (name, value)
            }
            return Element(tag: object["tag"]?.stringValue ?? "", attributes: attributes)
        }
        texts = (json.objectValue?["texts"]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    /// All text of the page, runs joined by a space.
    var text: String { texts.joined(separator: " ") }

    func elements(_ tag: String) -> [Element] { elements.filter { $0.tag == tag } }

    /// The elements whose `class` attribute has `name`.
    func elements(class name: String) -> [Element] {
        elements.filter { ($0.attribute("class") ?? "").split(separator: " ").contains(Substring(name)) }
    }
}

/// The failed enrollment of the native sample (`UE-a541bf7110fe`) as the queries see it.
struct FailedSample {
    var session: ConsoleClient
    var status: DeviceStatus
    var entries: [TimelineEntry]
    /// The hint of its latest failed entry.
    var hint: Hint

    /// Ingests `native.ndjson` through the API, signs in, and reads the enrollment.
    init(_ console: ConsoleClient) async throws {
        try await console.ingest(try Fixtures.lines("native.ndjson"))
        session = try await console.signedIn()
        let queries = console.server.queries
        guard let status = try queries.enrollments(matching: "UE-a541bf7110fe").first else {
            throw TestFailure("the native sample has no UE-a541bf7110fe")
        }
        self.status = status
        entries = try queries.timeline(of: [status])
        guard let hint = entries.last(where: { $0.outcome == .failed && $0.hint != nil })?.hint else {
            throw TestFailure("UE-a541bf7110fe has no hinted failure")
        }
        self.hint = hint
    }
}

/// Runs blocking work (a child process waited for, a store opened) on a thread of its own, so that it
/// does not hold one of the few threads of the test's task pool while other tests need them.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
