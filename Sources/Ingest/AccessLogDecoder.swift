import EnrollmentDomain

/// Decodes web-server access logs of `GET /.well-known/com.apple.remotemanagement` into discovery events.
///
/// The log's format is given (``AccessLogFormat``: a preset, an nginx `log_format` or an Apache
/// `LogFormat`) or told from the first line when exactly one preset reads it; W3C logs bring their own
/// `#Fields:`. A discovery GET answered 200 with `application/json` (or 200 in a format that does not log
/// the Content-Type; the summary says so) is `discovery.succeeded`; anything else `discovery.failed` with
/// `reason` `not_found` (404), `forbidden` (403), `wrong_content_type` (200, another type) or
/// `http_<status>`.
///
/// Noise is normal in a web log: lines outside the format, requests that are not HTTP (TLS handshakes,
/// `"-"`), other paths and methods, discovery requests without `user-identifier` are skipped and counted by
/// ``AccessLogSkip`` reason. Only a line that names the discovery path and cannot be read is a bad record.
/// The stream `web:<user-identifier>@<time to the second, UTC>` lets projections join the request to the
/// enrollment attempt whose discovery happened in the same second.
public final class AccessLogDecoder: InputDecoder {
    public let format = InputFormat.accessLog
    static let path = "/.well-known/com.apple.remotemanagement"
    private static let pathBytes = Array(path.utf8)
    /// The format lines are read with: given, detected, or the log's latest `#Fields:`.
    private var logFormat: AccessLogFormat?
    /// Why the format could not be told, and the line that said so.
    private var undetectable: (line: Int, reason: String)?
    /// The formats whose missing Content-Type the summary has been told about.
    private var noted: Set<String> = []

    /// - Parameter logFormat: the log's format; `nil` tells it from the first line.
    public init(logFormat: AccessLogFormat? = nil) {
        self.logFormat = logFormat
    }

    public func feed(_ line: [UInt8], lineNumber: Int) -> [DecodedRecord] {
        [record(line, lineNumber: lineNumber)]
    }

    public func finish() -> [DecodedRecord] { [] }

    private func record(_ line: [UInt8], lineNumber: Int) -> DecodedRecord {
        func skipped(_ reason: AccessLogSkip) -> DecodedRecord {
            DecodedRecord(line: lineNumber, raw: line, outcome: .skipped(reason: reason.rawValue))
        }
        func rejected(_ reason: String) -> DecodedRecord {
            DecodedRecord(line: lineNumber, raw: line, outcome: .rejected(reason: reason))
        }
        if RecordChecks.isBlank(line) { return skipped(.blank) }
        if logFormat == nil, undetectable == nil {
            switch AccessLogFormat.detect(line) {
            case .preset(let preset): logFormat = preset
            case .ambiguous(let why):
                undetectable = (lineNumber, "cannot tell the access-log format: \(why); name it with --log-format")
            case .none:
                undetectable = (
                    lineNumber,
                    "cannot tell the access-log format: no preset (\(AccessLogFormat.presetNames)) reads this line; "
                        + "name it with --log-format (a preset, an nginx log_format or an Apache LogFormat string)"
                )
            }
        }
        guard let logFormat else {
            let (first, reason) = undetectable ?? (lineNumber, "")
            return rejected(first == lineNumber ? reason : "the access-log format is not known (see line \(first))")
        }
        if case .w3c = logFormat.layout, line.first == UInt8(ascii: "#") {
            let text = String(decoding: line, as: UTF8.self)
            guard text.hasPrefix("#Fields:") else { return skipped(.directive) }
            do {
                self.logFormat = try AccessLogFormat.w3c(fields: String(text.dropFirst("#Fields:".count)))
            } catch {
                return rejected("the #Fields: directive cannot be read: \(error.message)")
            }
            return skipped(.directive)
        }
        let claimsDiscovery = Self.contains(line, Self.pathBytes)
        let values: AccessLogValues
        switch logFormat.match(line) {
        case .matched(let matched): values = matched
        case .mismatch(let reason):
            return claimsDiscovery
                ? rejected("not a line of the \(logFormat.name) log format: \(reason)") : skipped(.notInFormat)
        }
        guard let request = AccessLogRequest(values) else {
            return claimsDiscovery ? rejected("the request is not `METHOD target PROTOCOL`") : skipped(.notHTTP)
        }
        guard request.path == Self.path else { return skipped(.otherPath) }
        guard request.method == "GET" else { return skipped(.notGET) }
        var record = DecodedRecord(line: lineNumber, raw: line) { () throws(RecordFailure) in
            try event(values, request, line, logFormat).map { [$0] } ?? []
        }
        if case .events(let events) = record.outcome, events.isEmpty { return skipped(.noUserIdentifier) }
        if case .events = record.outcome, !logFormat.logsContentType, noted.insert(logFormat.name).inserted {
            record.note =
                "the \(logFormat.name) log format has no response Content-Type: every 200 counts as a successful "
                + "discovery and a wrong Content-Type cannot be seen (log $sent_http_content_type or "
                + "%{Content-Type}o to see it)"
        }
        return record
    }

