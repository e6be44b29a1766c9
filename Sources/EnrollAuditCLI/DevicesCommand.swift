import ArgumentParser
import EnrollmentDomain
import Projections

extension EnrollAudit {
    struct Devices: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List enrollments, newest first, with filters.",
            discussion: """
                Examples:
                  enroll-audit devices --state failed --limit 20
                  enroll-audit devices --stalled-for 30m --format json
                  enroll-audit devices --user joe@contoso.com
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var stall: StallOptions

        @Option(help: ArgumentHelp("Only this user's enrollments (UPN or Entra user id).", valueName: "upn"))
        var user: String?

        @Option(help: "Only enrollments in this state.")
        var state: EnrollmentState?

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp("Only in-progress enrollments with no step for this long.", valueName: "duration"),
            transform: DurationArgument.parse)
        var stalledFor: DurationArgument?

        @OptionGroup var range: FirstSeenRange

        @Option(parsing: .unconditional, help: ArgumentHelp("At most this many.", valueName: "n"))
        var limit: Int?

        @Option(help: "The output format.")
        var format: ListFormat = .table

        @OptionGroup var csv: CSVOptions

        func validate() throws {
            if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        }

        func run() throws {
            let queries = try storeOptions.openQueries(stalledAfterSeconds: stall.stalledAfterSeconds)
            let filter = DeviceFilter(
                user: user, state: state, stalledFor: stalledFor.map { Double($0.milliseconds) / 1000 },
                asOf: stall.asOfTimestamp, since: range.since?.timestamp, until: range.until?.timestamp, limit: limit)
            let statuses = try queries.devices(filter)
            // An empty list prints nothing (a script sees no rows); a person at a terminal gets a word on stderr.
            if statuses.isEmpty && format == .table && Terminal.standardOutputIsTerminal {
                Terminal.standardError("no enrollments match")
            }
            try Terminal.standardOutput(DeviceRendering.render(statuses, format: format, rawCSV: csv.rawCSV))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the enrollment(s) an id names: any id of an enrollment, or a user's UPN for all theirs.",
            discussion: "Exit 3 when no enrollment has that id.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var stall: StallOptions

        @Argument(help: "An attempt or stream id, enrollment id, Intune/Entra device id, UPN or Entra user id.")
        var id: String

        @Option(help: "The output format.")
        var format: ListFormat = .table

        @OptionGroup var csv: CSVOptions

        func run() throws {
            let queries = try storeOptions.openQueries(stalledAfterSeconds: stall.stalledAfterSeconds)
            let statuses = try queries.requireEnrollments(matching: id, asOf: stall.asOfTimestamp)
            try Terminal.standardOutput(DeviceRendering.render(statuses, format: format, rawCSV: csv.rawCSV))
        }
    }
}

extension EnrollmentState: ExpressibleByArgument {}
