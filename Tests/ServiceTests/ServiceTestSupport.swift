import AsyncHTTPClient
import EnrollmentDomain
import EventStore
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Projections
import Service
import TestSupport

/// A real `AuditServer` on a free loopback port over a fresh store, for one test.
final class TestServer: Sendable {
    let directory: TemporaryDirectory
    let storePath: String
    let server: AuditServer
    let port: Int
    /// The store the server writes, and its queries, for the tests' own checks.
    let store: SQLiteEventStore
    let queries: EnrollmentQueries
    private let task: Task<Void, any Error>

    var environment: ServiceEnvironment { server.environment }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(
        directory: TemporaryDirectory, storePath: String, server: AuditServer, port: Int, store: SQLiteEventStore,
        task: Task<Void, any Error>
    ) {
        self.directory = directory
        self.storePath = storePath
        self.server = server
        self.port = port
        self.store = store
        self.queries = EnrollmentQueries(
            store: store, stalledAfterSeconds: server.environment.configuration.stalledAfterSeconds)
        self.task = task
    }

    /// Starts a server; `configure` adjusts the configuration (the listen address is 127.0.0.1:0).
    static func start(
        storePath: String? = nil, extraRoutes: [any ServiceRoutes] = [],
        configure: (inout ServiceConfiguration) -> Void = { _ in },
        configureStore: (inout StoreConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        let directory = TemporaryDirectory()
        let path = storePath ?? directory.path("store.sqlite")
        var configuration = ServiceConfiguration()
        configuration.listen = ListenAddress(host: "127.0.0.1", port: 0)
        configure(&configuration)
        var storeConfiguration = StoreConfiguration()
        storeConfiguration.projections = ProjectionSet.all
        configureStore(&storeConfiguration)
        var logger = Logger(label: "serve-tests")
        logger.logLevel = .warning
        let store = try SQLiteEventStore(path: path, configuration: storeConfiguration, logger: logger)
        let environment = ServiceEnvironment(store: store, configuration: configuration, logger: logger)
        let server = try AuditServer(environment: environment, extraRoutes: extraRoutes, gracefulShutdownSignals: [])
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task {
            try await server.run { port in continuation.yield(port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestFailure("the server did not start") }
        return TestServer(
            directory: directory, storePath: path, server: server, port: port, store: store, task: task)
    }

    /// A graceful shutdown; returns when the server has stopped.
    func stop() async throws {
        await server.triggerGracefulShutdown()
        try await task.value
    }

    /// Runs `body` with a started server and always stops it.
    static func with<T>(
        storePath: String? = nil, extraRoutes: [any ServiceRoutes] = [],
        configure: (inout ServiceConfiguration) -> Void = { _ in },
        configureStore: (inout StoreConfiguration) -> Void = { _ in }, _ body: (TestServer) async throws -> T
    ) async throws -> T {
        let server = try await start(
            storePath: storePath, extraRoutes: extraRoutes, configure: configure, configureStore: configureStore)
        do {
            let result = try await body(server)
            try await server.stop()
            return result
        } catch {
            try? await server.stop()
            throw error
        }
    }

    /// Sends one request to this server.
    func request(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        timeout: TimeAmount = .seconds(60), client: HTTPClient = .shared
    ) async throws -> HTTPAnswer {
        try await HTTPAnswer.send(
            method, baseURL + path, headers: headers, body: body, timeout: timeout, client: client)
    }

    /// The number of events in the store.
    func eventCount() throws -> Int64 { try store.head().position }
}

/// One HTTP answer, read whole.
struct HTTPAnswer: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as JSON (`nil` when it is not JSON).
    var json: JSONValue? { try? JSONParser.parse(body) }

    /// A member of a JSON object body.
    subscript(member: String) -> JSONValue? { json?.objectValue?[member] }

    static func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        timeout: TimeAmount = .seconds(60), client: HTTPClient = .shared
    ) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: timeout)
        let collected = try await response.body.collect(upTo: 256 << 20)
        return HTTPAnswer(
            status: Int(response.status.code), headers: response.headers, body: Array(collected.readableBytesView))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Request headers of the tests.
enum Headers {
    static let ndjson = [("Content-Type", "application/x-ndjson")]
    static let json = [("Content-Type", "application/json; charset=utf-8")]

    static func bearer(_ token: String) -> (String, String) { ("Authorization", "Bearer \(token)") }
}

extension Array where Element == String {
    /// The lines as an NDJSON body.
    var ndjsonBody: [UInt8] { [UInt8](map { $0 + "\n" }.joined().utf8) }
}

extension JSONValue {
    /// The elements of an array (`nil` for any other value).
    var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }
}
