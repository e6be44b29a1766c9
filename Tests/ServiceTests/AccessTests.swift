import Foundation
import Hummingbird
import NIOHTTP1
import Service
import TestSupport
import Testing

struct AccessTests {
    static let ingestToken = "ingest-token-0123456789abcdef"
    static let readToken = "read-token-0123456789abcdef"
    static let metricsToken = "metrics-token-0123456789abcdef"
    static let tokensFile = """
        # writers
        \(ingestToken) ingest
        \(readToken) read   # dashboards
        \(metricsToken) metrics

        """

    static func configureTokens(_ configuration: inout ServiceConfiguration) {
        configuration.tokens = try? AccessTokens(parsing: tokensFile, file: "tokens")
    }

    /// Every protected endpoint with the scope it needs.
    static let endpoints: [(method: String, path: String, scope: Scope)] = [
        ("POST", "/v1/events", .ingest), ("POST", "/v1/ingest?from=native", .ingest),
        ("POST", "/webhooks/mdm", .ingest),
        ("GET", "/v1/enrollments", .read), ("GET", "/v1/enrollments/UE-x", .read), ("GET", "/v1/timeline/UE-x", .read),
        ("GET", "/v1/stats", .read), ("GET", "/v1/export", .read), ("GET", "/v1/events?follow=false", .read),
        ("GET", "/metrics", .metrics),
    ]

    @Test func everyProtectedEndpointAnswers401WithoutAToken403WithAnotherScopeAndServesTheRightOne() async throws {
        try await TestServer.with(configure: Self.configureTokens) { server in
            let tokens: [Scope: String] = [
                .ingest: Self.ingestToken, .read: Self.readToken, .metrics: Self.metricsToken,
            ]
            for endpoint in Self.endpoints {
                let method = HTTPMethodName(endpoint.method)
                let body = endpoint.method == "POST" ? Array("\n".utf8) : nil
                let headers = endpoint.path.hasPrefix("/webhooks") ? Headers.json : Headers.ndjson
                let missing = try await server.request(method.value, endpoint.path, headers: headers, body: body)
                #expect(missing.status == 401, "\(endpoint.path) without a token")
                #expect(missing.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true)
                let unknown = try await server.request(
                    method.value, endpoint.path, headers: headers + [Headers.bearer("not-a-token-at-all-000000")],
                    body: body)
                #expect(unknown.status == 401, "\(endpoint.path) with an unknown token")
                for (scope, token) in tokens where scope != endpoint.scope {
                    let wrong = try await server.request(
                        method.value, endpoint.path, headers: headers + [Headers.bearer(token)], body: body)
                    #expect(wrong.status == 403, "\(endpoint.path) with a \(scope) token")
                }
                let right = try await server.request(
                    method.value, endpoint.path, headers: headers + [Headers.bearer(tokens[endpoint.scope]!)],
                    body: body)
                // Through the gate: the endpoint's own answer (an empty body, an unknown id), never 401/403/5xx.
                #expect(
                    [200, 404, 422].contains(right.status),
                    "\(endpoint.path): \(right.status) \(right.text.prefix(200))")
            }
            // Health needs no token.
            #expect(try await server.request(.GET, "/healthz").status == 200)
            #expect(try await server.request(.GET, "/readyz").status == 200)
        }
    }

    @Test func aWebhookMayCarryTheTokenAsTheBasicPasswordOfItsURL() async throws {
        try await TestServer.with(configure: Self.configureTokens) { server in
            let body = Array(try Fixtures.lines("nanomdm-webhook.ndjson")[0].utf8)
            let basic = "Basic " + Data("nanomdm:\(Self.ingestToken)".utf8).base64EncodedString()
            let answer = try await server.request(
                .POST, "/webhooks/mdm", headers: Headers.json + [("Authorization", basic)], body: body)
            #expect(answer.status == 200)
            let wrong = "Basic " + Data("nanomdm:\(Self.readToken)".utf8).base64EncodedString()
            #expect(
                try await server.request(
                    .POST, "/webhooks/mdm", headers: Headers.json + [("Authorization", wrong)], body: body
                )
                .status == 403)
        }
    }

    @Test(arguments: [
        ("short12345 read", 1, "at least 16"), ("0123456789abcdef0 admin", 1, "unknown scope 'admin'"),
        ("0123456789abcdef0", 1, "expected 'TOKEN SCOPE"),
        ("# only comments\n\n", 0, "no token"),
        ("0123456789abcdef0 read\n0123456789abcdef0 ingest", 2, "listed twice"),
    ])
    func aBadTokensFileIsRefusedNamingTheLine(_ text: String, _ line: Int, _ message: String) throws {
        let error = try #require(throws: ServiceError.self) { try AccessTokens(parsing: text, file: "tokens.txt") }
        #expect(error.code == .badTokensFile)
        #expect(error.line == (line == 0 ? nil : line))
        #expect(error.description.contains(message), "\(error)")
        #expect(error.description.hasPrefix(line == 0 ? "tokens.txt: " : "tokens.txt:\(line): "))
    }

    @Test func aKnownTokenGetsItsScopesAndNoOtherStringDoes() throws {
        let tokens = try AccessTokens(parsing: Self.tokensFile, file: "tokens")
        #expect(tokens.scopes(of: Self.readToken) == [.read])
        #expect(tokens.scopes(of: Self.readToken + "x") == nil)
        #expect(tokens.scopes(of: String(Self.readToken.dropLast())) == nil)
        #expect(tokens.scopes(of: "") == nil)
    }

    @Test func listeningOffLoopbackWithoutTokensIsRefused() throws {
        var configuration = ServiceConfiguration()
        configuration.listen = ListenAddress(host: "0.0.0.0", port: 8080)
        let error = try #require(throws: ServiceError.self) { try configuration.validate() }
        #expect(error.code == .insecureListen)
        configuration.tokens = try AccessTokens(parsing: Self.tokensFile, file: "tokens")
        try configuration.validate()
        for loopback in ["127.0.0.1:0", "[::1]:80", "localhost:9", ":8080"] {
            #expect(try #require(ListenAddress(loopback)).isLoopback, "\(loopback)")
        }
        for other in ["0.0.0.0:80", "[::]:80", "10.0.0.1:80"] {
            #expect(try #require(ListenAddress(other)).isLoopback == false, "\(other)")
        }
        #expect(ListenAddress("nohost") == nil)
        #expect(ListenAddress("a:70000") == nil)
    }
}

