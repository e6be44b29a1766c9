import ArgumentParser
import EventStore
import Export
import Foundation
import Ingest

extension EnrollAudit {
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the store to a new file with SQLite's online backup.",
            discussion: """
                A consistent copy from one snapshot, while writers go on; the file is created with mode 0600 \
                and must not exist. The copy is a store: open it with --store.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: ArgumentHelp("The new file.", valueName: "file"))
        var to: String

        func run() throws {
            let store = try storeOptions.openForReading()
            let tree = try store.backup(to: to)
            print("backed up \(tree.size) events to \(to); tree root \(ProofFiles.base64(tree.root))")
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore a full NDJSON export into a new store exactly as the source recorded it.",
            discussion: """
                Keeps positions, versions, recorded_at and hashes, so the Merkle tree and every proof come out \
                the same, and records the checkpoint the export's proofs are against (which --key checks). \
                Anything that does not reproduce the source's log is refused, and nothing is stored.
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
            let store = try storeOptions.openForWriting()
            let report: VerbatimImport.Report
            do {
                report = try VerbatimImport(verifier: verifier).run(into: store) {
                    switch try reader.next() {
                    case .text(let bytes): return bytes
                    case .tooLong: throw CLIFailure(.badInput, "error: \(file):\(reader.lineNumber): line too long")
                    case nil: return nil
                    }
                }
            } catch let failure as VerbatimImport.Failure {
                let place = failure.line > 0 ? "\(file):\(failure.line)" : file
                throw CLIFailure(.integrity, "error: \(place): \(failure.message); nothing was imported")
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
    }
}
