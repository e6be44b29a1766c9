import ArgumentParser
import Projections

extension EnrollAudit {
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fleet statistics: states, the funnel, failures by reason, time to enroll.",
            discussion: """
                Counts enrollments whose first event falls in [--since, --until). --format prometheus writes \
                the text exposition format for a scrape job or a textfile collector.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @OptionGroup var range: FirstSeenRange

        @Option(help: ArgumentHelp("Also break the figures down by UTC day (the only value: day).", valueName: "day"))
        var by: StatsGrouping?

        @Option(help: "The output format.")
        var format: StatsFormat = .table

        func run() throws {
            let query = StatsQuery(since: range.since?.timestamp, until: range.until?.timestamp, byDay: by == .day)
            let stats = try storeOptions.withReadModel { try await $0.stats(query) }
            switch format {
            case .table: try Terminal.standardOutput(StatsRendering.table(stats))
            case .json: try Terminal.standardOutput(StatsRendering.json(stats).prettyString)
            case .prometheus: try Terminal.standardOutput(StatsRendering.prometheus(stats))
            }
        }
    }

    enum StatsGrouping: String, ExpressibleByArgument, CaseIterable {
        case day
    }
}
