/// The log formats servers ship with, by name, and telling them apart from a line.
extension AccessLogFormat {
    /// Apache's and nginx's `common` (NCSA Common Log Format).
    public static let common = preset("common", #"%h %l %u %t \"%r\" %>s %b"#)
    /// Apache's and nginx's `combined`: `common` with the referer and user agent.
    public static let combined = preset("combined", #"%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\""#)
    /// nginx.org's default `main`: `combined` with `"$http_x_forwarded_for"`.
    public static let main = preset(
        "main",
        #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "#
            + #""$http_user_agent" "$http_x_forwarded_for""#)
    /// Debian Apache's `vhost_combined`: the virtual host and port, then `combined`.
    public static let vhostCombined = preset(
        "vhost_combined", #"%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\""#)
    /// This project's `discovery` format: `combined` with the response's Content-Type and the host
    /// (`docs/ingest.md`).
    public static let discovery = preset(
        "discovery",
        #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "#
            + #""$http_user_agent" "$sent_http_content_type" $host"#)
    /// W3C extended logs (IIS, Azure App Service, CloudFront): the fields come from the log's `#Fields:`.
    public static let w3c = AccessLogFormat(name: "w3c", layout: .w3c(nil, names: []))
    /// AWS Application Load Balancer access logs, fields up to `error_reason`; later fields (AWS adds them
    /// at the end) are allowed and ignored. `domain_name` (the TLS SNI) is read as the host.
    public static let alb = preset(
        "alb",
        #"$type $time_iso8601 $elb $remote_addr $target $request_processing_time $target_processing_time "#
            + #"$response_processing_time $status $target_status_code $received_bytes $sent_bytes "$request" "#
            + #""$http_user_agent" $ssl_cipher $ssl_protocol $target_group_arn "$trace_id" "$host" "#
            + #""$chosen_cert_arn" $matched_rule_priority $request_creation_time "$actions_executed" "#
            + #""$redirect_url" "$error_reason""#,
        allowsTrailingFields: true)

    /// Every preset, in the order `--log-format` lists them.
    public static let presets: [AccessLogFormat] = [common, combined, main, vhostCombined, discovery, w3c, alb]

    private static func preset(_ name: String, _ text: String, allowsTrailingFields: Bool = false) -> AccessLogFormat {
        do {
            let elements = isNginx(text) ? try nginxElements(text) : try apacheElements(text)
            return try checked(name: name, elements: elements, allowsTrailingFields: allowsTrailingFields)
        } catch {
            preconditionFailure("the preset \(name) does not compile: \(error)")
        }
    }

    /// What a first line says about its format.
    enum Detection {
        /// Exactly one preset reads the line.
        case preset(AccessLogFormat)
        /// The line could be read more than one way.
        case ambiguous(String)
        /// No preset reads the line.
        case none
    }

    /// The preset that reads `line`, when exactly one does.
    ///
    /// A line starting with `#` is a W3C directive. `main` and `combined` followed by a quoted Content-Type
    /// look the same; a last quoted field that looks like a media type makes `main` ambiguous.
    static func detect(_ line: [UInt8]) -> Detection {
        if line.first == UInt8(ascii: "#") { return .preset(w3c) }
        let readers = presets.filter { preset in
            guard case .template = preset.layout, case .matched(let values) = preset.match(line) else { return false }
            return values.string(.status).map(AccessLogRequest.isStatus) ?? false
        }
        guard readers.count == 1, let reader = readers.first else {
            return readers.isEmpty
                ? .none : .ambiguous("the line reads as each of " + readers.map(\.name).joined(separator: ", "))
        }
        if reader == main, case .matched(let values) = reader.match(line),
            let forwarded = values.string(.forwardedFor), forwarded.contains("/")
        {
            return .ambiguous(
                "its last quoted field (\(forwarded.prefix(40))) looks like a Content-Type, not nginx main's "
                    + "X-Forwarded-For")
        }
        return .preset(reader)
    }
}
