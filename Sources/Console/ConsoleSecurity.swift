import HTTPTypes
import Hummingbird
import Service

/// The headers every console response carries, and the session cookie's shape.
enum ConsoleSecurity {
    /// No inline script or style (the one script and the style sheet are files of the console), nothing
    /// from another origin, never in a frame.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    static let cookieName = "enroll_audit_session"

    static func apply(to headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
    }

    /// `Set-Cookie` for a new session (`maxAge` seconds), or one that deletes it (`nil`).
    static func cookie(_ id: String?, maxAge: Int) -> String {
        "\(cookieName)=\(id ?? ""); Path=/console; Max-Age=\(id == nil ? 0 : maxAge); HttpOnly; Secure; "
            + "SameSite=Strict"
    }

    /// The session id of the request's cookie.
    static func sessionID(in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == cookieName {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }
}

/// Puts the security headers on every console response, errors included, and renders errors as a page
/// (the service's problem details are JSON, for machines).
struct ConsoleHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let pages: ConsolePages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let problem as Problem {
            let page = ErrorPage(status: Int(problem.status.code), title: problem.title, detail: problem.detail)
            response = pages.html(pages.render(page, "error"), status: problem.status)
        } catch let error as HTTPResponseError {
            let status = error.status
            let page = ErrorPage(status: Int(status.code), title: status.reasonPhrase)
            response = pages.html(pages.render(page, "error"), status: status)
        } catch {
            context.logger.error("console request failed", metadata: ["error": "\(error)"])
            let page = ErrorPage(status: 500, title: "The request failed")
            response = pages.html(pages.render(page, "error"), status: .internalServerError)
        }
        ConsoleSecurity.apply(to: &response.headers)
        return response
    }
}

/// ``ConsoleHeadersMiddleware`` for requests under `/console` only, on the whole router: it reaches the
/// answers of paths and methods no route has.
struct ConsoleFallbackMiddleware<Context: RequestContext>: RouterMiddleware {
    let headers: ConsoleHeadersMiddleware<Context>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        guard path == "/console" || path.hasPrefix("/console/") else { return try await next(request, context) }
        return try await headers.handle(request, context: context, next: next)
    }
}

/// The model of the error page.
struct ErrorPage {
    var status: Int
    var title: String
    var detail: String?
}
