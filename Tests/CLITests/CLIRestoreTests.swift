import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// `backup --to` and `import --verbatim` through the built binary: copies that keep the proof, from and into
/// a SQLite file and a `postgres://` database alike (``StoreBackend``).
struct CLIRestoreTests {
    let samples: SampleStoreFile
    let key: String

    init() throws {
        samples = try SampleStoreFile()
        key = samples.directory.path("audit.key")
        #expect(try CommandLineTool.run(["keygen", "--origin", "example.com/audit", "--out", key]).status == 0)
    }

    func path(_ name: String) -> String { samples.directory.path(name) }

    /// The samples on `backend`: this test's file, or a database ingested the same way.
    func samples(on backend: StoreBackend) throws -> SampleStoreFile {
        backend == .sqlite ? samples : try SampleStoreFile(backend: backend)
    }

    /// `verify`'s digest and tree lines: equal for two stores that hold the same log.
    func identity(_ store: String) throws -> [String] {
        let result = try CommandLineTool.run(["verify", "--store", store])
        #expect(result.status == 0, "\(result.stdout)")
        return result.stdout.split(separator: "\n").filter { $0.hasPrefix("digest") || $0.hasPrefix("tree") }
            .map { String($0.prefix(while: { $0 != ";" })) }
    }

    @Test(arguments: StoreBackend.available)
    func aBackupIsTheSameLogInAPrivateFile(from backend: StoreBackend) throws {
        let samples = try samples(on: backend)
        let copy = path("backup.sqlite")
        let result = try samples.run(["backup", "--to", copy])
        #expect(result.status == 0, "\(result.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: copy)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(try identity(copy) == identity(samples.path))
        #expect(try identity(copy).count == 2)
        let again = try samples.run(["backup", "--to", copy])
        #expect(again.status == 5, "an existing file is never overwritten")
        // The backup is a whole store: its read models answer as the original's do.
        let question = ["devices", "--format", "csv", "--as-of", SampleStoreFile.asOf]
        let original = try samples.run(question)
        #expect(original.status == 0, "\(original.stderr)")
        #expect(try CommandLineTool.run(question + ["--store", copy]).stdout == original.stdout)
        let scratch = try FileManager.default.contentsOfDirectory(
            atPath: URL(fileURLWithPath: copy).deletingLastPathComponent().path)
        #expect(!scratch.contains { $0.contains(".partial-") }, "no scratch file is left behind: \(scratch)")
        let unwritable = try samples.run(["backup", "--to", path("no-such-directory/backup.sqlite")])
        #expect(unwritable.status == 5, "\(unwritable.stderr)")
        #expect(unwritable.stderr.contains("cannot create the backup"), "\(unwritable.stderr)")
    }

