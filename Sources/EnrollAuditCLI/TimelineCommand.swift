import ArgumentParser
import EnrollmentDomain
import Projections

extension EnrollAudit {
    struct Timeline: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The troubleshooting timeline of an enrollment, or of every enrollment of a user.",
            discussion: """
                Every event of every linked stream, in the order it happened, with the gap since the previous \
                step, the outcome, and a hint (cause and fix) under failures and suspicious patterns.
                Exit 3 when no enrollment has that id.
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var stall: StallOptions

        @Argument(help: "Any id of an enrollment, or a UPN / Entra user id for all of a user's enrollments.")
        var id: String

        @Option(
            help: ArgumentHelp("Only the events that occurred at or after this time.", valueName: "time"),
            transform: TimeArgument.parse)
        var since: TimeArgument?

        @Option(
            help: ArgumentHelp("Only the events that occurred before this time.", valueName: "time"),
            transform: TimeArgument.parse)
        var until: TimeArgument?

        @Option(help: "The output format.")
        var format: TimelineFormat = .text

        @OptionGroup var csv: CSVOptions

        func validate() throws {
            try TimeRange.check(since: since, until: until)
        }

        func run() throws {
            let (id, asOf) = (id, stall.asOfTimestamp)
            let (statuses, timeline) = try storeOptions.withReadModel(stalledAfterSeconds: stall.stalledAfterSeconds) {
                queries in
                let statuses = try await queries.enrollments(matching: id, asOf: asOf).required(by: id)
                return (statuses, try await queries.timeline(of: statuses, asOf: asOf))
            }
            // What changed in a window ("last week"): gaps and hints are those of the whole timeline.
            let since = since?.timestamp ?? Timestamp(milliseconds: .min)
            let until = until?.timestamp ?? Timestamp(milliseconds: .max)
            let entries = timeline.filter {
                $0.occurredAt >= since && $0.occurredAt < until
            }.sorted {
                ($0.occurredAt, $0.position) < ($1.occurredAt, $1.position)
            }
            switch format {
            case .text:
                try Terminal.standardOutput(
                    TimelineRendering.text(
                        subject: id, statuses: statuses, entries: entries, color: Terminal.decoratesStandardOutput))
            case .json:
                try Terminal.standardOutput(
                    TimelineRendering.document(subject: id, statuses: statuses, entries: entries).prettyString)
            case .ndjson:
                try Terminal.standardOutput(entries.map { TimelineRendering.json($0).canonicalString + "\n" }.joined())
            case .csv:
                try Terminal.standardOutput(TimelineRendering.csv(entries, rawCSV: csv.rawCSV))
            }
        }
    }
}
