/// What one field of an access-log format holds, whichever server wrote it.
///
/// nginx variables (`$remote_addr`), Apache directives (`%h`) and W3C field names (`c-ip`) all map to these
/// ("typed fields"); anything the decoder does not read is ``other(_:)`` and only has to be matched.
public enum AccessLogField: Hashable, Sendable {
    /// The client's address (IPv4 or IPv6; with `:port` in AWS ALB logs).
    case clientAddress
    /// The authenticated user (`$remote_user`, `%u`).
    case remoteUser
    /// The request time as `01/Oct/2026:19:06:12 +0000` (`$time_local`, `%t`).
    case timeLocal
    /// The request time as ISO 8601 (`$time_iso8601`, AWS ALB `time`).
    case timeISO8601
    /// The request time in seconds since 1970, fractions allowed (`$msec`, `%{sec}t`).
    case timeSeconds
    /// The request time in milliseconds since 1970 (`%{msec}t`).
    case timeMilliseconds
    /// The request date (W3C `date`, UTC).
    case date
    /// The request time of day (W3C `time`, UTC).
    case time
    /// The request line: `METHOD target PROTOCOL` (`$request`, `%r`).
    case request
    /// The method alone (`$request_method`, `%m`, `cs-method`).
    case method
    /// The request target with its query (`$request_uri`, `cs-uri`).
    case target
    /// The path without the query (`$uri`, `%U`, `cs-uri-stem`).
    case path
    /// The query without `?` (`$args`, `cs-uri-query`); Apache's `%q` includes the `?`.
    case query
    /// The protocol (`$server_protocol`, `%H`, `cs-version`).
    case protocolVersion
    /// The response status (`$status`, `%>s`, `sc-status`).
    case status
    /// The `Referer` header.
    case referer
    /// The `User-Agent` header.
    case userAgent
    /// The response's `Content-Type` (`$sent_http_content_type`, `%{Content-Type}o`, `sc(Content-Type)`).
    case contentType
    /// The host the request named or the server answered as (`$host`, `%v`, `cs(Host)`).
    case host
    /// The `X-Forwarded-For` header.
    case forwardedFor
    /// A field the decoder does not read, by its name in the format.
    case other(String)

    /// The field an nginx variable (without `$`) holds.
    static func nginx(_ name: String) -> AccessLogField {
        switch name {
        case "remote_addr", "realip_remote_addr": .clientAddress
        case "remote_user": .remoteUser
        case "time_local": .timeLocal
        case "time_iso8601": .timeISO8601
        case "msec": .timeSeconds
        case "request": .request
        case "request_method": .method
        case "request_uri": .target
        case "uri", "document_uri": .path
        case "args", "query_string": .query
        case "server_protocol": .protocolVersion
        case "status": .status
        case "http_referer": .referer
        case "http_user_agent": .userAgent
        case "sent_http_content_type": .contentType
        case "host", "http_host", "server_name": .host
        case "http_x_forwarded_for": .forwardedFor
        default: .other("$" + name)
        }
    }

    /// The field an Apache directive holds: its letter and its `{argument}`, if any.
    static func apache(_ letter: Character, argument: String?) -> AccessLogField {
        let argument = argument?.lowercased()
        switch (letter, argument) {
        case ("h", _), ("a", nil), ("a", "c"): return .clientAddress
        case ("u", _): return .remoteUser
        case ("t", nil): return .timeLocal
        case ("t", "sec"): return .timeSeconds
        case ("t", "msec"): return .timeMilliseconds
        case ("r", _): return .request
        case ("m", _): return .method
        case ("U", _): return .path
        case ("q", _): return .query
        case ("H", _): return .protocolVersion
        case ("s", _): return .status
        case ("v", _), ("V", _): return .host
        case ("i", "referer"): return .referer
        case ("i", "user-agent"): return .userAgent
        case ("i", "host"): return .host
        case ("i", "x-forwarded-for"): return .forwardedFor
        case ("o", "content-type"): return .contentType
        default: return .other("%" + (argument.map { "{\($0)}" } ?? "") + String(letter))
        }
    }

    /// The field a W3C extended log field name holds (IIS, Azure App Service, CloudFront).
    static func w3c(_ name: String) -> AccessLogField {
        switch name.lowercased() {
        case "date": .date
        case "time": .time
        case "c-ip": .clientAddress
        case "cs-username": .remoteUser
        case "cs-method": .method
        case "cs-uri": .target
        case "cs-uri-stem": .path
        case "cs-uri-query": .query
        case "cs-version", "cs-protocol-version": .protocolVersion
        case "sc-status": .status
        case "cs(referer)", "cs(referrer)": .referer
        case "cs(user-agent)": .userAgent
        case "sc(content-type)", "sc-content-type": .contentType
        case "cs(host)", "cs-host", "x-host-header": .host
        case "x-forwarded-for", "cs(x-forwarded-for)": .forwardedFor
        default: .other(name)
        }
    }

    /// Whether the field says when the request was made.
    var isTime: Bool {
        switch self {
        case .timeLocal, .timeISO8601, .timeSeconds, .timeMilliseconds, .date: true
        default: false
        }
    }
}
