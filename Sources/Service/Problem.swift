import EnrollmentDomain
import Hummingbird

/// An error answer as RFC 9457 problem details (`application/problem+json`): a stable `type`, a `title`, a
/// `detail` that says what to change, and for bad input one entry per bad record naming its line and field.
///
/// ```json
/// {"type":"urn:enroll-audit:problem:invalid-input","title":"The request holds bad records; nothing was stored",
///  "status":422,"detail":"1 bad record","errors":[{"line":3,"field":"occurred_at","reason":"…"}]}
/// ```
public struct Problem: Error, HTTPResponseError, Sendable {
    /// One bad record of the body.
    public struct Item: Sendable, Hashable {
        public var line: Int
        public var field: String?
        public var reason: String

        public init(line: Int, field: String? = nil, reason: String) {
            self.line = line
            self.field = field ?? Self.field(named: reason)
            self.reason = reason
        }

        /// The field a reason names (`field 'occurred_at' must be …`), if any.
        static func field(named reason: String) -> String? {
            guard let start = reason.range(of: "field '")?.upperBound,
                let end = reason[start...].firstIndex(of: "'")
            else { return nil }
            return String(reason[start..<end])
        }
    }

    public var status: HTTPResponse.Status
    /// The last part of the `type` URI, e.g. `invalid-input`.
    public var kind: String
    public var title: String
    public var detail: String?
    public var errors: [Item]
    /// Extra response headers (`Retry-After`, `WWW-Authenticate`).
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, kind: String, title: String, detail: String? = nil, errors: [Item] = [],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.kind = kind
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    /// The `type` member: `urn:enroll-audit:problem:KIND`.
    public var type: String { "urn:enroll-audit:problem:\(kind)" }

    /// The problem document.
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "type": .string(type), "title": .string(title), "status": .int(Int64(status.code)),
        ]
        if let detail { members["detail"] = .string(detail) }
        if !errors.isEmpty {
            members["errors"] = .array(
                errors.map { item in
                    var entry: [String: JSONValue] = ["line": .int(Int64(item.line)), "reason": .string(item.reason)]
                    entry["field"] = item.field.map(JSONValue.string) ?? .null
                    return .object(entry)
                })
        }
        return .object(members)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/problem+json"
        var bytes: [UInt8] = []
        json.write(to: &bytes)
        bytes.append(0x0A)
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension Problem {
    static func badRequest(_ detail: String) -> Problem {
        Problem(.badRequest, kind: "bad-request", title: "The request is not valid", detail: detail)
    }

    static func notFound(_ detail: String) -> Problem {
        Problem(.notFound, kind: "not-found", title: "Not found", detail: detail)
    }

    static func invalidInput(_ items: [Item], total: Int) -> Problem {
        Problem(
            .unprocessableContent, kind: "invalid-input", title: "The request holds bad records; nothing was stored",
            detail: "\(total) bad record\(total == 1 ? "" : "s")", errors: items)
    }

    static func tooLarge(limit: Int) -> Problem {
        Problem(
            .contentTooLarge, kind: "body-too-large", title: "The request body is too large",
            detail: "the limit is \(limit) bytes; split the batch")
    }

    static func requestTimeout(_ timeout: Duration) -> Problem {
        Problem(
            .requestTimeout, kind: "request-timeout",
            title: "The request body did not arrive in time; nothing was stored",
            detail: "the whole body must arrive within \(Double(timeout.nanoseconds) / 1e9) s; send it again",
            headers: [.connection: "close"])
    }

    static func unsupportedMediaType(_ expected: String) -> Problem {
        Problem(
            .unsupportedMediaType, kind: "unsupported-media-type", title: "Unsupported content type",
            detail: "send \(expected)")
    }

    /// An ingest request to a read-only replica: nothing was stored; the primary takes writes.
    static func readOnlyReplica(_ detail: String) -> Problem {
        Problem(
            .serviceUnavailable, kind: "read-only-replica",
            title: "The store is a read-only replica: send ingest requests to the primary; nothing was stored",
            detail: detail)
    }

    static func busy(retryAfter: Int, detail: String) -> Problem {
        Problem(
            .serviceUnavailable, kind: "busy", title: "The writer is behind; nothing was stored", detail: detail,
            headers: [.retryAfter: String(retryAfter)])
    }
}
