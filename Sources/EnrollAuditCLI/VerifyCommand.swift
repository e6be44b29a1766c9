import ArgumentParser
import EnrollmentDomain
import EventStore

extension EnrollAudit {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the hash chain and report the first position that breaks.",
            discussion: """
                Prints the head digest: write it down elsewhere and pass it later with --expect-digest to \
                also catch a truncated tail or a file replaced by an older copy. Exit 4 when broken.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: "Output format: text or json.")
        var format: ReportFormat = .text

        @Option(help: ArgumentHelp("A head digest recorded earlier, to check against.", valueName: "hex"))
        var expectDigest: String?

        @Option(help: ArgumentHelp("The position that digest was taken at (default: the head).", valueName: "n"))
        var at: Int64?

        func validate() throws {
            if at != nil && expectDigest == nil { throw ValidationError("--at needs --expect-digest") }
        }

        func run() throws {
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
    }
}
