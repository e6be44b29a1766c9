import EnrollmentDomain
import Foundation
import GRDB
import TestSupport
import Testing

extension TortureTests {
    /// Hostile surroundings: many first writers at once, read-only media, odd paths, outputs that fail.
    struct Surroundings {
        let directory = TemporaryDirectory()

        @Test(.timeLimit(.minutes(10)))
        func eightConcurrentFirstWritersIntoAMissingStoreAllSucceed() throws {
            let rounds = TortureScale.pick(short: 3, full: 25)
            let writers = 8
            let inputs = try (0..<writers).map { index in
                try NativeInput(
                    path: directory.path("input-\(index).ndjson"), count: TortureScale.pick(short: 60, full: 400),
                    tag: "first-\(index)")
            }
            for round in 0..<rounds {
                let store = directory.path("new-\(round).sqlite")
                let children = try inputs.enumerated().map { index, input in
                    try Child(["ingest", "--store", store, input.path], in: directory, name: "first-\(round)-\(index)")
                }
                for (index, child) in children.enumerated() {
                    #expect(child.wait(deadline: 120) == 0, "round \(round), writer \(index): \(child.stderr)")
                }
                #expect(try RawStore.count(store) == inputs.map(\.ids.count).reduce(0, +), "round \(round)")
                let verify = try CommandLineTool.run(["verify", "--store", store])
                #expect(verify.status == 0, "round \(round): \(verify.stdout) \(verify.stderr)")
            }
            TortureScale.report(
                "first writers: \(rounds) rounds of \(writers) concurrent ingests into a missing store, all succeeded")
        }

        /// Runs a system command and waits for it.
        static func system(_ arguments: [String]) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: arguments[0])
            process.arguments = Array(arguments.dropFirst())
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }

        @Test(.timeLimit(.minutes(5)))
        func aStoreCopiedAloneOntoReadOnlyMediaReadsAndVerifies() throws {
            let source = directory.path("media")
            let mountPoint = directory.path("mount")
            for folder in [source, mountPoint] {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            let built = directory.path("built.sqlite")
            let input = try NativeInput(
                path: directory.path("media.ndjson"), count: TortureScale.pick(short: 200, full: 5_000), tag: "media")
            #expect(try CommandLineTool.run(["ingest", "--store", built, input.path]).status == 0)
            // The file alone, as one copies a store after folding its WAL into it.
            _ = try DatabaseQueue(path: built).writeWithoutTransaction { try $0.checkpoint(.truncate) }
            try FileManager.default.copyItem(atPath: built, toPath: source + "/store.sqlite")
            guard try Self.system(["/bin/mount", "--bind", source, mountPoint]) == 0 else {
                TortureScale.report("read-only media: SKIPPED, a bind mount is not allowed here")
                return
            }
            defer { _ = try? Self.system(["/bin/umount", mountPoint]) }
            try #require(try Self.system(["/bin/mount", "-o", "remount,ro,bind", mountPoint]) == 0)
            let store = mountPoint + "/store.sqlite"
            let commands: [[String]] = [
                ["verify"], ["devices"], ["devices", "--format", "json"], ["stats"], ["export"], ["tail"],
                ["show", "user1@contoso.com"], ["timeline", "user1@contoso.com"],
            ]
            for command in commands {
                let result = try CommandLineTool.run(command + ["--store", store])
                #expect(result.status == 0, "\(command): \(result.stderr)")
                #expect(!result.stdout.isEmpty, "\(command)")
            }
            let verify = try CommandLineTool.run(["verify", "--store", store])
            #expect(verify.stdout.hasPrefix("ok: \(input.ids.count) events"), "\(verify.stdout)")
            let write = try CommandLineTool.run(["ingest", "--store", store, input.path])
            #expect(write.status == 5, "\(write.stderr)")
            #expect(write.stderr.contains("Read-only file system") && write.stderr.contains(store), "\(write.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: mountPoint) == ["store.sqlite"])
            TortureScale.report("read-only media: \(commands.count) read commands on a lone store file, all ok")
        }

        @Test(.timeLimit(.minutes(5)))
        func oddPathsAreNamedBeforeAnythingOpensThem() throws {
            let folder = directory.path("folder")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let fifo = directory.path("fifo")
            try #require(mkfifo(fifo, 0o600) == 0)
            let dangling = directory.path("dangling")
            try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: directory.path("gone"))
            let file = directory.path("plain.txt")
            try Data("x".utf8).write(to: URL(fileURLWithPath: file))
            let cases: [(path: String, says: String)] = [
                (folder, "\(folder) is a directory, not a store file"),
                (fifo, "\(fifo) is a FIFO (named pipe), not a store file"),
                ("/dev/null", "/dev/null is a character device, not a store file"),
                (dangling, "\(dangling) is a symbolic link to nothing"),
                (file + "/store.sqlite", "\(file)/store.sqlite has a file where a directory should be"),
            ]
            let commands: [[String]] = [
                ["devices"], ["show", "x"], ["timeline", "x"], ["stats"], ["export"], ["verify"], ["tail"],
                ["rebuild"], ["ingest", file],
            ]
            for (path, says) in cases {
                for (index, command) in commands.enumerated() {
                    let child = try Child(command + ["--store", path], in: directory, name: "odd-\(index)")
                    #expect(child.wait(deadline: 30) == 1, "\(path) \(command): hung or wrong exit: \(child.stderr)")
                    #expect(child.stderr.hasPrefix("error: \(says)"), "\(path) \(command): \(child.stderr)")
                }
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
            TortureScale.report("odd paths: \(cases.count) kinds × \(commands.count) commands, each named, none hung")
        }

        @Test(.timeLimit(.minutes(10)))
        func outputsThatFailEndInOneSentenceAndClosedPipesQuietly() throws {
            let store = directory.path("outputs.sqlite")
            let input = try NativeInput(
                path: directory.path("outputs.ndjson"), count: TortureScale.pick(short: 3_000, full: 60_000),
                tag: "out")
            #expect(try CommandLineTool.run(["ingest", "--store", store, input.path]).status == 0)
            let commands: [[String]] = [
                ["export"], ["export", "--format", "csv"], ["export", "--format", "json"], ["export", "--lz4"],
                ["tail"], ["devices"], ["devices", "--format", "ndjson"], ["devices", "--format", "csv"],
            ]
            for command in commands {
                let arguments = command.joined(separator: " ") + " --store '\(store)'"
                let full = try CommandLineTool.runInShell("\"$BIN\" \(arguments) > /dev/full")
                #expect(full.status == 6, "\(command): \(full.stderr)")
                #expect(full.stderr == "error: cannot write to standard output: No space left on device\n")
                for bytes in [1, 70_000] {
                    let piped = try CommandLineTool.runInShell("\"$BIN\" \(arguments) | head -c \(bytes) > /dev/null")
                    #expect(piped.status == 0, "\(command) | head -c \(bytes): \(piped.stderr)")
                    #expect(piped.stderr.isEmpty, "\(command) | head -c \(bytes)")
                }
            }
            let exported = try CommandLineTool.run(["export", "--store", store, "-o", "/dev/full"])
            #expect(exported.status == 6)
            #expect(exported.stderr == "error: cannot write to /dev/full: No space left on device\n")
            TortureScale.report("outputs: \(commands.count) commands to /dev/full and into closed pipes, all clean")
        }
    }
}
