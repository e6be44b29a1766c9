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
                --key KEY.pub` later proves the store still extends it.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: ArgumentHelp("The signing key (from keygen).", valueName: "file"))
        var key: String

        func run() throws {
            let signer = try KeyFile.signer(key)
            let signed = try storeOptions.withLog(.existing) { log in
                try await log.signCheckpoint(with: signer) { _ in [] }
            }
            print(signed.note, terminator: "")
        }
    }
}
