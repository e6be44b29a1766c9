import EnrollmentDomain
import Foundation
import HTTPTypes
import Hummingbird
import Projections
import Service

/// The support console under `/console`: sign-in, search and the enrollment page, as server-rendered
/// HTML over the same queries as the read API (docs/console.md).
///
/// Mount it on `serve` with `AuditServer(environment:extraRoutes: [try ConsoleRoutes()])`. With tokens
/// configured every page but the sign-in form and the style sheet needs a session cookie (from signing
/// in with a `read` token) or the `Authorization` header the API takes. Nothing personal goes in a URL:
/// the search is a form post, and enrollment pages are named by the enrollment's canonical id.
public struct ConsoleRoutes: ServiceRoutes {
    public let sessions: ConsoleSessions
    let pages: ConsolePages
    /// The most results a search shows.
    static let resultLimit = 100
    /// The largest form body read (a token, a search).
    static let formLimit = 16 * 1024

    /// - Throws: when an embedded template does not parse (a build defect).
    public init(sessions: ConsoleSessions = ConsoleSessions()) throws {
        self.sessions = sessions
        self.pages = try ConsolePages()
    }

    public func register(on router: Router<ServiceRequestContext>, environment: ServiceEnvironment) {
        let open = router.group("/console").add(middleware: ConsoleHeadersMiddleware(pages: pages))
        open.get("/console.css") { _, _ in Self.asset(ConsolePages.styleSheet, type: "text/css; charset=utf-8") }
        open.get("/console.js") { _, _ in Self.asset(ConsolePages.script, type: "text/javascript; charset=utf-8") }
        open.get("/favicon.svg") { _, _ in Self.asset(ConsolePages.icon, type: "image/svg+xml") }
        open.get("/login") { _, _ in pages.html(pages.render(LoginPage(), "login")) }
        open.post("/login") { request, _ in try await signIn(request, environment: environment) }
        open.post("/logout") { request, _ in
            if let id = ConsoleSecurity.sessionID(in: request) { sessions.close(id) }
            var response = Response.redirect(to: "/console/login", type: .normal)
            response.headers[.setCookie] = ConsoleSecurity.cookie(nil, maxAge: 0)
            return response
        }
        let guarded = open.group().add(
            middleware: ConsoleSignInMiddleware(pages: pages, sessions: sessions, access: environment.access))
        let signedIn = environment.access.tokens != nil
        guarded.get { _, _ in
            pages.html(
                pages.render(
                    SearchPage(query: "", searched: false, results: [], truncated: false, signedIn: signedIn), "search")
            )
        }
        guarded.post("/search") { request, _ in
            let query =
                try await Self.form(request, as: SearchForm.self).q?.trimmingCharacters(in: .whitespacesAndNewlines)
                ?? ""
            let found = query.isEmpty ? [] : try await Self.search(query, environment.readModel)
            let page = SearchPage(
                query: query, searched: !query.isEmpty, results: found.prefix(Self.resultLimit).map(EnrollmentRow.init),
                truncated: found.count > Self.resultLimit, signedIn: signedIn)
            return pages.html(pages.render(page, "search"))
        }
        guarded.get("/enrollments/{id}") { _, context in
            let raw = try context.parameters.require("id")
            let id = raw.removingPercentEncoding ?? raw
            let queries = environment.readModel
            let head = try await environment.log.head().position
            let statuses = try await queries.enrollments(matching: id, asOf: nil)
            let entries = try await queries.timeline(of: statuses, asOf: nil)
            guard !statuses.isEmpty else {
                throw Problem(.notFound, kind: "not-found", title: "No enrollment is known by this id")
            }
            let views = statuses.map { status in
                EnrollmentView(status, entries: entries.filter { $0.enrollment == status.enrollment }, head: head)
            }
            return pages.html(pages.render(EnrollmentPage(enrollments: views, signedIn: signedIn), "enrollment"))
        }
        guarded.get("/queues") { request, _ in
            let query = try QueueRequest(
                ConsoleQuery(request), defaultThreshold: environment.readModel.stalledAfterSeconds)
            let page: QueuePage
            do {
                page = try await QueuePage(query, queries: environment.readModel, signedIn: signedIn)
            } catch let error as DeviceQueryError {
                throw ConsoleQuery.bad("after", error.message)
            }
            return pages.html(pages.render(page, "queue"))
        }
        guarded.get("/dashboard") { request, _ in
            let query = ConsoleQuery(request)
            let page = try await DashboardPage(query, queries: environment.readModel, signedIn: signedIn)
            return pages.html(pages.render(page, "dashboard"))
        }
        // The download and the live events are `/v1/export` and `/v1/events` themselves, behind the
        // console's sign-in (the session cookie is scoped to /console).
        guarded.get("/export") { request, _ in
            guard let id = ConsoleQuery(request).string("id") else {
                throw Problem(.badRequest, kind: "bad-request", title: "Name the enrollment to export")
            }
            var response = try await EventStreamRoutes.export(request, environment: environment)
            response.headers[.contentDisposition] = "attachment; filename=\"\(DisplayText.fileName(id)).ndjson\""
            return response
        }
        guarded.get("/events") { request, _ in try EventStreamRoutes.eventStream(request, environment: environment) }
        // Unknown console paths and methods reach the router's not-found responder, which only the
        // router's own middleware wraps: give those the console's page and headers too.
        router.add(middleware: ConsoleFallbackMiddleware(headers: ConsoleHeadersMiddleware(pages: pages)))
    }

