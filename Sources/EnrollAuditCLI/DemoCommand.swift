import ArgumentParser
import EnrollmentDomain
import EventStore
import Export
import FleetSimulator
import Foundation
import Ingest
import PostgresStore
import Projections

extension EnrollAudit {
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Simulate a fleet into a fresh store and show what the tool does.",
            discussion: """
                Writes the simulator's native events, NanoMDM webhook lines and Intune/Entra Graph objects \
                (sign-ins, managed devices, install statuses, audit events) to temporary files, ingests \
                them like real input, then prints fleet statistics, the top failure reasons, one stalled \
                enrollment's timeline with hints, and the commands to try next. The same seed always gives \
                the same fleet.
                """)

        @Option(
            help: ArgumentHelp(
                "The store to create: a file, or postgres://… of a database that holds no events.", valueName: "path"))
        var store = "enroll-audit-demo.sqlite"

        @Option(help: "How many users to simulate.")
        var users = 200

        @Option(help: "The simulator's seed.")
        var seed: UInt64 = 7

        @Flag(help: "Replace the store if it exists and an earlier demo created it (any other file is refused).")
        var replace = false

        func validate() throws {
            guard (1...1_000_000).contains(users) else { throw ValidationError("--users must be 1 to 1,000,000") }
        }

        func run() throws {
            let options = StoreOptions.with(path: store)
            if let address = try options.postgresAddress {
                try runOnPostgres(address)
                return
            }
            if FileManager.default.fileExists(atPath: store) {
                guard replace else {
                    throw CLIFailure(.usage, "error: \(store) exists; pass --replace to overwrite it, or --store PATH")
                }
                guard (try? options.openForReading().isDemo()) == true else {
                    throw CLIFailure(
                        .usage,
                        "error: \(store) was not created by demo, so --replace leaves it as it is; name another --store PATH"
                    )
                }
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + suffix) }
            }
            let database = try options.openForWriting(durability: .normal)
            try database.markAsDemo()
            let summary = try ingestSimulated { try IngestRunner().run($0, into: database) }
            try show(summary, from: EnrollmentQueries(store: database))
        }

        /// The demo on PostgreSQL: only into a database that holds no events (its log is append-only, so
        /// nothing could take a demo back out of a real store), migrated first; the ingest appends a batch at
        /// a time, as `ingest --store postgres://…` does.
        private func runOnPostgres(_ address: PostgresLocation) throws {
            let database = try BlockingRun.value {
                try await PostgresEventStore.open(address, migrate: true, logger: StoreOptions.logger)
            }
            defer { _ = BlockingRun.wait { await database.close() } }
            let held = try BlockingRun.value { try await database.head().position }
            guard held == 0 else {
                throw CLIFailure(
                    .usage,
                    "error: \(database.location) holds \(held) events; demo writes only into a database that holds "
                        + "none (a PostgreSQL log is append-only: --replace cannot empty it), so name another --store")
            }
            let summary = try ingestSimulated {
                try IngestRunner().run($0, appending: EnrollAudit.Ingest.appending(to: database))
            }
            try show(summary, from: PostgresEnrollmentQueries(store: database))
        }

        /// Simulates the fleet into temporary files, ingests them with `ingest`, and removes them.
        private func ingestSimulated(_ ingest: ([IngestInput]) throws -> IngestSummary) throws -> IngestSummary {
            let files = try simulate()
            defer { for file in files { try? FileManager.default.removeItem(atPath: file) } }
            return try ingest(try files.map(EnrollAudit.Ingest.open))
        }

        /// Prints the statistics, one stalled enrollment's timeline and the commands to try next, from the
        /// read models of either backend.
        private func show(_ summary: IngestSummary, from model: any EnrollmentReadModel) throws {
            let header =
                "Simulated \(users) users (seed \(seed)) into \(TerminalText.escaped(store)):\n"
                + SummaryReport.text(summary) + "\n"
            let color = Terminal.decoratesStandardOutput
            let (report, user) = try BlockingRun.value {
                var out = header + StatsRendering.table(try await model.stats(StatsQuery()))
                let stalled = try await model.devices(DeviceFilter(stalledFor: 3_600, limit: 1))
                if let example = stalled.first {
                    let entries = try await model.timeline(of: [example], asOf: nil)
                    out += "\nOne stalled enrollment, as support would read it:\n\n"
                    out += TimelineRendering.text(
                        subject: example.enrollment, statuses: [example], entries: entries, color: color)
                }
                return (out, stalled.first?.user)
            }
            let store = TerminalText.escaped(store)
            let name = TerminalText.escaped(user ?? "USER@DOMAIN")
            try Terminal.standardOutput(
                report + """

                    Try next:
                      enroll-audit devices --store \(store) --stalled-for 1h
                      enroll-audit devices --store \(store) --state failed --format json
                      enroll-audit show --store \(store) \(name)
                      enroll-audit timeline --store \(store) \(name)
                      enroll-audit stats --store \(store) --by day --format prometheus
                      enroll-audit export --store \(store) --user \(name) --format csv
                      enroll-audit verify --store \(store)

                    """)
        }

        /// Writes the simulated fleet to three temporary files: native events, NanoMDM webhook lines and
        /// the Graph objects of Intune and Entra ID.
        func simulate() throws -> [String] {
            let directory = FileManager.default.temporaryDirectory.path
            let native = "\(directory)/enroll-audit-demo-\(getpid())-native.ndjson"
            let webhooks = "\(directory)/enroll-audit-demo-\(getpid())-nanomdm.ndjson"
            let intune = "\(directory)/enroll-audit-demo-\(getpid())-intune.ndjson"
            var nativeBytes: [UInt8] = []
            var webhookBytes: [UInt8] = []
            var intuneBytes: [UInt8] = []
            FleetSimulator(seed: seed, users: users).forEachAttempt { attempt in
                for event in attempt.events {
                    event.jsonValue.write(to: &nativeBytes)
                    nativeBytes.append(0x0A)
                }
                for line in attempt.webhookLines { webhookBytes += Array(line.utf8) + [0x0A] }
                for line in attempt.intuneLines { intuneBytes += Array(line.utf8) + [0x0A] }
            }
            try Data(nativeBytes).write(to: URL(fileURLWithPath: native))
            try Data(webhookBytes).write(to: URL(fileURLWithPath: webhooks))
            try Data(intuneBytes).write(to: URL(fileURLWithPath: intune))
            return [native, webhooks, intune]
        }
    }
}

extension StoreOptions {
    /// Options naming `path` explicitly.
    static func with(path: String) -> StoreOptions {
        var options = StoreOptions()
        options.store = path
        return options
    }
}
