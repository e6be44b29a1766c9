import ArgumentParser
import EventStore
import Foundation

extension EnrollAudit {
    struct Checkpoint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a checkpoint of the log's Merkle tree and record it.",
            discussion: """
                Prints a C2SP tlog-checkpoint (origin, tree size, base64 root) signed as a C2SP signed note, \
                and records it in the store (append-only). Keep it elsewhere: `verify --checkpoint FILE \
                --key KEY.pub` later proves the store still extends it. With --from SIZE (an older \
                checkpoint's size, e.g. an export's), the output is the C2SP tlog-witness form: `old SIZE`, the \
                consistency proof from that size, a blank line, the checkpoint; `verify --file EXPORT --checkpoint` \
                and Tools/verify-export.py check it offline.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: ArgumentHelp("The signing key (from keygen).", valueName: "file"))
        var key: String

        @Option(
            help: ArgumentHelp(
                "Also give the consistency proof from the tree of this many events (an older checkpoint's size).",
                valueName: "size"))
        var from: Int64?

        func validate() throws {
            if let from, from < 0 { throw ValidationError("--from must not be negative") }
        }

        func run() throws {
            let signer = try KeyFile.signer(key)
            let from = from
            let text = try storeOptions.withLog(.existing) { log in
                guard let from else { return try await log.signCheckpoint(with: signer) { _ in [] }.note }
                let size = try await log.treeHead().size
                guard from <= size else {
                    throw CLIFailure(.usage, "error: --from \(from): the store's tree holds only \(size) events")
                }
                return try await log.signCheckpoint(with: signer, provingFrom: from).text
            }
            print(text, terminator: "")
        }
    }
}
