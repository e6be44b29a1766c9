import EnrollmentDomain

/// The request an access-log line records, read from its typed fields.
struct AccessLogRequest {
    var method: String
    /// The path, percent-decoded.
    var path: String
    /// The query without `?`, as sent.
    var query: Substring
    /// The host named in an absolute-form target (`https://contoso.com/...`, as ALB logs it).
    var targetHost: String?

    /// The request of a line, or `nil` when the line's request is not an HTTP request (`-`, a TLS
    /// handshake, garbage).
    init?(_ values: AccessLogValues) {
        var target: String
        if let line = values.string(.request) {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2 || parts.count == 3 else { return nil }
            method = String(parts[0])
            target = String(parts[1])
        } else {
            guard let method = values.string(.method) else { return nil }
            self.method = method
            if let whole = values.string(.target) {
                target = whole
            } else {
                guard let path = values.string(.path) else { return nil }
                var query = values.string(.query) ?? ""
                if query.hasPrefix("?") { query.removeFirst() }
                target = query.isEmpty || query == "-" ? path : path + "?" + query
            }
        }
        guard !method.isEmpty, method.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else {
            return nil
        }
        for scheme in ["http://", "https://"] where target.lowercased().hasPrefix(scheme) {
            let rest = target.dropFirst(scheme.count)
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            targetHost = AccessLogRequest.hostWithoutPort(String(rest[..<slash]))
            target = rest[slash...].isEmpty ? "/" : String(rest[slash...])
        }
        let mark = target.firstIndex(of: "?")
        let rawPath = mark.map { target[..<$0] } ?? target[...]
        path = AccessLogDecoder.percentDecoded(rawPath) ?? String(rawPath)
        query = mark.map { target[target.index(after: $0)...] } ?? ""
    }

    /// `host` without a trailing `:port` (IPv6 literals in brackets keep their colons).
    static func hostWithoutPort(_ host: String) -> String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") { return String(host[...close]) }
        guard let colon = host.lastIndex(of: ":"), host[host.index(after: colon)...].allSatisfy(\.isNumber) else {
            return host
        }
        return String(host[..<colon])
    }

    /// Whether `text` is a three-digit HTTP status.
    static func isStatus(_ text: String) -> Bool {
        text.utf8.count == 3 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// The request time of a line.
    ///
    /// - Throws: ``RecordFailure`` naming the field when it is missing or not a time.
    static func time(_ values: AccessLogValues, format: AccessLogFormat) throws(RecordFailure) -> Timestamp {
        func failure(_ field: AccessLogField, _ example: String) -> RecordFailure {
            RecordFailure("field \(format.fieldName(field)) is not a time like \(example)")
        }
        if let text = values.string(.timeLocal) {
            guard let time = localTime(text) else { throw failure(.timeLocal, "01/Oct/2026:19:06:12 +0000") }
            return time
        }
        if let text = values.string(.timeISO8601) {
            guard let time = Timestamp(iso8601: text) else { throw failure(.timeISO8601, "2026-10-01T19:06:12+00:00") }
            return time
        }
        if let text = values.string(.timeSeconds) {
            guard let time = epochTime(text, scale: 1000) else { throw failure(.timeSeconds, "1790881572.123") }
            return time
        }
        if let text = values.string(.timeMilliseconds) {
            guard let time = epochTime(text, scale: 1) else { throw failure(.timeMilliseconds, "1790881572123") }
            return time
        }
        guard let date = values.string(.date) else { throw RecordFailure("the line has no request time") }
        let text = values.string(.time).map { "\(date)T\($0)Z" } ?? date
        guard let time = Timestamp(iso8601: text) else {
            throw RecordFailure(
                "fields \(format.fieldName(.date)) and \(format.fieldName(.time)) are not a UTC date and time like "
                    + "2026-10-01 19:06:12")
        }
        return time
    }

    /// Seconds (scale 1000) or milliseconds (scale 1) since 1970, with an optional fraction.
    private static func epochTime(_ text: String, scale: Int64) -> Timestamp? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        // Up to about the year 36,800, in either unit.
        guard let whole = Int64(parts[0]), whole >= 0, whole < (1 << 40) * (scale == 1 ? 1000 : 1) else { return nil }
        var milliseconds = whole * scale
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.allSatisfy(\.isNumber) else { return nil }
            if scale == 1000 { milliseconds += Int64(String((digits + "00").prefix(3))) ?? 0 }
        }
        return Timestamp(milliseconds: milliseconds)
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Parses `01/Oct/2026:19:06:12 +0000` (any offset).
    static func localTime(_ text: String) -> Timestamp? {
        let bytes = Array(text.utf8)
        guard bytes.count == 26, bytes[2] == UInt8(ascii: "/"), bytes[6] == UInt8(ascii: "/"),
            bytes[11] == UInt8(ascii: ":"), bytes[14] == UInt8(ascii: ":"), bytes[17] == UInt8(ascii: ":"),
            bytes[20] == UInt8(ascii: " "), bytes[21] == UInt8(ascii: "+") || bytes[21] == UInt8(ascii: "-"),
            let month = months.firstIndex(of: String(decoding: bytes[3..<6], as: UTF8.self))
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let day = number(0..<2), let year = number(7..<11), let hour = number(12..<14),
            let minute = number(15..<17), let second = number(18..<20), let offsetHours = number(22..<24),
            let offsetMinutes = number(24..<26), day >= 1, hour < 24, minute < 60, second < 61, offsetHours < 24,
            offsetMinutes < 60
        else { return nil }
        let days = Timestamp.days(year: year, month: Int64(month + 1), day: day)
        guard Timestamp.civil(fromDays: days) == (year, Int64(month + 1), day) else { return nil }
        let offset = (offsetHours * 3600 + offsetMinutes * 60) * (bytes[21] == UInt8(ascii: "-") ? -1 : 1)
        return Timestamp(milliseconds: (days * 86_400 + hour * 3600 + minute * 60 + second - offset) * 1000)
    }
}
