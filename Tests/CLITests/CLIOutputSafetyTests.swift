import Foundation
import TestSupport
import Testing

/// Output files are never overwritten by surprise, never written through a link, never half-written, and
/// every write error is one sentence naming the destination.
struct CLIOutputSafetyTests {
    let samples: SampleStoreFile

    init() throws {
        samples = try SampleStoreFile()
    }

    var directory: TemporaryDirectory { samples.directory }

    static func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    /// The names in the samples' directory besides the store's files: a failed export leaves nothing.
    func strayFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.url.path).filter {
            !$0.hasPrefix("samples.sqlite")
        }
    }

    @Test func anExistingFileIsRefusedAndKeptUnlessForceReplacesIt() throws {
        let path = directory.path("existing.txt")
        try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o644)
        let refused = try samples.run(["export", "-o", path])
        #expect(refused.status == 1)
        #expect(refused.stderr == "error: \(path) exists; pass --force to replace it, or name another file\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me\n")
        let forced = try samples.run(["export", "-o", path, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("{\"correlation_id\""))
        #expect(try Self.mode(path) == 0o600, "replaced with mode 0600, not the old 0644")
        #expect(try strayFiles() == ["existing.txt"])
    }

    @Test(arguments: [false, true])
    func aSymbolicLinkIsNeverFollowed(force: Bool) throws {
        let target = directory.path("target.txt")
        try Data("target\n".utf8).write(to: URL(fileURLWithPath: target))
        let link = directory.path("link.txt")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let result = try samples.run(["export", "-o", link] + (force ? ["--force"] : []))
        #expect(result.status == 1)
        #expect(result.stderr == "error: \(link) is a symbolic link; name the file itself\n")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "target\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
    }

    @Test func aNewFileIsCreated0600WhateverTheUmask() throws {
        let path = directory.path("new.csv")
        let result = try CommandLineTool.runInShell(
            "umask 000; \"$BIN\" export --store '\(samples.path)' --format csv -o '\(path)'")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.mode(path) == 0o600)
        #expect(try strayFiles() == ["new.csv"])
    }

    @Test func theRejectFileIsCreated0600WhateverTheUmask() throws {
        let input = directory.path("bad.ndjson")
        try Data("{\"not\":\"an event\"}\n".utf8).write(to: URL(fileURLWithPath: input))
        let rejects = directory.path("rejects.txt")
        let result = try CommandLineTool.runInShell(
            "umask 000; \"$BIN\" ingest --store '\(samples.path)' --reject-file '\(rejects)' '\(input)'")
        #expect(result.status == 2, "\(result.stderr)")
        #expect(try Self.mode(rejects) == 0o600)
        #expect(try String(contentsOfFile: rejects, encoding: .utf8).contains("{\"not\":\"an event\"}"))
    }

    @Test func aDirectoryOrAMissingDirectoryIsOneSentence() throws {
        let intoDirectory = try samples.run(["export", "-o", directory.url.path])
        #expect(intoDirectory.status == 1)
        #expect(intoDirectory.stderr == "error: \(directory.url.path) is a directory; name a file\n")
        let missing = directory.path("no/such/dir/out.ndjson")
        let result = try samples.run(["export", "-o", missing])
        #expect(result.status == 6)
        #expect(result.stderr == "error: cannot create \(missing): No such file or directory\n")
    }

    /// Every command that prints, with what it needs besides `--store`.
    static let printingCommands: [[String]] = [
        ["devices"], ["devices", "--format", "json"], ["show", "tom.rossi@fabrikam.com"],
        ["timeline", "tom.rossi@fabrikam.com"], ["stats"], ["verify"], ["tail"], ["export"], ["rebuild"],
    ]

    @Test(arguments: printingCommands)
    func aFullStandardOutputIsOneSentenceAndExit6(_ command: [String]) throws {
        let script =
            "\"$BIN\" \(command.map { "'\($0)'" }.joined(separator: " ")) --store '\(samples.path)' > /dev/full"
        let result = try CommandLineTool.runInShell(script)
        #expect(result.status == 6, "\(command): \(result.stderr)")
        #expect(result.stderr == "error: cannot write to standard output: No space left on device\n", "\(command)")
    }

    @Test func anIngestWhoseSummaryCannotBeWrittenSaysSoAfterCommitting() throws {
        let store = directory.path("fresh.sqlite")
        let script = "\"$BIN\" ingest --store '\(store)' '\(Fixtures.path("native.ndjson"))' > /dev/full"
        let result = try CommandLineTool.runInShell(script)
        #expect(result.status == 6)
        #expect(result.stderr == "error: cannot write to standard output: No space left on device\n")
        let devices = try CommandLineTool.run(["devices", "--store", store, "--format", "ndjson"])
        #expect(!devices.stdout.isEmpty, "the ingest was committed before the summary failed")
    }

    @Test func exportToAFullDeviceNamesTheDevice() throws {
        let result = try samples.run(["export", "-o", "/dev/full"])
        #expect(result.status == 6)
        #expect(result.stderr == "error: cannot write to /dev/full: No space left on device\n")
    }

    @Test(arguments: [["export"], ["tail"], ["export", "--format", "csv"], ["devices", "--format", "json"]])
    func aReaderThatStopsEarlyEndsTheCommandQuietly(_ command: [String]) throws {
        let script = "\"$BIN\" \(command.joined(separator: " ")) --store '\(samples.path)' | head -c 1 > /dev/null"
        let result = try CommandLineTool.runInShell(script)
        #expect(result.status == 0, "\(command): \(result.stderr)")
        #expect(result.stderr.isEmpty, "\(command)")
    }

    @Test func demoReplacesOnlyAStoreItCreated() throws {
        let demo = directory.path("demo.sqlite")
        let first = try CommandLineTool.run(["demo", "--store", demo, "--users", "5"])
        #expect(first.status == 0, "\(first.stderr)")
        let again = try CommandLineTool.run(["demo", "--store", demo, "--users", "5", "--replace"])
        #expect(again.status == 0, "\(again.stderr)")
        for (name, contents) in [("notes.txt", Data("my notes\n".utf8)), ("real.sqlite", nil)] {
            let path = directory.path(name)
            if let contents {
                try contents.write(to: URL(fileURLWithPath: path))
            } else {
                try FileManager.default.copyItem(atPath: samples.path, toPath: path)
            }
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let result = try CommandLineTool.run(["demo", "--store", path, "--users", "5", "--replace"])
            #expect(result.status == 1, "\(name)")
            #expect(
                result.stderr
                    == "error: \(path) was not created by demo, so --replace leaves it as it is; name another --store PATH\n"
            )
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "\(name) untouched")
        }
    }
}
