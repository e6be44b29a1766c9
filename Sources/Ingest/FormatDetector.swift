/// Guesses an input's format from its first non-blank line.
public enum FormatDetector {
    /// The format of a first line, or `nil` when it is blank or unrecognisable.
    public static func detect(_ line: [UInt8]) -> InputFormat? {
        guard let first = line.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF })
        else { return nil }
        let text = String(decoding: line.prefix(4096), as: UTF8.self)
        switch first {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            if text.contains("\"checkin_event\"") || text.contains("\"acknowledge_event\"")
                || (text.contains("\"topic\"") && text.contains("\"mdm."))
            {
                return .nanomdm
            }
            if text.contains("\"stream\"") && text.contains("\"event_id\"") { return .native }
            if text.contains("@odata") || text.contains("\"value\"") || text.contains("eventDateTime")
                || text.contains("TroubleshootingEvent") || text == "{" || text == "["
            {
                return .graph
            }
            return .native
        default:
            // `host ident user [date] "request" status …`
            if text.contains(" [") && text.contains("\"") { return .accessLog }
            return nil
        }
    }
}
