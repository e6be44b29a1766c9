import ArgumentParser
import EventStore
import PostgresStore

extension EnrollAudit {
    struct Rebuild: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild projections from the log (all, or one with --projection).",
            discussion: "Runs in one transaction in constant memory; progress is shown on a terminal.")

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: ArgumentHelp("The projection to rebuild: identity or device_status.", valueName: "name"))
        var projection: String?

        func run() throws {
            if let address = try storeOptions.postgresAddress { return try rebuild(address) }
            let store = try storeOptions.openExistingForWriting()
            if let projection, !store.projectionNames.contains(projection) {
                throw CLIFailure(
                    .usage,
                    "error: no projection named '\(projection)'; known: \(store.projectionNames.joined(separator: ", "))"
                )
            }
            let progress = Terminal.progress("rebuilding, position")
            let count = try store.rebuildProjections(named: projection.map { [$0] }, progress: progress)
            Terminal.endProgress()
            let names = projection ?? store.projectionNames.joined(separator: ", ")
            try Terminal.standardOutput("rebuilt \(names) from \(count) events\n")
        }

        /// On PostgreSQL every read model is rebuilt at once (`PostgresEventStore.rebuildReadModels`).
        private func rebuild(_ address: PostgresLocation) throws {
            if projection != nil {
                throw CLIFailure(
                    .usage,
                    "error: --projection does not apply to postgres://: PostgreSQL rebuilds every read model at once")
            }
            let progress = Terminal.progress("rebuilding, position")
            let count = try StoreOptions.withPostgres(address, migrate: false) {
                try await $0.rebuildReadModels(progress: progress)
            }
            Terminal.endProgress()
            try Terminal.standardOutput("rebuilt identity, device_status from \(count) events\n")
        }
    }
}