    @Test(arguments: StoreBackend.available)
    func aBackupWhileAnIngestRunsIsAConsistentStore(from backend: StoreBackend) throws {
        let samples = try samples(on: backend)
        let input = path("more.ndjson")
        // Fewer on PostgreSQL, whose commits (a round trip each, the read models in them) take longer.
        let count = backend == .sqlite ? 20_000 : 5_000
        try Data((EventFactory.ndjsonLines(count: count).joined(separator: "\n") + "\n").utf8).write(
            to: URL(fileURLWithPath: input))
        let ingest = Process()
        ingest.executableURL = CommandLineTool.executable
        ingest.arguments = ["ingest", "--store", samples.path, "--commit-every", "500", input]
        ingest.standardOutput = FileHandle.nullDevice
        ingest.standardError = FileHandle.nullDevice
        try ingest.run()
        let copy = path("during.sqlite")
        let backup = try samples.run(["backup", "--to", copy])
        ingest.waitUntilExit()
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(ingest.terminationStatus == 0)
        let verify = try CommandLineTool.run(["verify", "--store", copy, "--projections"])
        #expect(
            verify.status == 0, "a snapshot: whole transactions only, tree and read models included: \(verify.stdout)")
    }

    @Test(arguments: StoreBackend.available)
    func aVerbatimImportReproducesTheLogItsTreeAndItsCheckpoint(into backend: StoreBackend) throws {
        let export = path("full.ndjson")
        #expect(try samples.run(["export", "--proof", "--key", key, "-o", export]).status == 0)
        let restored = try backend.newStore(in: samples.directory, name: "restored")
        let result = try CommandLineTool.run([
            "import", "--verbatim", "--store", restored, "--key", key + ".pub", export,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("recorded the export's checkpoint: example.com/audit 912"))
        #expect(try identity(restored) == identity(samples.path))
        // Positions, versions, recorded_at and hashes kept: the two stores export the same bytes.
        let original = try samples.run(["export", "--no-proof"])
        let copy = try CommandLineTool.run(["export", "--store", restored, "--no-proof"])
        #expect(original.stdoutData == copy.stdoutData)
        // The export's proofs hold against the restored store, which extends their checkpoint.
        let checkpoint = path("later.txt")
        let later = try CommandLineTool.run(["checkpoint", "--store", restored, "--key", key])
        try Data(later.stdout.utf8).write(to: URL(fileURLWithPath: checkpoint))
        let consistent = try CommandLineTool.run(
            ["verify", "--store", restored, "--file", export, "--key", key + ".pub", "--checkpoint", checkpoint])
        #expect(consistent.status == 0, "\(consistent.stdout)\(consistent.stderr)")
        let store = try CommandLineTool.run(["verify", "--store", restored, "--projections"])
        #expect(store.stdout.contains("2 recorded checkpoints match"), "\(store.stdout)")
        // The read models were built as the events went in: the same answers as the source's.
        let question = ["timeline", "tom.rossi@fabrikam.com", "--format", "json", "--as-of", SampleStoreFile.asOf]
        #expect(try CommandLineTool.run(question + ["--store", restored]).stdout == samples.run(question).stdout)
    }

    @Test(arguments: StoreBackend.available)
    func anImportThatDoesNotReproduceTheSourceIsRefusedWhole(into backend: StoreBackend) throws {
        let export = path("full.ndjson")
        #expect(try samples.run(["export", "--proof", "--key", key, "-o", export]).status == 0)
        let lines = try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n").map(String.init)
        func edited(_ line: Int, _ change: (String) -> String) -> [String] {
            var copy = lines
            copy[line] = change(copy[line])
            return copy
        }
        let cases: [(String, [String], [String], String)] = [
            (
                "a changed recorded_at",
                edited(40) { $0.replacingOccurrences(of: #""recorded_at":"20"#, with: #""recorded_at":"19"#) },
                ["--key", key + ".pub"], "full-1.ndjson:41: the hash at position 41 does not match"
            ),
            (
                "a missing line", lines.enumerated().filter { $0.offset != 99 }.map(\.element),
                ["--key", key + ".pub"], ":100: position 101 does not follow the head 99"
            ),
            (
                "the last line missing", Array(lines.dropLast()), ["--key", key + ".pub"],
                "does not reproduce the checkpoint of 912 events"
            ),
            ("proofs without the key", lines, [], "pass --key KEY.pub"),
        ]
        for (index, (name, content, arguments, message)) in cases.enumerated() {
            let file = path("full-\(index + 1).ndjson")
            try Data((content.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
            let target = try backend.newStore(in: samples.directory, name: "refused-\(index)")
            let result = try CommandLineTool.run(["import", "--verbatim", "--store", target] + arguments + [file])
            #expect(result.status == 4, "\(name): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(name): \(result.stderr)")
            #expect(result.stderr.contains("nothing was imported"))
            let head = try CommandLineTool.run(["verify", "--store", target])
            #expect(head.stdout.contains("ok: 0 events"), "\(name): nothing stored")
        }
        let full = try samples(on: backend)
        let nonEmpty = try CommandLineTool.run(
            ["import", "--verbatim", "--store", full.path, "--key", key + ".pub", export])
        #expect(nonEmpty.status == 4)
        #expect(nonEmpty.stderr.contains("the store already holds 912 events"))
        let withoutFlag = try CommandLineTool.run(["import", "--store", path("x.sqlite"), export])
        #expect(withoutFlag.status == 1)
    }
}
