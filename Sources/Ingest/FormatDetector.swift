import EnrollmentDomain

/// Guesses an input's format from its first non-blank line.
///
/// A first line that is a complete JSON object is judged by its top-level members, so a native export
/// whose `data.raw` holds a webhook body is still native. Otherwise (a pretty-printed document's first
/// line, a damaged line) the text is searched for telltale member names.
public enum FormatDetector {
    /// The format of a first line, or `nil` when it is blank or unrecognisable.
    public static func detect(_ line: [UInt8]) -> InputFormat? {
        var body = line[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let first = body.first(where: { $0 != 0x20 && $0 != 0x09 }) else { return nil }
        switch first {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            if let members = try? JSONParser.parse(body).objectValue { return detect(members: members) }
            return detect(text: String(decoding: body.prefix(4096), as: UTF8.self))
        case UInt8(ascii: "#"):
            // A W3C extended log (IIS, Azure App Service, CloudFront) starts with its directives.
            let text = String(decoding: body.prefix(64), as: UTF8.self)
            let directives = ["#Software:", "#Version:", "#Fields:", "#Date:", "#Remark:", "#Start-Date:"]
            return directives.contains(where: text.hasPrefix) ? .accessLog : nil
        default:
            // `host ident user [date] "request" status …`, or a line a preset reads (AWS ALB, …).
            let text = String(decoding: body.prefix(4096), as: UTF8.self)
            if text.contains(" [") && text.contains("\"") { return .accessLog }
            if case .none = AccessLogFormat.detect(Array(body)) { return nil }
            return .accessLog
        }
    }

    /// Members only Graph's `managedDevice`, `auditEvent`, `mobileAppInstallStatus` and `signIn` have.
    static let graphResourceMembers = ["deviceEnrollmentType", "activityType", "installState", "createdDateTime"]

    /// Whether `line` opens a JSON document it does not complete (`{` alone, `[{` …): its format is told by
    /// the document's members once complete (``DeferredJSONDecoder``).
    static func opensDocument(_ line: [UInt8]) -> Bool {
        var body = line[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let first = body.first(where: { $0 != 0x20 && $0 != 0x09 }),
            first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        else { return false }
        return (try? JSONParser.parse(body)) == nil
    }

    static func detect(members: [String: JSONValue]) -> InputFormat {
        if members["stream"] != nil && members["type"] != nil { return .native }
        if members["topic"] != nil || members["checkin_event"] != nil || members["acknowledge_event"] != nil {
            return .nanomdm
        }
        if members["value"] != nil || members.keys.contains(where: { $0.hasPrefix("@odata") })
            || members["eventDateTime"] != nil || members["correlationId"] != nil
        {
            return .graph
        }
        // Intune's and Entra's resources as tools export them without `@odata.type` (GraphResources).
        if graphResourceMembers.contains(where: { members[$0] != nil }) { return .graph }
        return .native
    }

    static func detect(text: String) -> InputFormat {
        let trimmed = text.trimmingCharacters(in: [" ", "\t"])
        if trimmed == "{" || trimmed == "[" || trimmed.hasPrefix("[{") || trimmed.hasPrefix("[ {") { return .graph }
        if text.contains("\"stream\"") && text.contains("\"event_id\"") && text.contains("\"occurred_at\"") {
            return .native
        }
        if text.contains("\"checkin_event\"") || text.contains("\"acknowledge_event\"")
            || (text.contains("\"topic\"") && text.contains("\"mdm."))
        {
            return .nanomdm
        }
        if text.contains("@odata") || text.contains("\"value\"") || text.contains("eventDateTime")
            || text.contains("TroubleshootingEvent")
            || graphResourceMembers.contains(where: { text.contains("\"\($0)\"") })
        {
            return .graph
        }
        return .native
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop(while: set.contains).reversed().drop(while: set.contains).reversed())
    }
}
