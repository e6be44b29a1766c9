import Foundation
import TestSupport
import Testing

/// A hand-edited read-model row never crashes `show` or `timeline` nor prints nonsense: the store needs
/// `rebuild` (exit 4), and `rebuild` mends it from the log.
struct CLIReadModelTests {
    let samples: SampleStoreFile

    init() throws {
        samples = try SampleStoreFile()
    }

    static let edits: [(name: String, sql: String, lookup: String, says: String)] = [
        (
            "unknown state",
            "PRAGMA ignore_check_constraints = ON; UPDATE device_status SET state = 'hacked' WHERE enrollment = 'UE-b12e67531613'",
            "tom.rossi@fabrikam.com", "state 'hacked' is not a known value"
        ),
        (
            "unknown step",
            "PRAGMA ignore_check_constraints = ON; UPDATE device_status SET step = 'nowhere' WHERE enrollment = 'UE-b12e67531613'",
            "UE-b12e67531613", "step 'nowhere' is not a known value"
        ),
        (
            "dangling root", "DELETE FROM device_status WHERE enrollment = 'UE-b12e67531613'", "UE-b12e67531613",
            "identity names it, but device_status has no row"
        ),
        (
            "root without identity", "DELETE FROM identity_nodes WHERE root = 'UE-b12e67531613'",
            "tom.rossi@fabrikam.com", "no stream of the log belongs to it"
        ),
    ]

    @Test(arguments: edits.map(\.name))
    func aHandEditedRowSaysTheStoreNeedsRebuild(_ name: String) throws {
        let edit = try #require(Self.edits.first { $0.name == name })
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [samples.path, edit.sql]
        try sqlite.run()
        sqlite.waitUntilExit()
        try #require(sqlite.terminationStatus == 0)
        for command in ["show", "timeline"] {
            let result = try samples.run([command, edit.lookup, "--as-of", SampleStoreFile.asOf])
            #expect(result.status == 4, "\(name) \(command): \(result.status) \(result.stderr)")
            #expect(result.stdout.isEmpty)
            let expected = "error: the store's read models are damaged (enrollment UE-b12e67531613: \(edit.says))"
            #expect(result.stderr.hasPrefix(expected), "\(result.stderr)")
            #expect(result.stderr.contains("run `enroll-audit rebuild`"))
        }
        #expect(try samples.run(["rebuild"]).status == 0)
        let mended = try samples.run(["show", "UE-b12e67531613", "--format", "json"])
        #expect(mended.status == 0, "rebuild mends it: \(mended.stderr)")
    }
}
