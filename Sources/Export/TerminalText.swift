/// Text from the store made safe to show a person: what a terminal would act on is shown, not obeyed.
///
/// Events hold values written by devices, web clients and other systems: an MDM check-in's `ProductName`
/// may hold `ESC [ 2 J` (clear the screen), an OSC title sequence, a carriage return that overwrites the
/// line, or a right-to-left override (U+202E) that reverses what follows. Every human output passes its
/// values through ``escaped(_:)``; machine formats (JSON, NDJSON, CSV) stay exact and are not escaped here.
public enum TerminalText {
    /// `text` with every control and format character replaced by its visible Swift escape, such as
    /// `\u{1b}` for ESC, `\u{d}` for a carriage return or `\u{202e}` for a right-to-left override.
    ///
    /// Escaped: C0 controls (U+0000–U+001F, tab and newline included), DEL (U+007F), C1 controls
    /// (U+0080–U+009F), the bidirectional controls (U+202A–U+202E, U+2066–U+2069) and every other
    /// format character (Unicode category Cf: zero-width spaces and joiners, U+FEFF, soft hyphen, …),
    /// line and paragraph separators (U+2028, U+2029), private-use and unassigned code points.
    /// Everything else, accented letters and other scripts included, is kept as is.
    public static func escaped(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whether a terminal could act on `scalar` instead of showing it.
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x20 || (0x7F...0x9F).contains(value) { return true }
        if value < 0xA0 { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .unassigned, .surrogate:
            return true
        default:
            return false
        }
    }
}
