import ArgumentParser
import EnrollmentDomain
import Foundation

/// A point in time on the command line: ISO 8601 with a zone (`2026-10-01T16:35:20Z`,
/// `2026-10-01T18:35:20+02:00`), a date alone (`2026-10-01`, midnight UTC) or `now`.
struct TimeArgument {
    var timestamp: Timestamp

    /// The accepted forms, as an error names them.
    static let forms =
        "use ISO 8601 with a zone, such as 2026-10-01T16:35:20Z or 2026-10-01T18:35:20+02:00, a date such as "
        + "2026-10-01 (midnight UTC), or now"

    /// Parses an option's value (`@Option(transform: TimeArgument.parse)`).
    ///
    /// - Throws: a `ValidationError` naming the accepted forms.
    static func parse(_ argument: String) throws -> TimeArgument {
        let text = argument.trimmingCharacters(in: .whitespaces)
        if text == "now" { return TimeArgument(timestamp: Clock.now) }
        if let parsed = Timestamp(iso8601: text) { return TimeArgument(timestamp: parsed) }
        if text.contains("T") && !text.hasSuffix("Z") && !text.dropFirst(11).contains(where: { $0 == "+" || $0 == "-" })
        {
            throw ValidationError("a time needs a zone (Z for UTC, or an offset such as +02:00); \(forms)")
        }
        throw ValidationError(forms)
    }
}

/// A duration on the command line: `90s`, `30m`, `2h`, `1h30m`, `1.5h`, `7d`, `2w` (a bare number is seconds).
struct DurationArgument {
    var milliseconds: Int64

    /// Parses an option's value (`@Option(transform: DurationArgument.parse)`).
    ///
    /// - Throws: a `ValidationError` naming the accepted forms (a negative duration too).
    static func parse(_ argument: String) throws -> DurationArgument {
        do {
            return DurationArgument(milliseconds: try DurationText.parse(argument))
        } catch {
            throw ValidationError(error.description)
        }
    }

    init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }
}

/// `--expect-digest`: a head digest as `verify` prints it, 64 hexadecimal digits.
enum DigestArgument {
    /// Whether `text` is 64 hexadecimal digits (either case), nothing around them.
    static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 64
            && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || (($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x66) }
    }

    /// The usage error of a malformed digest (exit 1: a typo is not tampering).
    static let malformed = ValidationError(
        "--expect-digest must be the 64 hexadecimal digits `verify` printed, such as 0ce5d461…8ccf, nothing around them"
    )
}

/// The wall clock, in the store's unit.
enum Clock {
    static var now: Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(milliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }
}
