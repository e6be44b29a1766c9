import Foundation

/// Durations written as people write them: `90s`, `30m`, `2h`, `1h30m`, `1.5h`, `7d`, `2w` (a bare number
/// means seconds). One parser for the CLI's options and the service's query parameters.
public enum DurationText {
    /// A duration for people: `45s`, `3m12s`, `2h05m`, `3d4h`.
    public static func human(_ seconds: Double) -> String {
        let total = Int64(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3_600 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        if total < 86_400 { return "\(total / 3_600)h\(String(format: "%02d", total % 3_600 / 60))m" }
        return "\(total / 86_400)d\(total % 86_400 / 3_600)h"
    }

    /// The accepted forms, as an error names them.
    public static let forms = "use a duration such as 90s, 30m, 1h30m, 1.5h, 7d or 2w (a bare number is seconds)"

    /// Why a text is not a duration: a sentence that names the accepted forms.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    static let units: [Character: Double] = [
        "s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000,
    ]

    /// The milliseconds of `text`, or `nil` when it is not such a duration.
    public static func milliseconds(_ text: String) -> Int64? {
        try? parse(text)
    }

    /// The milliseconds of `text` (surrounding spaces ignored; units in decreasing order, each once).
    ///
    /// - Throws: ``Failure`` for a negative, malformed or too long duration.
    public static func parse(_ argument: String) throws(Failure) -> Int64 {
        let text = argument.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("-") { throw Failure(description: "a duration cannot be negative; \(forms)") }
        if let seconds = Double(text), seconds.isFinite, text.allSatisfy({ $0.isNumber || $0 == "." }) {
            return try rounded(seconds * 1000)
        }
        var total = 0.0
        var number = ""
        var lastUnit = Double.infinity
        for character in text {
            if character.isASCII && (character.isNumber || character == ".") {
                number.append(character)
            } else if let unit = units[character], let value = Double(number), unit < lastUnit {
                total += value * unit
                lastUnit = unit
                number = ""
            } else {
                throw Failure(description: forms)
            }
        }
        guard number.isEmpty, !text.isEmpty else { throw Failure(description: forms) }
        return try rounded(total)
    }

    private static func rounded(_ milliseconds: Double) throws(Failure) -> Int64 {
        guard milliseconds < Double(Int64.max / 2) else { throw Failure(description: "the duration is too long") }
        return Int64(milliseconds.rounded())
    }
}
