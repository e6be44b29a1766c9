import EnrollmentDomain
import EventStore
import Foundation
import TestSupport
import Testing

extension TortureTests {
    /// A full disk, a read-only file, directory or file system, and the modes of the files the tool
    /// creates.
    struct Storage {
        let directory = TemporaryDirectory()

        /// Runs a system command and waits for it.
        @discardableResult
        static func system(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, output)
        }

        /// Runs `enroll-audit ARGUMENTS` (as `nobody` when we are root, so file modes apply) and waits.
        func run(_ arguments: [String], name: String, asOwner: Bool = false) throws -> Child {
            let prefix =
                getuid() == 0 && !asOwner
                ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] : []
            let child = try Child(arguments, in: directory, name: name, prefix: prefix)
            #expect(child.wait(deadline: 120) != nil, "\(name) hung")
            return child
        }

        static func mode(_ path: String) throws -> Int {
            try ((FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1)
                & 0o777
        }

        @Test(.timeLimit(.minutes(5)))
        func aFullDiskFailsWithExitFiveAndLeavesWholeBatchesOnly() throws {
            let mountPoint = directory.path("tmpfs")
            try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
            let mount = try Self.system("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint])
            guard mount.status == 0 else {
                TortureScale.report("disk full: SKIPPED, a 2 MiB tmpfs cannot be mounted here: \(mount.output)")
                return
            }
            defer { _ = try? Self.system("/bin/umount", [mountPoint]) }
            let store = mountPoint + "/store.sqlite"
            let seed = try NativeInput(path: directory.path("seed.ndjson"), count: 300, tag: "seed")
            let large = try NativeInput(path: directory.path("large.ndjson"), count: 10_000, tag: "large")
            let first = try run(["ingest", "--store", store, seed.path], name: "seed", asOwner: true)
            #expect(first.process.terminationStatus == 0, "\(first.stderr)")

            let strict = try run(["ingest", "--store", store, large.path], name: "strict", asOwner: true)
            #expect(strict.process.terminationStatus == 5, "\(strict.stderr)")
            #expect(strict.stderr.contains("disk is full") && strict.stderr.contains(store), "\(strict.stderr)")
            #expect(try RawStore.count(store) == seed.ids.count, "a strict ingest on a full disk stored something")
            let afterStrict = try run(["verify", "--store", store], name: "verify-1", asOwner: true)
            #expect(afterStrict.process.terminationStatus == 0, "\(afterStrict.stdout) \(afterStrict.stderr)")

            let batched = try run(
                ["ingest", "--store", store, "--commit-every", "500", large.path], name: "batched", asOwner: true)
            #expect(batched.process.terminationStatus == 5, "\(batched.stderr)")
            #expect(batched.stderr.contains("disk is full"), "\(batched.stderr)")
            let kept = try RawStore.count(store) - seed.ids.count
            #expect(kept % 500 == 0 && kept < large.ids.count, "\(kept) events of a batched ingest on a full disk")
            let afterBatched = try run(["verify", "--store", store], name: "verify-2", asOwner: true)
            #expect(afterBatched.process.terminationStatus == 0, "\(afterBatched.stdout) \(afterBatched.stderr)")
            TortureScale.report("disk full (2 MiB tmpfs): strict kept 0 of 10000, --commit-every 500 kept \(kept)")

            // The same file system read-only: writes fail with exit 5 naming the file, reads still work.
            let remount = try Self.system("/bin/mount", ["-o", "remount,ro", mountPoint])
            #expect(remount.status == 0, "\(remount.output)")
            let before = RawStore.bytes(store)
            let refused = try run(["ingest", "--store", store, seed.path], name: "rofs", asOwner: true)
            #expect(refused.process.terminationStatus == 5, "\(refused.stderr)")
            #expect(refused.stderr.contains(store), "\(refused.stderr)")
            let read = try run(["verify", "--store", store], name: "rofs-verify", asOwner: true)
            #expect(read.process.terminationStatus == 0, "\(read.stdout) \(read.stderr)")
            #expect(RawStore.bytes(store) == before)
        }

        @Test(.timeLimit(.minutes(3)))
        func aReadOnlyFileOrDirectoryRefusesWritesWithExitFiveAndStillReads() throws {
            let folder = directory.path("ro")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let store = folder + "/store.sqlite"
            let seed = try NativeInput(path: directory.path("seed.ndjson"), count: 50, tag: "seed")
            let more = try NativeInput(path: directory.path("more.ndjson"), count: 50, tag: "more")
            let created = try run(["ingest", "--store", store, seed.path], name: "create", asOwner: true)
            #expect(created.process.terminationStatus == 0, "\(created.stderr)")
            if getuid() == 0 {
                try Self.system("/bin/chown", ["-R", "65534:65534", folder])
            }
            let before = RawStore.bytes(store)

            // A read-only file in a writable directory.
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: store)
            let fileRefused = try run(["ingest", "--store", store, more.path], name: "ro-file")
            #expect(fileRefused.process.terminationStatus == 5, "\(fileRefused.stderr)")
            #expect(fileRefused.stderr.contains(store), "\(fileRefused.stderr)")
            for (index, command) in [["verify"], ["export"], ["devices"]].enumerated() {
                let read = try run(command + ["--store", store], name: "ro-file-read-\(index)")
                #expect(read.process.terminationStatus == 0, "\(command): \(read.stderr)")
            }
            #expect(RawStore.bytes(store) == before)

            // A writable file in a read-only directory (no room for the -wal and -shm files).
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: store)
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder) }
            let directoryRefused = try run(["ingest", "--store", store, more.path], name: "ro-dir")
            #expect(directoryRefused.process.terminationStatus == 5, "\(directoryRefused.stderr)")
            #expect(directoryRefused.stderr.contains(store), "\(directoryRefused.stderr)")
            for (index, command) in [["verify"], ["export"]].enumerated() {
                let read = try run(command + ["--store", store], name: "ro-dir-read-\(index)")
                #expect(read.process.terminationStatus == 0, "\(command): \(read.stderr)")
            }
            #expect(RawStore.bytes(store) == before)
            #expect(try RawStore.count(store) == seed.ids.count)
        }

        @Test(.timeLimit(.minutes(3)))
        func theStoreItsWALAndSharedMemoryAndExportsAreCreatedPrivate() throws {
            let store = directory.path("private.sqlite")
            let input = try NativeInput(path: directory.path("input.ndjson"), count: 6_000, tag: "private")
            let ingest = try Child(["ingest", "--store", store, input.path], in: directory, name: "ingest")
            var modes: [String: Int] = [:]
            let end = Date().addingTimeInterval(60)
            while Date() < end && ingest.process.isRunning && modes.count < 3 {
                for suffix in ["", "-wal", "-shm"] where modes[suffix] == nil {
                    if FileManager.default.fileExists(atPath: store + suffix) {
                        modes[suffix] = try? Self.mode(store + suffix)
                    }
                }
                usleep(2_000)
            }
            #expect(ingest.wait(deadline: 120) == 0, "\(ingest.stderr)")
            #expect(modes == ["": 0o600, "-wal": 0o600, "-shm": 0o600], "\(modes)")
            let output = directory.path("export.ndjson")
            let export = try CommandLineTool.run(["export", "--store", store, "-o", output])
            #expect(export.status == 0, "\(export.stderr)")
            #expect(try Self.mode(output) == 0o600)
            let csv = directory.path("export.csv")
            #expect(try CommandLineTool.run(["export", "--store", store, "--format", "csv", "-o", csv]).status == 0)
            #expect(try Self.mode(csv) == 0o600)
        }
    }
}