/// An HTTP method from its name, for tables of endpoints.
struct HTTPMethodName {
    var value: NIOHTTP1.HTTPMethod
    init(_ name: String) { value = NIOHTTP1.HTTPMethod(rawValue: name) }
}

/// A route group mounted beside the service's own, as the support console will be.
struct MountedRoutesTests {
    struct Console: ServiceRoutes {
        func register(on router: Router<ServiceRequestContext>, environment: ServiceEnvironment) {
            router.group("/console").add(middleware: environment.access.require(.read))
                .get("/enrollments/{id}") { _, context -> Response in
                    let id = try context.parameters.require("id")
                    let count = try await environment.readModel.enrollments(matching: id, asOf: nil).count
                    return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "\(count)")))
                }
        }
    }

    @Test func anExtraRouteGroupSharesTheStoreAndTheTokenChecks() async throws {
        let server = try await TestServer.start(extraRoutes: [Console()], configure: AccessTests.configureTokens)
        let body = EventFactory.ndjsonLines(count: 3, streams: 1, tag: "console").ndjsonBody
        let posted = try await server.request(
            .POST, "/v1/events", headers: Headers.ndjson + [Headers.bearer(AccessTests.ingestToken)], body: body)
        #expect(posted.status == 200)
        #expect(try await server.request(.GET, "/console/enrollments/UE-console-0").status == 401)
        let wrong = try await server.request(
            .GET, "/console/enrollments/UE-console-0", headers: [Headers.bearer(AccessTests.metricsToken)])
        #expect(wrong.status == 403)
        let right = try await server.request(
            .GET, "/console/enrollments/UE-console-0", headers: [Headers.bearer(AccessTests.readToken)])
        #expect(right.status == 200)
        #expect(right.text == "1")
        try await server.stop()
    }
}
