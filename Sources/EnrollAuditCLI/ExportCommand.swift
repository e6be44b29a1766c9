import ArgumentParser
import EnrollmentDomain
import EventStore
import Export
import Foundation

extension EnrollAudit {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export raw events with position, recorded_at and hash.",
            discussion: """
                NDJSON re-ingests into another store as is, and `verify --file` recomputes its chain offline. \
                --since/--until filter on occurred_at. With --lz4 the output is an LZ4 frame (`lz4 -d` reads it).
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: "The output format.")
        var format: ExportFormat = .ndjson

        @Option(help: ArgumentHelp("Only the events of the enrollment this id names (any known id).", valueName: "id"))
        var id: String?

        @Option(
            help: ArgumentHelp("Only the events of this user's enrollments (UPN or Entra user id).", valueName: "upn"))
        var user: String?

        @Option(
            help: ArgumentHelp("Only events that occurred at or after this time.", valueName: "time"),
            transform: TimeArgument.parse)
        var since: TimeArgument?

        @Option(
            help: ArgumentHelp("Only events that occurred before this time.", valueName: "time"),
            transform: TimeArgument.parse)
        var until: TimeArgument?

        @Option(help: ArgumentHelp("Only events of this type (repeatable).", valueName: "type"))
        var type: [String] = []

        @Flag(help: "Compress the output as an LZ4 frame (read it with lz4 -d).")
        var lz4 = false

        @Option(
            name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")
        )
        var output: String?

        @Flag(help: "Replace the -o file if it exists (it is never written through a symbolic link).")
        var force = false

        @OptionGroup var csv: CSVOptions

        @Option(parsing: .unconditional, help: ArgumentHelp("Start after this position.", valueName: "n"))
        var after: Int64 = 0

        @Flag(
            inversion: .prefixedNo,
            help: "Give every NDJSON line a `proof` (C2SP tlog-proof). The default for --user and --id exports.")
        var proof: Bool?

        @Option(
            help: ArgumentHelp(
                "Sign a new checkpoint for the proofs with this key (else the latest the store recorded).",
                valueName: "file"))
        var key: String?

        func validate() throws {
            if id != nil && user != nil { throw ValidationError("give --id or --user, not both") }
            if after < 0 { throw ValidationError("--after must not be negative") }
            try TimeRange.check(since: since, until: until)
            for name in type where EventCatalogue.spec(for: name) == nil {
                throw ValidationError(
                    "unknown event type '\(name)'; known types: "
                        + EventCatalogue.all.map(\.name).joined(separator: ", "))
            }
            if withProofs && format != .ndjson { throw ValidationError("proofs are written on NDJSON exports only") }
            if key != nil && !withProofs {
                throw ValidationError("--key signs the proofs' checkpoint: drop --no-proof")
            }
        }

        /// Whether the lines carry proofs: asked for, or the default of one enrollment's or user's export.
        var withProofs: Bool {
            proof ?? (id != nil || user != nil)
        }

        func run() throws {
            let (types, after) = (Set(type), after)
            let since = since?.timestamp.milliseconds ?? .min
            let until = until?.timestamp.milliseconds ?? .max
            let include: @Sendable (RecordedEvent) -> Bool = { event in
                let time = event.event.occurredAt.milliseconds
                return event.position > after && time >= since && time < until
                    && (types.isEmpty || types.contains(event.event.type))
            }
            let exporter = EventExporter(format: format.value, neutralizesCSVFormulas: !csv.rawCSV)
            let signer = try key.map(KeyFile.signer)
            guard let subject = id ?? user else {
                let file = try OutputOptions.open(output, force: force)
                let sink = Unchecked(try ByteSink(output: file, lz4: lz4))
                if !withProofs, try storeOptions.postgresAddress == nil {
                    // The SQLite store streams in one read transaction, as it always has.
                    let store = try storeOptions.openForReading()
                    try exporter.export(
                        from: store, after: after, to: sink.value, progress: Terminal.progress("exporting, position"),
                        where: include)
                } else {
                    let withProofs = withProofs
                    try proofFailures {
                        try storeOptions.withLog(signer == nil ? .read : .existing) { log in
                            let progress = Terminal.progress("exporting, position")
                            if withProofs {
                                try await ProofExport(log: log, signer: signer).exportAll(
                                    after: after, to: sink.value, progress: progress, where: include)
                            } else {
                                try await exporter.export(from: log, after: after, to: sink.value, where: include)
                            }
                        }
                    }
                }
                Terminal.endProgress()
                try file.commit()
                return
            }
            // One enrollment (or a user's): the events of every linked stream, in position order, found
            // through the read models on either backend; the proofs come from the log.
            let events = try storeOptions.withReadModel { model in
                try await model.events(
                    of: try await model.enrollments(matching: subject, asOf: nil).required(by: subject))
            }.filter(include)
            let file = try OutputOptions.open(output, force: force)
            let sink = Unchecked(try ByteSink(output: file, lz4: lz4))
            if withProofs {
                try proofFailures {
                    try storeOptions.withLog(signer == nil ? .read : .existing) { log in
                        try await ProofExport(log: log, signer: signer).export(events, to: sink.value)
                    }
                }
            } else {
                try exporter.export(events, to: sink.value)
            }
            try file.commit()
        }

        /// Turns "no checkpoint to prove against" into a usage error that says what to do.
        private func proofFailures<T>(_ body: () throws -> T) throws {
            do {
                _ = try body()
            } catch let failure as ProofExport.Failure {
                switch failure.code {
                case .noCheckpoint:
                    throw CLIFailure(.usage, "error: \(failure): pass --key KEY to sign one for this export")
                case .checkpointBehind:
                    throw CLIFailure(
                        .usage, "error: \(failure): pass --key KEY to sign a new one, or run `checkpoint` first")
                case .eventMissing:
                    throw CLIFailure(.integrity, "error: \(failure)")
                }
            }
        }
    }

    enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
        case ndjson, csv, json

        var value: EventExporter.Format { EventExporter.Format(rawValue: rawValue)! }
    }
}

/// `-o FILE` of the commands that write a file.
enum OutputOptions {
    /// Standard output for `nil` or `-`; else `path`, written safely (``OutputFile``): refused if it exists
    /// unless `force`, never through a symbolic link, 0600, in place only at ``OutputFile/commit()``.
    static func open(_ path: String?, force: Bool) throws -> OutputFile {
        guard let path, path != "-" else { return Terminal.output }
        return try OutputFile(path: path, replacing: force)
    }
}

/// `--raw-csv`: the opt-out of formula neutralisation.
struct CSVOptions: ParsableArguments {
    @Flag(
        help: """
            Write CSV cells exactly as stored: without it, a cell starting with =, +, -, @, tab or CR gets a \
            leading ' so that a spreadsheet does not evaluate it.
            """)
    var rawCSV = false
}
