import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// keygen → checkpoint → export with proofs → verify, through the built binary, and every kind of edit
/// of an export refused by `verify --file` and by the independent Python verifier (Tools/verify-export.py).
struct CLIProofTests {
    let fixture: ProofStore
    var directory: TemporaryDirectory { fixture.directory }
    var store: String { fixture.path }
    var key: String { fixture.key }
    static let user = ProofStore.user

    init() throws {
        fixture = try ProofStore()
    }

    /// The user's export with proofs against a checkpoint signed for it, as lines.
    func export(key: String? = nil, arguments: [String] = ["--user", Self.user]) throws -> [String] {
        let path = directory.path("export-\(UUID().uuidString).ndjson")
        let result = try CommandLineTool.run(
            ["export", "--store", store, "--key", key ?? self.key, "-o", path] + arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// Writes `lines` to a file and runs both verifiers on it.
    func verify(_ lines: [String], key: String? = nil, trailingNewline: Bool = true) throws -> (
        swift: CommandLineTool.Result, python: CommandLineTool.Result
    ) {
        try fixture.verify(Array((lines.joined(separator: "\n") + (trailingNewline ? "\n" : "")).utf8), key: key)
    }

    static func object(_ line: String) throws -> [String: JSONValue] {
        try #require(try JSONParser.parse(line).objectValue)
    }

    static func line(_ members: [String: JSONValue]) -> String { JSONValue.object(members).canonicalString }

    /// `line` with `change` applied to its members.
    static func edit(_ line: String, _ change: (inout [String: JSONValue]) -> Void) throws -> String {
        var members = try object(line)
        change(&members)
        return Self.line(members)
    }

    /// `line` with the proof's text changed by `change`.
    static func editProof(_ line: String, _ change: (inout [String]) -> Void) throws -> String {
        try edit(line) { members in
            var lines = members["proof"]!.stringValue!.components(separatedBy: "\n")
            change(&lines)
            members["proof"] = .string(lines.joined(separator: "\n"))
        }
    }

    @Test func aCleanExportIsProvenByBothVerifiers() throws {
        let lines = try export()
        #expect(lines.count == 9)
        let (swift, python) = try verify(lines)
        #expect(swift.status == 0, "\(swift.stdout)\(swift.stderr)")
        #expect(swift.stdout.contains("ok: 9 events"))
        #expect(swift.stdout.contains("complete: the lines are exactly the events the checkpoint lists"))
        #expect(python.status == 0, "\(python.stdout)\(python.stderr)")
        #expect(python.stdout.contains("ok: 9 events"))
        // Reformatting a line (members in another order) changes nothing: the leaf is its RFC 8785 form.
        var reordered = lines
        reordered[4] = try JSONValue.object(Self.object(lines[4])).prettyString
            .replacingOccurrences(of: "\n", with: "")
        #expect(try verify(reordered).swift.status == 0)
    }

    @Test func everyEditOfAnExportIsRefusedNamingTheLine() throws {
        let lines = try export()
        let full = try export(arguments: ["--proof"])
        let (otherKey, otherOrigin) = try fixture.foreignKeys()
        // A checkpoint of another size: make the log grow, then export again.
        try fixture.ingest(EventFactory.ndjsonLines(count: 5))
        let later = try export()

        let cases: [(name: String, lines: [String], key: String?, line: Int)] = [
            (
                "a changed data value",
                try replacing(lines, at: 2) { try Self.edit($0) { $0["data"] = .object(["x": 1]) } }, nil, 3
            ),
            (
                "a changed envelope value",
                try replacing(lines, at: 5) {
                    try Self.edit($0) { $0["recorded_at"] = .string("2026-01-01T00:00:00.000Z") }
                }, nil, 6
            ),
            (
                "a changed stream version",
                try replacing(lines, at: 0) { try Self.edit($0) { $0["version"] = .int(7) } }, nil, 1
            ),
            ("a deleted line", lines.enumerated().filter { $0.offset != 4 }.map(\.element), nil, 9),
            ("a duplicated line", Array(lines[0...3]) + [lines[3]] + Array(lines[4...]), nil, 5),
            ("two lines swapped", [lines[1], lines[0]] + Array(lines[2...]), nil, 2),
            ("an inserted line of the log", Array(lines[0...1]) + [full[500]] + Array(lines[2...]), nil, 3),
            (
                "a forged event with a self-consistent hash",
                Array(lines[0...6]) + [
                    try Self.edit(lines[6]) { members in
                        members["event_id"] = .string("00000000-0000-4000-8000-000000000001")
                        members["position"] = .int(members["position"]!.intValue! + 1)
                        members["hash"] = .string(String(repeating: "ab", count: 32))
                        members["proof"] = .string(
                            members["proof"]!.stringValue!.replacingOccurrences(
                                of: "index \(members["position"]!.intValue! - 2)",
                                with: "index \(members["position"]!.intValue! - 1)"))
                    }
                ] + Array(lines[7...]), nil, 8
            ),
            ("a proof from another tree size", replacing(lines, at: 3) { _ in later[3] }, nil, 4),
            (
                "a flipped bit in a proof hash",
                try replacing(lines, at: 8) { try Self.editProof($0) { $0[2] = flip($0[2]) } }, nil, 9
            ),
            (
                "a proof of another index",
                try replacing(lines, at: 1) { try Self.editProof($0) { $0[1] = "index 0" } }, nil, 2
            ),
            ("a checkpoint signed by another key", try export(key: otherKey), nil, 1),
            ("a checkpoint of another origin", try export(key: otherOrigin), nil, 1),
            ("a line with no proof", try replacing(lines, at: 6) { try Self.edit($0) { $0["proof"] = nil } }, nil, 7),
            (
                "a truncated file", Array(lines.dropLast()) + [String(lines.last!.prefix(lines.last!.count / 2))], nil,
                9
            ),
            ("a truncated file cut at a line", Array(lines.dropLast(3)), nil, 7),
        ]
        for (name, tampered, key, line) in cases {
            let (swift, python) = try verify(tampered, key: key)
            #expect(swift.status == 4, "\(name): \(swift.stdout)\(swift.stderr)")
            #expect(swift.stdout.contains("first bad line: \(line)\n"), "\(name): \(swift.stdout)")
            #expect(!swift.stdout.contains("ok:"), "\(name)")
            #expect(python.status == 4, "\(name) (Python): \(python.stdout)\(python.stderr)")
            #expect(python.stdout.contains("REJECTED: line \(line):"), "\(name) (Python): \(python.stdout)")
        }
    }

    @Test func aPartialExportWithoutProofsIsNeverOK() throws {
        let path = directory.path("plain.ndjson")
        let export = try CommandLineTool.run([
            "export", "--store", store, "--user", Self.user, "--no-proof", "-o", path,
        ])
        #expect(export.status == 0)
        let result = try CommandLineTool.run(["verify", "--file", path])
        #expect(result.status == 4)
        #expect(!result.stdout.contains("ok"))
        #expect(result.stdout.contains("without proofs cannot show"))
    }

    @Test func checkpointsAreRecordedAndLaterOnesProveConsistency() throws {
        let first = try CommandLineTool.run(["checkpoint", "--store", store, "--key", key])
        #expect(first.status == 0)
        let lines = first.stdout.components(separatedBy: "\n")
        #expect(lines[0] == "example.com/enrollment-audit")
        #expect(lines[1] == "702")
        #expect(lines[4].hasPrefix("\u{2014} example.com/enrollment-audit "))
        let old = directory.path("checkpoint-702")
        try Data(first.stdout.utf8).write(to: URL(fileURLWithPath: old))
        // Without --key, an export is proven against the latest recorded checkpoint.
        let plainExport = directory.path("latest.ndjson")
        #expect(
            try CommandLineTool.run(["export", "--store", store, "--user", Self.user, "-o", plainExport]).status == 0)
        let proven = try CommandLineTool.run(["verify", "--file", plainExport, "--key", key + ".pub"])
        #expect(proven.status == 0, "\(proven.stdout)")
        #expect(proven.stdout.contains("not proven complete"))
        #expect(proven.stdout.contains("signed tree of 702 events"))

        let more = directory.path("more.ndjson")
        try Data((EventFactory.ndjsonLines(count: 9).joined(separator: "\n") + "\n").utf8).write(
            to: URL(fileURLWithPath: more))
        #expect(try CommandLineTool.run(["ingest", "--store", store, more]).status == 0)
        let newer = directory.path("checkpoint-711")
        let second = try CommandLineTool.run(["checkpoint", "--store", store, "--key", key])
        try Data(second.stdout.utf8).write(to: URL(fileURLWithPath: newer))
        let extends = try CommandLineTool.run(["verify", "--store", store, "--checkpoint", old, "--key", key + ".pub"])
        #expect(extends.status == 0, "\(extends.stdout)\(extends.stderr)")
        #expect(extends.stdout.contains("2 recorded checkpoints match"))
        #expect(extends.stdout.contains("consistency proven"))
        let exportThenLater = try CommandLineTool.run(
            ["verify", "--store", store, "--file", plainExport, "--key", key + ".pub", "--checkpoint", newer])
        #expect(exportThenLater.status == 0, "\(exportThenLater.stdout)\(exportThenLater.stderr)")
        #expect(exportThenLater.stdout.contains("(711 events) extends the export's: consistency proven"))
        // A checkpoint whose root was edited (and re-signed by nobody): refused.
        var forged = first.stdout.components(separatedBy: "\n")
        forged[2] = flip(forged[2])
        try Data(forged.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: old))
        let refused = try CommandLineTool.run(["verify", "--store", store, "--checkpoint", old, "--key", key + ".pub"])
        #expect(refused.status == 4)
        #expect(refused.stderr.contains("does not verify"))
    }

    @Test func theKeyFilesAreTheSignedNoteEncodings() throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: key)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let verifier = try String(contentsOfFile: key + ".pub", encoding: .utf8)
        let parts = verifier.trimmingCharacters(in: .newlines).split(separator: "+", maxSplits: 2)
        #expect(parts.count == 3 && parts[0] == "example.com/enrollment-audit" && parts[1].count == 8)
        #expect(Data(base64Encoded: String(parts[2]))?.first == 0x01)
        let again = try CommandLineTool.run(["keygen", "--origin", "example.com/enrollment-audit", "--out", key])
        #expect(again.status == 2, "an existing key is never overwritten")
        let badName = try CommandLineTool.run(["keygen", "--origin", "has space", "--out", directory.path("x.key")])
        #expect(badName.status == 2)
    }
}

/// Flips one bit of a base64 text's bytes.
func flip(_ base64: String) -> String {
    var bytes = Data(base64Encoded: base64)!
    bytes[bytes.count / 2] ^= 0x10
    return bytes.base64EncodedString()
}

/// `lines` with the line at `index` replaced.
func replacing(_ lines: [String], at index: Int, _ change: (String) throws -> String) rethrows -> [String] {
    var lines = lines
    lines[index] = try change(lines[index])
    return lines
}
