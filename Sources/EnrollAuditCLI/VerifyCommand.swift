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

        func validate() throws {
            if at != nil && expectDigest == nil { throw ValidationError("--at needs --expect-digest") }
            if let at, at < 0 { throw ValidationError("--at must not be negative") }
            if let expectDigest, !DigestArgument.isWellFormed(expectDigest) { throw DigestArgument.malformed }
        }

        func run() throws {
            if let file { return try verifyExport(file) }
            let store = try storeOptions.openForReading()
            let progress = Terminal.progress("verifying position")
            let report = try store.verify(expectedDigest: expectDigest, expectedPosition: at, progress: progress)
            Terminal.endProgress()
            switch format {
            case .json:
                var members: [String: JSONValue] = [
                    "ok": .bool(report.ok), "events": .int(report.events), "head_position": .int(report.headPosition),
                    "head_hash": .string(report.headHash), "triggers_intact": .bool(report.triggersIntact),
                ]
                if let bad = report.firstBadPosition { members["first_bad_position"] = .int(bad) }
                if let problem = report.problem { members["problem"] = .string(problem) }
                print(JSONValue.object(members).canonicalString)
            case .text:
                if report.ok {
                    print("ok: \(report.events) events, chain intact; head position \(report.headPosition)")
                    print("digest: \(report.headHash)")
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
            let report = try ExportVerifier().verify {
                switch try reader.next() {
                case .text(let bytes): return bytes
                case .tooLong: throw CLIFailure(.badInput, "error: \(path):\(reader.lineNumber): line too long")
                case nil: return nil
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
                ]
                if let bad = report.firstBadPosition { members["first_bad_position"] = .int(bad) }
                if let line = report.firstBadLine { members["first_bad_line"] = .int(Int64(line)) }
                if let problem = report.problem { members["problem"] = .string(problem) }
                print(JSONValue.object(members).canonicalString)
            case .text:
                if ok {
                    let scope = report.complete ? "chain intact from position 1" : "links intact (partial export)"
                    print("ok: \(report.events) events in \(path), \(scope); head position \(report.headPosition)")
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
