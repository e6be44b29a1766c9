import ArgumentParser
import EnrollmentDomain
import Export
import Projections

extension EnrollAudit {
    struct Devices: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List enrollments, newest first, with filters.",
            discussion: """
                Streams every format (memory stays flat with the fleet). Page with --limit and --after: pass \
                the last enrollment of one page as --after to get the next, in the same --sort order.

                Examples:
                  enroll-audit devices --state failed --limit 20
                  enroll-audit devices --stalled-for 30m --format json
                  enroll-audit devices --user lea.haddad
                  enroll-audit devices --reason authenticator_missing --os 17 --domain contoso.com
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var stall: StallOptions

        @Option(
            help: ArgumentHelp(
                "Only this user's enrollments: a UPN or its beginning (any case), or an Entra user id.",
                valueName: "upn"))
        var user: String?

        @Option(help: "Only enrollments in this state.")
        var state: EnrollmentState?

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp(
                "Only enrollments stalled this long (the threshold of their (stalled) mark too).",
                valueName: "duration"), transform: DurationArgument.parse)
        var stalledFor: DurationArgument?

        @OptionGroup var range: FirstSeenRange

        @Option(help: ArgumentHelp("Only this device model, e.g. iPhone15,2 (any case).", valueName: "model"))
        var model: String?

        @Option(help: ArgumentHelp("Only this OS version or its updates (17 matches 17.6.1).", valueName: "version"))
        var os: String?

        @Option(help: ArgumentHelp("Only this failure or problem reason, e.g. DeviceCapReached.", valueName: "reason"))
        var reason: String?

        @Option(help: "Only enrollments whose furthest step is this one.")
        var step: EnrollmentStep?

        @Option(help: ArgumentHelp("Only users of this domain, e.g. contoso.com.", valueName: "domain"))
        var domain: String?

        @Flag(help: "Only enrollments whose ids conflict: two EnrollmentIDs, or two attempts, joined into one.")
        var conflicted = false

        @Option(help: "The order: first-seen (newest first), last-seen, last-step (stalled longest first), user.")
        var sort: DeviceSort = .firstSeen

        @Option(
            help: ArgumentHelp(
                "Start after this enrollment (the last of the previous page), in --sort order.", valueName: "id"))
        var after: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("At most this many.", valueName: "n"))
        var limit: Int?

        @Option(help: "The output format.")
        var format: ListFormat = .table

        @OptionGroup var csv: CSVOptions

        func validate() throws {
            if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        }

        func run() throws {
            var filter = DeviceFilter(
                user: user, state: state, stalledFor: stalledFor.map { Double($0.milliseconds) / 1000 },
                asOf: stall.asOfTimestamp, since: range.since?.timestamp, until: range.until?.timestamp, limit: limit)
            filter.model = model
            filter.osVersion = os
            filter.reason = reason
            filter.step = step
            filter.domain = domain
            filter.sort = sort
            filter.conflicted = conflicted
            filter.after = after
            let sink = Unchecked(try ByteSink(output: Terminal.output, lz4: false))
            let count: Int
            let (format, rawCSV) = (format, csv.rawCSV)
            do {
                count = try storeOptions.withReadModel(stalledAfterSeconds: stall.stalledAfterSeconds) { [filter] in
                    try await DeviceRendering.stream(filter, from: $0, format: format, rawCSV: rawCSV, to: sink.value)
                }
            } catch let error as DeviceQueryError {
                throw CLIFailure(.notFound, "error: \(error)")
            }
            // An empty list prints nothing (a script sees no rows); a person at a terminal gets a word on stderr.
            if count == 0 && format == .table && Terminal.standardOutputIsTerminal {
                Terminal.standardError("no enrollments match")
            }
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
            let (id, asOf) = (id, stall.asOfTimestamp)
            let statuses = try storeOptions.withReadModel(stalledAfterSeconds: stall.stalledAfterSeconds) {
                try await $0.enrollments(matching: id, asOf: asOf)
            }.required(by: id)
            try Terminal.standardOutput(DeviceRendering.render(statuses, format: format, rawCSV: csv.rawCSV))
        }
    }
}

extension EnrollmentState: ExpressibleByArgument {}
extension EnrollmentStep: ExpressibleByArgument {}
extension DeviceSort: ExpressibleByArgument {}
