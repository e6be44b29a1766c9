import EnrollmentDomain
import Export
import Foundation

/// Values from the store made ready for a page. HTML escaping is the templates' job; this makes visible
/// what a browser would otherwise act on silently: control characters, and bidirectional overrides that
/// reverse what follows (`\u{202e}`), shown as their Swift escapes as the terminal output does.
enum DisplayText {
    static func text(_ value: String) -> String { TerminalText.escaped(value) }

    static func text(_ value: String?) -> String? { value.map(text) }

    /// `2h05m`, or `nil`.
    static func duration(_ seconds: Double?) -> String? { seconds.map(DurationText.human) }

    /// The path of an enrollment's page: the id percent-encoded whole (only unreserved characters kept),
    /// so no id can make the link leave `/console` or carry a scheme.
    static func enrollmentPath(_ id: String) -> String { "/console/enrollments/" + urlComponent(id) }

    /// `value` percent-encoded whole: only ASCII letters, digits and `-._~` kept.
    static func urlComponent(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<"\u{80}"))
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A file name for `value`: ASCII letters, digits, `-` and `.` kept, anything else `_`, at most 80.
    static func fileName(_ value: String) -> String {
        let kept = value.unicodeScalars.prefix(80).map { scalar -> Character in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == ".")
                ? Character(scalar) : "_"
        }
        return String(kept)
    }
}
