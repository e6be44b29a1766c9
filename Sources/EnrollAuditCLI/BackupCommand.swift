import ArgumentParser
import EventStore
import Export
import Foundation
import Ingest
import PostgresStore

extension EnrollAudit {
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the store to a new file with SQLite's online backup.",
            discussion: """
                A consistent copy from one snapshot, while writers go on; the file is created with mode 0600 \
                and must not exist. The copy is a store: open it with --store. From postgres://… it is a SQLite \
                store too, with the same positions, tree and checkpoints (copied and checked as `copy` does).
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: ArgumentHelp("The new file.", valueName: "file"))
        var to: String

        func run() throws {
            if try storeOptions.postgresAddress != nil { return try backupFromPostgres() }
            let store = try storeOptions.openForReading()
            let tree = try store.backup(to: to)
            print("backed up \(tree.size) events to \(to); tree root \(ProofFiles.base64(tree.root))")
        }

        /// A PostgreSQL store backed up as a SQLite store file: its log, tree and checkpoints copied (`copy`,
        /// each hash and root checked) into a scratch file beside `to`, which SQLite's online backup then
        /// writes to `to` (new, mode 0600), complete or not at all. The events are those up to the head when
        /// the backup began (the log is append-only, so that prefix is a consistent snapshot).
        private func backupFromPostgres() throws {
            var status = stat()
            guard lstat(to, &status) != 0 else {
                throw EventStoreError(.readOnly, "cannot create the backup: the file exists", path: to)
            }
            let destination = URL(fileURLWithPath: to)
            let scratch = destination.deletingLastPathComponent().appendingPathComponent(
                ".\(destination.lastPathComponent).partial-\(getpid())"
            ).path
            defer {
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    try? FileManager.default.removeItem(atPath: scratch + suffix)
                }
            }
            let source = try storeOptions.pendingLog(.read)
            // Created empty and private first: SQLite makes a store of it, and its -wal and -shm, 0600 too.
            let descriptor = open(scratch, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw EventStoreError(
                    .readOnly, "cannot create the backup: \(String(cString: strerror(errno)))", path: scratch)
            }
            close(descriptor)
            let target = try StoreOptions.at(scratch).pendingLog(.create)
            let summary = try BlockingRun.value {
                try await source.using { source in
                    try await target.using { target in
                        try await Copy.copy(from: source, to: target, progress: Terminal.progress("copying, position"))
                    }
                }
            }
            Terminal.endProgress()
            let tree = try StoreOptions.at(scratch).openForReading().backup(to: to)
            print("backed up \(tree.size) events to \(to); tree root \(ProofFiles.base64(tree.root))")
            if let checkpoint = summary.latest?.checkpoint {
                print(
                    "with \(summary.checkpoints) checkpoints; the latest: \(checkpoint.origin) \(checkpoint.size) "
                        + ProofFiles.base64(checkpoint.root))
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore a full NDJSON export into a new store exactly as the source recorded it.",
            discussion: """
                Keeps positions, versions, recorded_at and hashes, so the Merkle tree and every proof come out \
                the same, and records the checkpoint the export's proofs are against (which --key checks). \
                Anything that does not reproduce the source's log is refused, and nothing is stored. Into \
                postgres://… the same checks run first, then the log goes in in one transaction.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Flag(help: "Keep positions, recorded_at and hashes (the only mode: use ingest to add events).")
        var verbatim = false

        @Option(help: ArgumentHelp("The source log's verifier key, when the export carries proofs.", valueName: "file"))
        var key: String?

        @Argument(help: ArgumentHelp("The full export (NDJSON, plain or .lz4).", valueName: "export"))
        var file: String

        func validate() throws {
            if !verbatim { throw ValidationError("import needs --verbatim (to add events to a store, use ingest)") }
        }

        func run() throws {
            let verifier = try key.map(KeyFile.verifier)
            let input = try EnrollAudit.Ingest.open(file)
            let reader = LineReader(handle: input.handle)
            let lines: () throws -> [UInt8]? = { [file] in
                switch try reader.next() {
                case .text(let bytes): return bytes
                case .tooLong: throw CLIFailure(.badInput, "error: \(file):\(reader.lineNumber): line too long")
                case nil: return nil
                }
            }
            let report: VerbatimImport.Report
            if let address = try storeOptions.postgresAddress {
                report = try importIntoPostgres(address, lines: lines, verifier: verifier)
            } else {
                report = try refusals {
                    try VerbatimImport(verifier: verifier).run(into: storeOptions.openForWriting(), lines: lines)
                }
            }
            print(
                "imported \(report.events) events verbatim; tree \(report.tree.size) leaves, root "
                    + ProofFiles.base64(report.tree.root))
            if let checkpoint = report.checkpoint?.checkpoint {
                print(
                    "recorded the export's checkpoint: \(checkpoint.origin) \(checkpoint.size) \(ProofFiles.base64(checkpoint.root))"
                )
            }
        }

        /// PostgreSQL: the lines are imported, with every check of a file import, into a scratch SQLite store
        /// in `$TMPDIR`, which is then restored into the database in one transaction
        /// (`PostgresEventStore.restore(from:progress:)`): all or nothing, as into a file.
        private func importIntoPostgres(
            _ address: PostgresLocation, lines: () throws -> [UInt8]?, verifier: NoteVerifier?
        ) throws -> VerbatimImport.Report {
            let held = try StoreOptions.withPostgres(address, migrate: true) { try await $0.head().position }
            if held > 0 { throw refusal(0, "the store already holds \(held) events: import into a new one") }
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
                "enroll-audit-import-\(getpid())-\(UUID().uuidString.prefix(8)).sqlite"
            ).path
            defer {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: scratch + suffix) }
            }
            let store = try SQLiteEventStore(path: scratch, logger: StoreOptions.logger)
            var report = try refusals { try VerbatimImport(verifier: verifier).run(into: store, lines: lines) }
            let log = store.log
            do {
                let restored = try StoreOptions.withPostgres(address, migrate: true) {
                    try await $0.restore(from: log, progress: Terminal.progress("importing, position"))
                }
                Terminal.endProgress()
                report.tree = restored.tree
            } catch let error as EventStoreError where error.code == .invalidEvent {
                Terminal.endProgress()
                throw refusal(0, error.message)
            }
            return report
        }

        /// Turns an import's refusal into exit 4 naming the file and line.
        private func refusals<T>(_ body: () throws -> T) throws -> T {
            do {
                return try body()
            } catch let failure as VerbatimImport.Failure {
                throw refusal(failure.line, failure.message)
            }
        }

        private func refusal(_ line: Int, _ message: String) -> CLIFailure {
            let place = line > 0 ? "\(file):\(line)" : file
            return CLIFailure(.integrity, "error: \(place): \(message); nothing was imported")
        }
    }
}
