import EnrollmentDomain

/// One line of an nginx/Apache `combined` access log, optionally followed by
/// `"$sent_http_content_type" $host`:
///
/// ```
/// 203.0.113.29 - - [01/Oct/2026:19:06:12 +0000] "GET /path?query HTTP/1.1" 200 171 "-" "UA" "application/json" contoso.com
/// ```
struct AccessLogLine {
    var method: String
    /// The request target: path and query, as sent.
    var target: String
    var status: Int
    /// The request time.
    var time: Timestamp
    /// The response's Content-Type: `nil` in plain `combined` (not logged), `""` when logged as `-`.
    var contentType: String?
    /// The `Host` the request named, when logged and not `-`.
    var host: String?

    /// Parses a line.
    ///
    /// - Throws: ``RecordFailure`` naming the first part that is not what the format expects.
    init(_ line: [UInt8]) throws(RecordFailure) {
        guard let text = String(validating: line, as: UTF8.self) else {
            throw RecordFailure("the line is not valid UTF-8")
        }
        var scanner = Scanner(Array(text.utf8))
        guard scanner.token() != nil, scanner.token() != nil, scanner.token() != nil else {
            throw RecordFailure("not an access-log line: expected `address ident user [time] \"request\" status …`")
        }
        guard let timeText = scanner.bracketed() else {
            throw RecordFailure("not an access-log line: the [time] field is missing")
        }
        guard let time = Self.time(timeText) else {
            throw RecordFailure("the [time] field is not of the form 01/Oct/2026:19:06:12 +0000")
        }
        guard let request = scanner.quoted() else {
            throw RecordFailure("not an access-log line: the \"request\" field is missing")
        }
        guard let statusText = scanner.token(), statusText.count == 3, let status = Int(statusText) else {
            throw RecordFailure("the status field is not a three-digit HTTP status")
        }
        guard let size = scanner.token(), size == "-" || Int(size) != nil else {
            throw RecordFailure("the body size field is not a number")
        }
        guard scanner.quoted() != nil, scanner.quoted() != nil else {
            throw RecordFailure("not an access-log line: the \"referer\" and \"user-agent\" fields are missing")
        }
        if scanner.atEnd {
            contentType = nil
            host = nil
        } else {
            guard let type = scanner.quoted() else {
                throw RecordFailure("the field after user-agent is not a quoted \"content type\"")
            }
            contentType = type == "-" ? "" : type
            let hostText = scanner.token()
            host = hostText == "-" ? nil : hostText
            guard scanner.atEnd else { throw RecordFailure("unexpected fields after the host field") }
        }
        let parts = request.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3 || parts.count == 2 else {
            throw RecordFailure("the request field is not `METHOD target PROTOCOL`")
        }
        method = String(parts[0])
        target = String(parts[1])
        self.status = status
        self.time = time
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Parses `01/Oct/2026:19:06:12 +0000` (any offset).
    static func time(_ text: String) -> Timestamp? {
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

/// Splits an access-log line into space-separated tokens, `[bracketed]` and `"quoted"` fields.
private struct Scanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var atEnd: Bool {
        bytes[index...].allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    private mutating func skipSpaces() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
    }

    /// The next run of non-space bytes.
    mutating func token() -> String? {
        skipSpaces()
        let start = index
        while index < bytes.count, bytes[index] != 0x20, bytes[index] != 0x09 { index += 1 }
        return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
    }

    /// The next `[…]` field's contents.
    mutating func bracketed() -> String? {
        skipSpaces()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "["),
            let end = bytes[index...].firstIndex(of: UInt8(ascii: "]"))
        else { return nil }
        defer { index = end + 1 }
        return String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
    }

    /// The next `"…"` field's contents; `\"` and `\\` inside are escapes (Apache), nginx writes `\x22`.
    mutating func quoted() -> String? {
        skipSpaces()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        var output: [UInt8] = []
        var cursor = index + 1
        while cursor < bytes.count {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "\\"), cursor + 1 < bytes.count {
                output.append(bytes[cursor + 1])
                cursor += 2
                continue
            }
            if byte == UInt8(ascii: "\"") {
                index = cursor + 1
                return String(decoding: output, as: UTF8.self)
            }
            output.append(byte)
            cursor += 1
        }
        return nil
    }
}
