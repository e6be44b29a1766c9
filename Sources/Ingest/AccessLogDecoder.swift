import EnrollmentDomain

/// Decodes web-server access logs of `GET /.well-known/com.apple.remotemanagement` into discovery events.
///
/// Accepts nginx/Apache `combined`, optionally followed by `"$sent_http_content_type" $host`. A discovery
/// GET answered 200 with `application/json` (or 200 in plain `combined`, which does not log the type) is
/// `discovery.succeeded`; anything else `discovery.failed` with `reason` `not_found` (404), `forbidden`
/// (403), `wrong_content_type` (200, another type) or `http_<status>`. Other paths and methods are
/// skipped, not errors. The stream `web:<user-identifier>@<time to the second, UTC>` lets projections join
/// the request to the enrollment attempt whose discovery happened in the same second.
public final class AccessLogDecoder: InputDecoder {
    public let format = InputFormat.accessLog
    static let path = "/.well-known/com.apple.remotemanagement"

    public init() {}

    public func feed(_ line: [UInt8], lineNumber: Int) -> [DecodedRecord] {
        if RecordChecks.isBlank(line) {
            return [DecodedRecord(line: lineNumber, raw: line, outcome: .skipped(reason: "blank line"))]
        }
        let entry: AccessLogLine
        do {
            entry = try AccessLogLine(line)
        } catch {
            return [DecodedRecord(line: lineNumber, raw: line, outcome: .rejected(reason: error.reason))]
        }
        let (path, query) = Self.split(entry.target)
        guard entry.method == "GET", path == Self.path else {
            return [DecodedRecord(line: lineNumber, raw: line, outcome: .skipped(reason: "not a discovery request"))]
        }
        return [
            DecodedRecord(line: lineNumber, raw: line) { () throws(RecordFailure) in [try event(entry, query, line)] }
        ]
    }

    public func finish() -> [DecodedRecord] { [] }

    func event(_ entry: AccessLogLine, _ query: Substring, _ line: [UInt8]) throws(RecordFailure) -> NewEvent {
        let parameters = try Self.parameters(query)
        guard let user = parameters["user-identifier"], !user.isEmpty else {
            throw RecordFailure("the query has no user-identifier")
        }
        let userDomain = user.lastIndex(of: "@").map { String(user[user.index(after: $0)...]) }
        guard let domain = entry.host ?? userDomain, !domain.isEmpty else {
            throw RecordFailure("the user-identifier has no domain and the line no host")
        }
        let second = String(entry.time.iso8601.prefix(19)) + "Z"
        let stream = try RecordChecks.stream("web:\(user)@\(second)", from: "user-identifier")
        var data: [String: JSONValue] = [
            "domain": .string(domain), "user_identifier": .string(user), "http_status": .int(Int64(entry.status)),
            "raw": .object(["line": .string(String(decoding: line, as: UTF8.self))]),
        ]
        data["model_family"] = parameters["model-family"].map(JSONValue.string)
        data["content_type"] = entry.contentType.map(JSONValue.string)
        let mediaType = entry.contentType.map {
            $0.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces.lowercased() } ?? ""
        }
        let reason: String? =
            switch entry.status {
            case 200: mediaType == nil || mediaType == "application/json" ? nil : "wrong_content_type"
            case 403: "forbidden"
            case 404: "not_found"
            default: "http_\(entry.status)"
            }
        data["reason"] = reason.map(JSONValue.string)
        return NewEvent(
            eventID: NameBasedUUID.eventID(format: format, record: line), stream: stream,
            type: reason == nil ? "discovery.succeeded" : "discovery.failed", occurredAt: entry.time,
            source: "access-log", user: user, data: data)
    }

    /// The target's path and query (without `?`).
    static func split(_ target: String) -> (path: Substring, query: Substring) {
        guard let mark = target.firstIndex(of: "?") else { return (target[...], "") }
        return (target[..<mark], target[target.index(after: mark)...])
    }

    /// The query's parameters, percent-decoded (`+` stays a plus: it is common in addresses).
    static func parameters(_ query: Substring) throws(RecordFailure) -> [String: String] {
        var parameters: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard let value = percentDecoded(parts.count > 1 ? parts[1] : "") else {
                throw RecordFailure("the query parameter \(name.prefix(40)) is not valid percent-encoded UTF-8")
            }
            if parameters[name] == nil { parameters[name] = value }
        }
        return parameters
    }

    static func percentDecoded(_ text: Substring) -> String? {
        var output: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                output.append(byte)
                continue
            }
            guard bytes.count >= 2, let high = hexValue(bytes.popFirst()!), let low = hexValue(bytes.popFirst()!)
            else { return nil }
            output.append(high << 4 | low)
        }
        return String(validating: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