    /// The event of a discovery GET, or `nil` when it has no `user-identifier`.
    private func event(
        _ values: AccessLogValues, _ request: AccessLogRequest, _ line: [UInt8], _ logFormat: AccessLogFormat
    ) throws(RecordFailure) -> NewEvent? {
        for field in [AccessLogField.request, .target, .query] where !values.isUTF8(field) {
            throw RecordFailure("field \(logFormat.fieldName(field)) is not valid UTF-8")
        }
        let parameters = try Self.parameters(request.query)
        guard let user = parameters["user-identifier"], !user.isEmpty else { return nil }
        let time = try AccessLogRequest.time(values, format: logFormat)
        guard let statusText = values.string(.status), AccessLogRequest.isStatus(statusText),
            let status = Int(statusText)
        else {
            throw RecordFailure("field \(logFormat.fieldName(.status)) is not a three-digit HTTP status")
        }
        let loggedHost = values.string(.host).flatMap { $0 == "-" || $0.isEmpty ? nil : $0 }
        let userDomain = user.lastIndex(of: "@").map { String(user[user.index(after: $0)...]) }
        guard let domain = loggedHost.map(AccessLogRequest.hostWithoutPort) ?? request.targetHost ?? userDomain,
            !domain.isEmpty
        else {
            throw RecordFailure("the user-identifier has no domain and the line no host")
        }
        let second = String(time.iso8601.prefix(19)) + "Z"
        let stream = try RecordChecks.stream("web:\(user)@\(second)", from: "user-identifier")
        var data: [String: JSONValue] = [
            "domain": .string(domain), "user_identifier": .string(user), "http_status": .int(Int64(status)),
            "raw": .object(["line": .string(String(decoding: line, as: UTF8.self))]),
        ]
        data["model_family"] = parameters["model-family"].map(JSONValue.string)
        let contentType =
            logFormat.logsContentType ? (values.string(.contentType).map { $0 == "-" ? "" : $0 } ?? "") : nil
        data["content_type"] = contentType.map(JSONValue.string)
        let mediaType = contentType.map {
            $0.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces.lowercased() } ?? ""
        }
        let reason: String? =
            switch status {
            case 200: mediaType == nil || mediaType == "application/json" ? nil : "wrong_content_type"
            case 403: "forbidden"
            case 404: "not_found"
            default: "http_\(status)"
            }
        data["reason"] = reason.map(JSONValue.string)
        return NewEvent(
            eventID: NameBasedUUID.eventID(format: format, record: line), stream: stream,
            type: reason == nil ? "discovery.succeeded" : "discovery.failed", occurredAt: time,
            source: "access-log", user: user, data: data)
    }

    /// Whether `haystack` contains `needle`.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count)
        where haystack[start] == needle[0] && haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
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
            guard bytes.count >= 2, let high = AccessLogValues.hexValue(bytes.popFirst()!),
                let low = AccessLogValues.hexValue(bytes.popFirst()!)
            else { return nil }
            output.append(high << 4 | low)
        }
        return String(validating: output, as: UTF8.self)
    }
}

/// Why an access-log line is skipped: the reasons the summary counts.
public enum AccessLogSkip: String, Sendable, CaseIterable {
    /// Nothing but spaces and tabs.
    case blank = "blank line"
    /// A W3C `#Software:`, `#Version:`, `#Date:` or `#Fields:` line.
    case directive = "W3C directive"
    /// A line the log format does not read, and that does not name the discovery path.
    case notInFormat = "not a line of the log format"
    /// A request field that is not `METHOD target PROTOCOL`: `"-"`, a TLS handshake, scanner garbage.
    case notHTTP = "not an HTTP request"
    /// A request for another URL.
    case otherPath = "another path"
    /// A `HEAD`, `POST`, … of the discovery path.
    case notGET = "not a GET of the discovery path"
    /// A GET of the discovery path without a `user-identifier` (a probe).
    case noUserIdentifier = "discovery request without user-identifier"
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