    /// A file of the console (the style sheet, the script): cached for an hour, no session needed.
    static func asset(_ bytes: [UInt8], type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "max-age=3600"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Enrollments an id names, then those whose UPN starts with `query` (any case), each once.
    static func search(_ query: String, _ queries: any EnrollmentReadModel) async throws -> [DeviceStatus] {
        var found = try await queries.enrollments(matching: query, asOf: nil)
        var seen = Set(found.map(\.enrollment))
        for status in try await queries.devices(DeviceFilter(user: query, limit: resultLimit + 1))
        where seen.insert(status.enrollment).inserted {
            found.append(status)
        }
        return found
    }

    /// Exchanges a `read` token for a session cookie.
    func signIn(_ request: Request, environment: ServiceEnvironment) async throws -> Response {
        guard let tokens = environment.access.tokens else { return Response.redirect(to: "/console", type: .normal) }
        let token = try await Self.form(request, as: SignInForm.self).token?.trimmingCharacters(in: .whitespaces) ?? ""
        guard tokens.scopes(of: token)?.contains(.read) == true else {
            environment.logger.info("console sign-in refused")
            let page = LoginPage(message: "That is not a token of the read scope.")
            return pages.html(pages.render(page, "login"), status: .unauthorized)
        }
        var response = Response.redirect(to: "/console", type: .normal)
        let seconds = Int(sessions.lifetime.components.seconds)
        response.headers[.setCookie] = ConsoleSecurity.cookie(sessions.open(), maxAge: seconds)
        return response
    }

    /// An `application/x-www-form-urlencoded` body, decoded (by Hummingbird's form decoder).
    static func form<Form: Decodable>(_ request: Request, as type: Form.Type) async throws -> Form {
        guard request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true else {
            throw Problem(.unsupportedMediaType, kind: "unsupported-media-type", title: "Send the console's form")
        }
        let body = try await request.body.collect(upTo: formLimit)
        do {
            return try URLEncodedFormDecoder().decode(Form.self, from: String(buffer: body))
        } catch {
            throw Problem(.badRequest, kind: "bad-request", title: "The form could not be read")
        }
    }
}

/// The sign-in form.
struct SignInForm: Decodable {
    var token: String?
}

/// The search form.
struct SearchForm: Decodable {
    var q: String?
}

/// Lets a request through with a valid session cookie, a `read` token in `Authorization`, or when the
/// service has no tokens; otherwise answers 401 with the sign-in form.
struct ConsoleSignInMiddleware<Context: RequestContext>: RouterMiddleware {
    let pages: ConsolePages
    let sessions: ConsoleSessions
    let access: AccessControl

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if access.tokens == nil { return try await next(request, context) }
        if request.headers[.authorization] != nil {
            try access.authorize(request, scope: .read)
            return try await next(request, context)
        }
        if let id = ConsoleSecurity.sessionID(in: request), sessions.isValid(id) {
            return try await next(request, context)
        }
        return pages.html(pages.render(LoginPage(message: "Sign in to continue."), "login"), status: .unauthorized)
    }
}
