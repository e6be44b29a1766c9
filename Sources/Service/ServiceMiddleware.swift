import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Logs every request at info level and records its latency: method, route template, status, duration,
/// and the request id (also sent back as `X-Request-Id`). The raw path and query are logged at debug
/// level only: they may hold a UPN.
struct RequestObserver<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let started = ContinuousClock.now
        context.logger.debug("request", metadata: ["http.path": "\(request.uri.path)"])
        var response = try await next(request, context)
        let elapsed = ContinuousClock.now - started
        let route = context.endpointPath ?? "unmatched"
        metrics.recordRequest(
            route: route, method: request.method.rawValue, status: Int(response.status.code), duration: elapsed)
        context.logger.info(
            "answered",
            metadata: [
                "http.method": "\(request.method.rawValue)", "http.route": "\(route)",
                "http.status": "\(response.status.code)",
                "http.duration_ms": "\(Double(elapsed.nanoseconds) / 1_000_000)",
            ])
        response.headers[ServiceHeaders.requestID] = context.id
        return response
    }
}

/// Turns every error into RFC 9457 problem details: the service's own problems as they are, the
/// framework's HTTP errors (unknown route, body too large) with their status, anything else as a 500
/// whose cause is logged, never sent.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return try problem.response(from: request, context: context)
        } catch let error as HTTPError {
            let problem = Problem(
                error.status, kind: "http-\(error.status.code)", title: error.status.reasonPhrase,
                detail: error.body, headers: error.headers)
            return try problem.response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            return try Problem.tooLarge(limit: 0).response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            let problem = Problem(
                .internalServerError, kind: "internal", title: "The request failed",
                detail: "see the service log for request \(context.id)")
            return try problem.response(from: request, context: context)
        }
    }
}

/// Header names of the service.
enum ServiceHeaders {
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
