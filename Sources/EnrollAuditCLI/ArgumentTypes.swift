import ArgumentParser
import EnrollmentDomain
import Foundation

/// A point in time on the command line: ISO 8601 (`2026-10-01T16:35:20Z`, `2026-10-01`) or `now`.
struct TimeArgument: ExpressibleByArgument {
    var timestamp: Timestamp

    init?(argument: String) {
        if argument == "now" {
            timestamp = Clock.now
        } else if let parsed = Timestamp(iso8601: argument) {
            timestamp = parsed
        } else {
            return nil
        }
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// A duration on the command line: `90s`, `30m`, `2h`, `7d` (a bare number means seconds).
struct DurationArgument: ExpressibleByArgument {
    var milliseconds: Int64

    init?(argument: String) {
        let units: [Character: Int64] = ["s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000]
        var text = Substring(argument)
        var unit: Int64 = 1_000
        if let last = text.last, let factor = units[last] {
            unit = factor
            text = text.dropLast()
        }
        guard let value = Int64(text), value >= 0, value < Int64.max / unit else { return nil }
        milliseconds = value * unit
    }
}

/// The wall clock, in the store's unit.
enum Clock {
    static var now: Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(milliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }
}
