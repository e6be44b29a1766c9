import ArgumentParser
import EnrollmentDomain
import EventStore
import Export
import Foundation
import Ingest
import PostgresStore

extension EnrollAudit {
    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ingest events from files or standard input.",
            discussion: """
                Reads native NDJSON events, NanoMDM/MicroMDM webhook bodies, Microsoft Graph exports \
                (troubleshooting events, Entra sign-ins, Intune managed devices, audit events, Authenticator \
                install statuses) and access logs of /.well-known/com.apple.remotemanagement in the server's \
                format (--log-format); the format is detected per file unless --from names it. .lz4 (LZ4 \
                frame) and UTF-16 (with a byte order mark) inputs are read transparently. Skipped records \
                are counted by reason.

                By default an ingest is all or nothing: one bad record and nothing is stored (exit 2), and \
                every bad record is listed with file, line and reason. With --reject-file, good records are \
                stored and bad ones written to that file.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: ArgumentHelp("Files to read; - or none for standard input.", valueName: "file"))
        var files: [String] = []

        @Option(name: .customLong("from"), help: "The input format; auto detects it per file.")
        var from: FormatChoice = .auto

        @Option(help: ArgumentHelp("Store good records and write bad ones here.", valueName: "path"))
        var rejectFile: String?

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp("Commit every N records instead of once at the end.", valueName: "n"))
        var commitEvery: Int?

        @Option(help: ArgumentHelp("The url_params key of NanoMDM check-ins that carries the attempt id."))
        var attemptParameter = "attempt"

        @Option(
            help: ArgumentHelp(
                "The access logs' format: a preset (common, combined, main, vhost_combined, discovery, w3c, alb), "
                    + "an nginx log_format string or an Apache LogFormat string; by default told from the first line.",
                valueName: "format"))
        var logFormat: String?

        @Option(help: "The summary's format.")
        var format: ReportFormat = .text

        @Option(help: "full (fsync every commit) or normal (survives a crash, not a power loss).")
        var durability: Durability = .full

        func validate() throws {
            if let commitEvery, commitEvery < 1 { throw ValidationError("--commit-every must be at least 1") }
            if let logFormat {
                do { _ = try AccessLogFormat(specification: logFormat) } catch { throw ValidationError(error.message) }
            }
        }

        func run() throws {
            let inputs = try files.isEmpty ? [IngestInput(name: "-", handle: .standardInput)] : files.map(Self.open)
            let postgres = try storeOptions.postgresAddress
            let existed = try postgres != nil || SQLiteEventStore.fileExists(at: storeOptions.path)
            let summary: IngestSummary
            do {
                summary = try ingest(inputs)
                Terminal.endProgress()
            } catch {
                Terminal.endProgress()
                // A first ingest that stored nothing leaves no empty store behind.
                if !existed { SQLiteEventStore.removeIfUnused(at: storeOptions.path) }
                if let error = error as? IngestError, format == .json {
                    // A script reading the JSON summary learns of the failure from it too.
                    try Terminal.standardOutput(SummaryReport.json(error).canonicalString + "\n")
                }
                throw CLIFailure(error)
            }
            switch format {
            case .json: try Terminal.standardOutput(SummaryReport.json(summary).canonicalString + "\n")
            case .text: try Terminal.standardOutput(SummaryReport.text(summary))
            }
            if summary.total.rejected > 0 {
                throw CLIFailure(
                    .badInput, "\(summary.total.rejected) record(s) rejected, written to \(rejectFile ?? "-")")
            }
        }

        /// Opens the store, ingests, and releases the store (its connections closed) before returning.
        private func ingest(_ inputs: [IngestInput]) throws -> IngestSummary {
            if let address = try storeOptions.postgresAddress { return try ingest(inputs, into: address) }
            let store = try storeOptions.openForWriting(durability: durability.value)
            return try makeRunner().run(inputs, into: store)
        }

        /// Ingests into PostgreSQL a batch at a time, each batch one append transaction that also updates
        /// the read models (`IngestRunner.run(_:appending:)`); the store is migrated when needed.
        private func ingest(_ inputs: [IngestInput], into address: PostgresLocation) throws -> IngestSummary {
            let store = try BlockingRun.value {
                try await PostgresEventStore.open(address, migrate: true, logger: StoreOptions.logger)
            }
            defer { _ = BlockingRun.wait { await store.close() } }
            return try makeRunner().run(inputs, appending: Self.appending(to: store))
        }

        /// How an ingest appends to PostgreSQL: each batch one `append` transaction, waited for here.
        static func appending(to store: PostgresEventStore) -> ([NewEvent]) throws -> [AppendOutcome] {
            { events in try BlockingRun.value { try await store.append(events, expectedVersions: [:]).outcomes } }
        }

        private func makeRunner() throws -> IngestRunner {
            var options = IngestOptions()
            options.format = from.format
            options.rejectFile = rejectFile
            options.commitEvery = commitEvery
            options.attemptParameter = attemptParameter
            options.logFormat = try logFormat.map { specification throws in
                try AccessLogFormat(specification: specification)
            }
            let progress = Terminal.progress("ingesting records")
            return IngestRunner(options: options, progress: progress.map { report in { report(Int64($0)) } })
        }

        static func open(_ name: String) throws -> IngestInput {
            if name == "-" { return IngestInput(name: "-", handle: .standardInput) }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: name, isDirectory: &isDirectory), isDirectory.boolValue {
                throw CLIFailure(.badInput, "error: \(name) is a directory; name the files to read")
            }
            guard let handle = FileHandle(forReadingAtPath: name) else {
                throw CLIFailure(.notFound, "error: cannot read \(name): no such file or not readable")
            }
            return IngestInput(name: name, handle: handle)
        }
    }

    enum FormatChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, native, nanomdm, graph
        case accessLog = "access-log"

        var format: InputFormat? { InputFormat(rawValue: rawValue) }
    }

    enum Durability: String, ExpressibleByArgument, CaseIterable {
        case full, normal

        var value: StoreConfiguration.Durability { self == .full ? .full : .normal }
    }
}

/// Renders an ingest summary.
enum SummaryReport {
    static func json(_ summary: IngestSummary) -> JSONValue {
        func counts(_ c: IngestSummary.Counts) -> [String: JSONValue] {
            var members: [String: JSONValue] = [
                "records": .int(Int64(c.records)), "appended": .int(Int64(c.appended)),
                "duplicates": .int(Int64(c.duplicates)), "rejected": .int(Int64(c.rejected)),
                "skipped": .int(Int64(c.skipped)),
            ]
            if c.restated > 0 { members["restated"] = .int(Int64(c.restated)) }
            return members
        }
        var members = counts(summary.total)
        members["committed"] = .bool(summary.committed)
        var sources: [String: JSONValue] = [:]
        for (source, sourceCounts) in summary.sources {
            var members = counts(sourceCounts)
            if let skips = summary.skips[source], !skips.isEmpty {
                members["skipped_by_reason"] = .object(
                    skips.mapValues {
                        .object(["count": .int(Int64($0.count)), "first": .array($0.first.map(JSONValue.string))])
                    })
            }
            if let notes = summary.notes[source], !notes.isEmpty {
                members["notes"] = .array(notes.map(JSONValue.string))
            }
            sources[source] = .object(members)
        }
        members["sources"] = .object(sources)
        members["reject_file"] = summary.rejectFile.map(JSONValue.string) ?? .null
        return .object(members)
    }

    /// The summary of a failed ingest: what the committed batches hold, `committed` false when nothing
    /// was, and the bad records (`errors`, up to the listing limit; `rejected` counts them all).
    static func json(_ failure: IngestError) -> JSONValue {
        var summary = IngestSummary()
        summary.total = failure.committed
        summary.committed = failure.committed.records > 0
        guard case .object(var members) = json(summary) else { return .null }
        members["rejected"] = .int(Int64(failure.totalRejected))
        members.removeValue(forKey: "sources")
        members["errors"] = .array(
            failure.rejected.map {
                .object(["file": .string($0.file), "line": .int(Int64($0.line)), "reason": .string($0.reason)])
            })
        members["fatal"] = failure.fatal.map(JSONValue.string) ?? .null
        return .object(members)
    }

    static func text(_ summary: IngestSummary) -> String {
        func line(_ c: IngestSummary.Counts) -> String {
            "\(c.records) records: \(c.appended) appended, \(c.duplicates) duplicates"
                + (c.restated > 0 ? " (\(c.restated) restated with other fields, the first stored kept)" : "")
                + ", \(c.rejected) rejected, \(c.skipped) skipped"
        }
        var text = "ingested \(line(summary.total))\n"
        for source in summary.sources.keys.sorted() {
            text += "  \(source): \(line(summary.sources[source]!))\n"
            let skips = (summary.skips[source] ?? [:]).sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }
            for (reason, skipped) in skips {
                let more = skipped.count > skipped.first.count ? ", …" : ""
                text += "    skipped \(skipped.count): \(reason) (\(skipped.first.joined(separator: ", "))\(more))\n"
            }
            for note in summary.notes[source] ?? [] { text += "    note: \(note)\n" }
        }
        if let rejectFile = summary.rejectFile, summary.total.rejected > 0 {
            text += "rejected records written to \(TerminalText.escaped(rejectFile))\n"
        }
        return text
    }
}
