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
        guard let milliseconds = DurationText.milliseconds(argument) else { return nil }
        self.milliseconds = milliseconds
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
