import EnrollmentDomain
import EventStore
import Export
import Foundation
import Hummingbird
import Projections

/// The log as a stream: `GET /v1/export` (NDJSON, the `export` lines, streamed in pages, with proofs like
/// `export --proof`: `EventStreamRoutes+Export.swift`) and `GET /v1/events` (Server-Sent Events that follow the log, gap-free and in position order, resumable
/// with `Last-Event-ID`).
///
/// ``export(_:environment:)`` and ``eventStream(_:environment:)`` are public so that the console answers
/// its download and live-update links with the very same bytes (behind its own sign-in).
public struct EventStreamRoutes: ServiceRoutes {
    /// Events read per snapshot.
    static let pageSize = 500
    /// How often a caught-up event stream looks for new events.
    static let pollInterval: Duration = .milliseconds(100)
    /// A comment line keeps an idle event stream open through proxies this often.
    static let keepAliveInterval: Duration = .seconds(15)

    public func register(on router: Router<ServiceRequestContext>, environment: ServiceEnvironment) {
        let group = router.group("/v1").add(middleware: environment.access.require(.read))
        group.get("/export") { request, _ -> Response in
            try await Self.export(request, environment: environment)
        }
        group.get("/events") { request, _ -> Response in
            try Self.eventStream(request, environment: environment)
        }
    }

    /// The answer of `GET /v1/events` to `request` (`after`, `follow`, `Last-Event-ID`).
    public static func eventStream(_ request: Request, environment: ServiceEnvironment) throws -> Response {
        let query = QueryParameters(request)
        var after = try query.integer("after", in: 0...Int64.max) ?? 0
        if let resume = request.headers[ServiceHeaders.lastEventID] {
            guard let position = Int64(resume.trimmingCharacters(in: .whitespaces)), position >= 0 else {
                throw Problem.badRequest("Last-Event-ID must be a position this stream sent")
            }
            after = position
        }
        let follow = try query.flag("follow") ?? true
        let start = after
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        let body = ResponseBody { writer in
            var position = start
            var lastWrite = ContinuousClock.now
            try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
            while true {
                let (bytes, last) = try await Self.page(after: position, through: .max, environment: environment) {
                    event, bytes in
                    bytes += Array("id: \(event.position)\ndata: ".utf8)
                    event.exportJSON.write(to: &bytes)
                    bytes += [0x0A, 0x0A]
                }
                if last > position {
                    try await writer.write(ByteBuffer(bytes: bytes))
                    position = last
                    lastWrite = ContinuousClock.now
                    continue
                }
                if !follow || environment.isStopping { break }
                if ContinuousClock.now - lastWrite >= Self.keepAliveInterval {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    lastWrite = ContinuousClock.now
                }
                try await Task.sleep(for: Self.pollInterval)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Reads up to a page of events after `position` (and not past `head`) from one snapshot, rendering
    /// each with `render`; returns the bytes and the last position read (`position` when there were none).
    static func page(
        after position: Int64, through head: Int64, environment: ServiceEnvironment,
        render: @escaping @Sendable (RecordedEvent, inout [UInt8]) -> Void
    ) async throws -> ([UInt8], Int64) {
        var bytes: [UInt8] = []
        var last = position
        for event in try await environment.log.events(after: position, limit: pageSize) {
            guard event.position <= head else { break }
            render(event, &bytes)
            last = event.position
        }
        return (bytes, last)
    }

    static func appendLine(_ event: RecordedEvent, to bytes: inout [UInt8]) {
        event.exportJSON.write(to: &bytes)
        bytes.append(0x0A)
    }
}
