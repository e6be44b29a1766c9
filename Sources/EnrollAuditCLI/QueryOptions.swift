import ArgumentParser
import EnrollmentDomain
import Projections

/// `--format` of `devices` and `show`.
enum ListFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, ndjson, csv
}

/// `--format` of `timeline`.
enum TimelineFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, ndjson, csv
}

/// `--format` of `stats`.
enum StatsFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, prometheus
}

/// `--as-of` (a point in time) and `--stalled-after` (how "stalled" is judged).
struct StallOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A point in time (default: now): each enrollment as it stood then, from the events that had occurred.",
            valueName: "time"),
        transform: TimeArgument.parse)
    var asOf: TimeArgument?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "An in-progress enrollment with no step for this long is stalled (default 1h).", valueName: "duration"),
        transform: DurationArgument.parse)
    var stalledAfter: DurationArgument?

    var asOfTimestamp: Timestamp? { asOf?.timestamp }
    var stalledAfterSeconds: Double { Double(stalledAfter?.milliseconds ?? 3_600_000) / 1000 }
}

/// `--since` / `--until` on when an enrollment was first seen (`devices`, `stats`).
struct FirstSeenRange: ParsableArguments {
    func validate() throws {
        try TimeRange.check(since: since, until: until)
    }

    @Option(
        help: ArgumentHelp("Only enrollments first seen at or after this time.", valueName: "time"),
        transform: TimeArgument.parse)
    var since: TimeArgument?

    @Option(
        help: ArgumentHelp("Only enrollments first seen before this time.", valueName: "time"),
        transform: TimeArgument.parse)
    var until: TimeArgument?
}

extension Array where Element == DeviceStatus {
    /// The enrollments an id named, or a "not found" failure (exit 3) naming the id when there is none.
    func required(by id: String) throws -> [DeviceStatus] {
        guard !isEmpty else { throw CLIFailure(.notFound, "error: no enrollment is known by '\(id)'") }
        return self
    }
}

/// Checks shared by every `--since`/`--until` pair.
enum TimeRange {
    /// - Throws: a `ValidationError` when `until` is not after `since` (an empty range is a mistake).
    static func check(since: TimeArgument?, until: TimeArgument?) throws {
        if let since, let until, until.timestamp <= since.timestamp {
            throw ValidationError(
                "--until (\(until.timestamp.iso8601)) must be after --since (\(since.timestamp.iso8601))")
        }
    }
}
