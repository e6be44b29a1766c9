import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// An export's checkpoint proven extended by a later one, offline: `checkpoint --from SIZE` writes the
/// later checkpoint with its consistency proof (the C2SP tlog-witness form), and both `verify --file
/// --checkpoint` (without the store) and Tools/verify-export.py check it, refusing every altered proof.
struct CLIConsistencyTests {
    let fixture: ProofStore
    /// The user's export, with proofs against a checkpoint signed for it.
    let export: String
    /// The export's tree size.
    let size: Int
    /// `checkpoint --from size` after more events were ingested.
    let later: String

    init() throws {
        fixture = try ProofStore()
        export = fixture.directory.path("tom.ndjson")
        let exported = try CommandLineTool.run([
            "export", "--store", fixture.path, "--user", ProofStore.user, "--key", fixture.key, "-o", export,
        ])
        #expect(exported.status == 0, "\(exported.stderr)")
        let report = try CommandLineTool.run(["verify", "--store", fixture.path, "--format", "json"]).stdout
        size = Int(try #require(try JSONParser.parse(report).objectValue?["tree_size"]?.intValue))
        try fixture.ingest(EventFactory.ndjsonLines(count: 40, tag: "later"))
        let result = try CommandLineTool.run([
            "checkpoint", "--store", fixture.path, "--key", fixture.key, "--from", String(size),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        later = result.stdout
    }

    /// Both verifiers of the export with `text` as the later checkpoint; the Swift one is given no store.
    func check(_ text: String) throws -> (swift: CommandLineTool.Result, python: CommandLineTool.Result) {
        let path = fixture.directory.path("later-\(UUID().uuidString).txt")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let verifier = fixture.key + ".pub"
        let swift = try CommandLineTool.run([
            "verify", "--store", fixture.directory.path("absent.sqlite"), "--file", export, "--key", verifier,
            "--checkpoint", path,
        ])
        let python = try PythonTool.run(["Tools/verify-export.py", export, verifier, "--checkpoint", path])
        return (swift, python)
    }

    /// `later` with its consistency-proof lines (between the `old` line and the blank line) changed.
    func editProof(_ change: (inout [String]) -> Void) -> String {
        var lines = later.components(separatedBy: "\n")
        let blank = lines.firstIndex(of: "")!
        var proof = Array(lines[1..<blank])
        change(&proof)
        lines.replaceSubrange(1..<blank, with: proof)
        return lines.joined(separator: "\n")
    }

    @Test func aLaterCheckpointWithItsProofIsCheckedOfflineByBothVerifiers() throws {
        #expect(later.hasPrefix("old \(size)\n"))
        #expect(later.contains("\n\nexample.com/enrollment-audit\n\(size + 40)\n"))
        let (swift, python) = try check(later)
        #expect(swift.status == 0, "\(swift.stdout)\(swift.stderr)")
        #expect(
            swift.stdout.contains(
                "(\(size + 40) events) extends the export's: consistency proven by the proof it carries"),
            "\(swift.stdout)")
        #expect(python.status == 0, "\(python.stdout)\(python.stderr)")
        #expect(python.stdout.contains("consistent: the checkpoint in"), "\(python.stdout)")
        #expect(python.stdout.contains("(\(size + 40) events) extends the export's"))
        // A proof from the current size is empty, and not from the export's size; none beyond the tree.
        let same = try CommandLineTool.run([
            "checkpoint", "--store", fixture.path, "--key", fixture.key, "--from", String(size + 40),
        ])
        #expect(same.stdout.hasPrefix("old \(size + 40)\n\n"))
        #expect(try check(same.stdout).swift.status == 4)
        let beyond = try CommandLineTool.run([
            "checkpoint", "--store", fixture.path, "--key", fixture.key, "--from", String(size + 41),
        ])
        #expect(beyond.status == 1)
        #expect(beyond.stderr.contains("holds only \(size + 40) events"), "\(beyond.stderr)")
    }

    @Test func everyAlteredOrForeignConsistencyProofIsRefusedByBothVerifiers() throws {
        let (otherKey, otherOrigin) = try fixture.foreignKeys()
        func signed(with key: String, store: String? = nil) throws -> String {
            let result = try CommandLineTool.run([
                "checkpoint", "--store", store ?? fixture.path, "--key", key, "--from", String(size),
            ])
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout
        }
        // Another log under the same key: as many events and more, none of them the export's.
        let rewritten = fixture.directory.path("rewritten.sqlite")
        try fixture.ingest(EventFactory.ndjsonLines(count: size + 10, tag: "rewritten"), into: rewritten)
        let flipped = editProof { proof in
            var bytes = Array(Data(base64Encoded: proof[0])!)
            bytes[5] ^= 0x01
            proof[0] = Data(bytes).base64EncodedString()
        }
        let cases: [(name: String, text: String)] = [
            ("a flipped bit in a proof hash", flipped),
            ("a proof hash removed", editProof { $0.removeLast() }),
            ("a proof hash repeated", editProof { $0.append($0[0]) }),
            ("the proof hashes swapped", editProof { $0.swapAt(0, $0.count - 1) }),
            ("a proof line that is not a hash", editProof { $0[0] = "not base64!" }),
            ("another old size", later.replacingOccurrences(of: "old \(size)\n", with: "old \(size - 1)\n")),
            ("a checkpoint signed by another key", try signed(with: otherKey)),
            ("a checkpoint of another origin", try signed(with: otherOrigin)),
            ("a checkpoint of a rewritten log", try signed(with: fixture.key, store: rewritten)),
            ("a changed tree size", later.replacingOccurrences(of: "\n\(size + 40)\n", with: "\n\(size + 41)\n")),
            ("a truncated file", String(later.prefix(later.count - 30))),
        ]
        for (name, text) in cases {
            let (swift, python) = try check(text)
            #expect(swift.status == 4, "\(name): \(swift.stdout)\(swift.stderr)")
            #expect(!swift.stdout.contains("consistency proven"), "\(name)")
            #expect(python.status == 4, "\(name): \(python.stdout)\(python.stderr)")
            #expect(python.stdout.hasPrefix("REJECTED: "), "\(name): \(python.stdout)")
        }
        // A bare checkpoint carries no proof: the Python verifier, which has no store, says what to ask for.
        let bare = later.components(separatedBy: "\n\n").dropFirst().joined(separator: "\n\n")
        let python = try check(bare).python
        #expect(python.status == 4)
        #expect(python.stdout.contains("checkpoint --from \(size)"), "\(python.stdout)")
    }
}
