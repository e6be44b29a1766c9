import ArgumentParser
import EnrollmentDomain
import EventStore
import Export
import Foundation
import Ingest

extension EnrollAudit {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the hash chain and report the first position that breaks.",
            discussion: """
                Prints the head digest: write it down elsewhere and pass it later with --expect-digest to \
                also catch a truncated tail or a file replaced by an older copy. Exit 4 when broken.

                With --file, checks an NDJSON export (plain or .lz4) offline instead of the store: the chain is \
                recomputed from its lines and compared with the hashes and digest it carries.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: "The output format.")
        var format: ReportFormat = .text

        @Option(help: ArgumentHelp("A head digest recorded earlier, to check against.", valueName: "hex"))
        var expectDigest: String?

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp("The position that digest was taken at (default: the head).", valueName: "n"))
        var at: Int64?

        @Option(help: ArgumentHelp("Check this NDJSON export instead of the store.", valueName: "export"))
        var file: String?

        @Option(
            help: ArgumentHelp("The log's verifier key (KEY.pub from keygen), to check signatures.", valueName: "file"))
        var key: String?

        @Option(
            help: ArgumentHelp(
                "A signed checkpoint kept elsewhere: prove the store (or, with --file, the export's checkpoint) is extended by it.",
                valueName: "file"))
        var checkpoint: String?

        @Flag(help: "Also rebuild every projection into a scratch database and compare it with the store's.")
        var projections = false

        func validate() throws {
            if at != nil && expectDigest == nil { throw ValidationError("--at needs --expect-digest") }
            if let at, at < 0 { throw ValidationError("--at must not be negative") }
            if let expectDigest, !DigestArgument.isWellFormed(expectDigest) { throw DigestArgument.malformed }
            if checkpoint != nil && key == nil { throw ValidationError("--checkpoint needs --key KEY.pub") }
        }

        func run() throws {
            if let file { return try verifyExport(file) }
            let (expectDigest, at, checkpoint, key) = (expectDigest, at, checkpoint, key)
            let outcome = try storeOptions.withLog(.read) { log in
                var report = try await log.verify(
                    expectedDigest: expectDigest, expectedPosition: at,
                    progress: Terminal.progress("verifying position"))
                Terminal.endProgress()
                var extends: String?
                if let checkpoint, let key, report.ok {
                    let older = try ProofFiles.checkpoint(checkpoint, key: try KeyFile.verifier(key))
                    do {
                        _ = try await log.proveExtends(older.checkpoint)
                        extends =
                            "the store extends the checkpoint in \(checkpoint) (\(older.checkpoint.size) events): consistency proven"
                    } catch let error as ProofError {
                        report.problem = error.message
                    }
                }
                return (report, extends)
            }
            var report = outcome.0
            let extends = outcome.1
            let projectionCheck =
                report.ok && projections ? try checkProjections() : nil
            if let difference = projectionCheck?.difference {
                report.problem = "the read models differ from a rebuild from the log: \(difference)"
            }
            switch format {
            case .json:
                var members: [String: JSONValue] = [
                    "ok": .bool(report.ok), "events": .int(report.events), "head_position": .int(report.headPosition),
                    "head_hash": .string(report.headHash), "triggers_intact": .bool(report.triggersIntact),
                    "tree_size": .int(report.tree.size), "tree_root": .string(ProofFiles.base64(report.tree.root)),
                    "checkpoints": .int(Int64(report.checkpoints)),
                ]
                if let projectionCheck {
                    members["projection_rows"] = .int(Int64(projectionCheck.rows))
                    members["projection_tables"] = .array(projectionCheck.tables.map(JSONValue.string))
                }
                if let bad = report.firstBadPosition { members["first_bad_position"] = .int(bad) }
                if let problem = report.problem { members["problem"] = .string(problem) }
                print(JSONValue.object(members).canonicalString)
            case .text:
                if report.ok {
                    print("ok: \(report.events) events, chain intact; head position \(report.headPosition)")
                    print("digest: \(report.headHash)")
                    print(
                        "tree: \(report.tree.size) leaves, root \(ProofFiles.base64(report.tree.root)); "
                            + "\(report.checkpoints) recorded checkpoints match")
                    if let extends { print(extends) }
                    if let projectionCheck {
                        print(
                            "projections: \(projectionCheck.tables.count) tables, \(projectionCheck.rows) rows, identical to a rebuild from the log"
                        )
                    }
                } else {
                    print("BROKEN: \(report.problem ?? "")")
                    if let bad = report.firstBadPosition { print("first bad position: \(bad)") }
                    print("events checked before it: \(report.events)")
                }
            }
            if !report.ok { throw ExitCode(Status.integrity.rawValue) }
        }

        func verifyExport(_ path: String) throws {
            let input = try EnrollAudit.Ingest.open(path)
            let reader = LineReader(handle: input.handle)
            let verifier = try key.map(KeyFile.verifier)
            var report: ExportVerifier.Report
            do {
                report = try ExportVerifier().verify(
                    lines: {
                        switch try reader.next() {
                        case .text(let bytes): return bytes
                        case .tooLong:
                            throw CLIFailure(.integrity, "error: \(path):\(reader.lineNumber): line too long")
                        case nil: return nil
                        }
                    }, key: verifier)
            } catch is ExportVerifier.KeyNeeded {
                throw CLIFailure(.usage, "error: \(path) carries proofs: pass --key KEY.pub, the log's verifier key")
            }
            var later: String?
            if report.ok, let checkpoint, let verifier, let proven = report.checkpoint {
                do {
                    let (newer, carried) = try ProofFiles.laterCheckpoint(
                        checkpoint, extending: proven.checkpoint, key: verifier
                    ) { older, newer in
                        try storeOptions.withLog(.read) { log in
                            try await ProofFiles.proveConsistent(older, newer, log: log)
                        }
                    }
                    later =
                        "the checkpoint in \(checkpoint) (\(newer.size) events) extends the export's: consistency proven"
                        + (carried ? " by the proof it carries" : "")
                } catch let error as ProofError {
                    report.problem = error.message
                }
            }
            var ok = report.ok
            if let expectDigest, report.ok, report.headHash != expectDigest.lowercased() {
                ok = false
            }
            switch format {
            case .json:
                var members: [String: JSONValue] = [
                    "ok": .bool(ok), "events": .int(report.events), "head_position": .int(report.headPosition),
                    "head_hash": .string(report.headHash), "complete": .bool(report.complete),
                    "proofs": .bool(report.carriesProofs), "proven_complete": .bool(report.provenComplete),
                ]
                if let proven = report.checkpoint {
                    members["checkpoint_size"] = .int(proven.checkpoint.size)
                    members["checkpoint_root"] = .string(ProofFiles.base64(proven.checkpoint.root))
                }
                if let bad = report.firstBadPosition { members["first_bad_position"] = .int(bad) }
                if let line = report.firstBadLine { members["first_bad_line"] = .int(Int64(line)) }
                if let problem = report.problem { members["problem"] = .string(problem) }
                print(JSONValue.object(members).canonicalString)
            case .text:
                if ok, let proven = report.checkpoint {
                    let checkpoint = proven.checkpoint
                    print(
                        "ok: \(report.events) events in \(path), each proven in the signed tree of \(checkpoint.size) events "
                            + "of \(checkpoint.origin)")
                    print(
                        report.provenComplete
                            ? "complete: the lines are exactly the events the checkpoint lists, in order"
                            : "not proven complete: the checkpoint does not list the export's events, so a removed line "
                                + "would go unnoticed (export with --key to sign one that does)")
                    print("checkpoint: \(checkpoint.origin) \(checkpoint.size) \(ProofFiles.base64(checkpoint.root))")
                    if let later { print(later) }
                } else if ok {
                    print(
                        "ok: \(report.events) events in \(path), chain intact from position 1; head position \(report.headPosition)"
                    )
                    print("digest: \(report.headHash)")
                } else {
                    print("BROKEN: \(report.problem ?? "the digest does not match --expect-digest")")
                    if let line = report.firstBadLine { print("first bad line: \(line)") }
                }
            }
            if !ok { throw ExitCode(Status.integrity.rawValue) }
        }
    }
}
