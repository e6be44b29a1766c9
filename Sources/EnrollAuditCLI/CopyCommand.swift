import ArgumentParser
import EventStore
import Foundation

extension EnrollAudit {
    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the log, its Merkle tree and its checkpoints from one store to another.",
            discussion: """
                Either store may be a file or a postgres:// address (docs/postgres.md). Every event keeps its \
                position, version, recorded_at and chain hash, so the target's tree, roots and checkpoints are \
                the source's; each is checked as it is written. A SQLite target builds its read models as it \
                goes. The copy commits in pages of 4,096 events: an interrupted copy leaves a valid prefix, and \
                running it again continues from there. A target that holds anything but a prefix of the \
                source is refused (exit 4).
                """)

        @Option(help: ArgumentHelp("The store to copy from (a file or postgres://…).", valueName: "store"))
        var from: String

        @Option(help: ArgumentHelp("The store to copy into, created when missing.", valueName: "store"))
        var to: String

        func run() throws {
            let source = try StoreOptions.at(from).pendingLog(.read)
            let target = try StoreOptions.at(to).pendingLog(.create)
            let (from, to) = (from, to)
            let summary = try BlockingRun.value {
                try await source.using { source in
                    try await target.using { target in
                        try await Self.copy(from: source, to: target, progress: Terminal.progress("copying, position"))
                    }
                }
            }
            Terminal.endProgress()
            print(
                "copied \(summary.events) events and \(summary.checkpoints) checkpoints from \(from) to \(to); "
                    + "the target holds \(summary.tree.size) events")
            print("tree: \(summary.tree.size) leaves, root \(ProofFiles.base64(summary.tree.root)), the same in both")
            if let latest = summary.latest {
                let checkpoint = latest.checkpoint
                print(
                    "latest checkpoint: \(checkpoint.origin) \(checkpoint.size) \(ProofFiles.base64(checkpoint.root)), "
                        + "identical in both")
            }
        }

        struct Summary: Sendable {
            var events: Int64
            var checkpoints: Int
            var tree: TreeHead
            var latest: SignedCheckpoint?
        }

        /// Copies what `target` lacks of `source` (a target that is not a prefix of it is refused).
        static func copy(from source: any EventLog, to target: any EventLog, progress: (@Sendable (Int64) -> Void)?)
            async throws -> Summary
        {
            let start = try await target.head()
            if start.position > 0 {
                let twin = try await source.events(after: start.position - 1, limit: 1).first
                guard twin?.hash == start.hash else {
                    throw CLIFailure(
                        .integrity,
                        "error: \(target.location) holds \(start.position) events that are not the first "
                            + "\(start.position) of \(source.location); nothing was copied")
                }
            }
            var copied: Int64 = 0
            try await source.forEachPage(after: start.position) { page in
                try await target.appendVerbatim(page)
                copied += Int64(page.count)
                if let last = page.last?.position { progress?(last) }
                return true
            }
            let tree = try await target.treeHead()
            guard try await tree.root == source.treeRoot(size: tree.size) else {
                throw CLIFailure(.integrity, "error: the copied tree's root differs from the source's")
            }
            let theirs = try await source.checkpoints()
            let ours = try await target.checkpoints()
            guard ours.map(\.signed.note) == theirs.prefix(ours.count).map(\.signed.note) else {
                throw CLIFailure(
                    .integrity,
                    "error: \(target.location) holds checkpoints that \(source.location) does not; "
                        + "its events were copied, its checkpoints not")
            }
            var recorded = 0
            for checkpoint in theirs.dropFirst(ours.count) where checkpoint.signed.checkpoint.size <= tree.size {
                try await target.recordCheckpoint(checkpoint)
                recorded += 1
            }
            // The notes are copied verbatim, each once the target's tree reproduced its root.
            let latest = try await target.latestCheckpoint()
            return Summary(events: copied, checkpoints: recorded, tree: tree, latest: latest)
        }
    }
}
