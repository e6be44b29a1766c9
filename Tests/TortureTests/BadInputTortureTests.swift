import EnrollmentDomain
import EventStore
import Foundation
import Ingest
import TestSupport
import Testing

extension TortureTests {
    /// Seeded mutations of every sample format, in-process through the decoders and the runner with a
    /// reject file, and through the real binary: no crash, no hang, every refused record named with its
    /// line and a reason.
    struct BadInput {
        let directory = TemporaryDirectory()
        static let linesPerFormat = TortureScale.pick(short: 2_500, full: 25_000)
        static let cliRuns = TortureScale.pick(short: 24, full: 300)

        static let inputs: [(InputFormat, String)] = [
            (.native, "native.ndjson"), (.nanomdm, "nanomdm-webhook.ndjson"), (.graph, "graph-troubleshooting.json"),
            (.accessLog, "discovery-access.log"),
        ]

        /// Checks every header of a reject file: `# FILE:LINE: reason`, the line within the file. Lines are
        /// split on bytes: a record may end with `\r`, which with the `\n` after it is one `Character`.
        /// - Returns: how many headers there are.
        static func checkRejectFile(_ rejectPath: String, input: String, lineCount: Int) throws -> Int {
            let data = try Data(contentsOf: URL(fileURLWithPath: rejectPath))
            let prefix = Array("# \(input):".utf8)
            var headers = 0
            for bytes in data.split(separator: 0x0A, omittingEmptySubsequences: true)
            where bytes.starts(with: prefix) {
                headers += 1
                let header = String(decoding: bytes, as: UTF8.self)
                let rest = header.dropFirst("# \(input):".count)
                let line = Int(rest.prefix { $0.isNumber }) ?? 0
                #expect(line >= 1 && line <= lineCount, "\(header)")
                let reason = rest.drop { $0.isNumber }
                #expect(reason.hasPrefix(": ") && reason.count > 3, "\(header)")
            }
            return headers
        }

        /// The number of lines of `bytes` as a line reader counts them.
        static func lineCount(_ bytes: [UInt8]) -> Int { bytes.count { $0 == 0x0A } + 1 }

        @Test(.timeLimit(.minutes(10)))
        func mutatedInputsNeverCrashOrHangTheDecodersOrTheRunner() throws {
            let store = try SQLiteEventStore(path: directory.path("fuzz.sqlite"))
            var totals = (records: 0, rejected: 0, appended: 0)
            let started = Date()
            for (index, (format, file)) in Self.inputs.enumerated() {
                let seed = TortureScale.seed &+ UInt64(index) &* 7919
                let lines = try Mutations.mutatedLines(of: file, count: Self.linesPerFormat, seed: seed)
                // The decoder alone.
                let decoder = IngestRunner().decoder(for: format)
                var decoded: [DecodedRecord] = []
                for (number, line) in lines.enumerated() { decoded += decoder.feed(line, lineNumber: number + 1) }
                decoded += decoder.finish()
                for record in decoded {
                    #expect(record.line >= 1 && record.line <= lines.count)
                    if case .rejected(let reason) = record.outcome { #expect(!reason.isEmpty) }
                }
                // The runner, with a reject file.
                let bytes = Array(lines.joined(separator: [0x0A]))
                let path = directory.path("fuzz-\(format.rawValue).txt")
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                var options = IngestOptions()
                options.format = format
                options.rejectFile = directory.path("rejects-\(format.rawValue).txt")
                let input = IngestInput(name: path, handle: try FileHandle(forReadingFrom: URL(fileURLWithPath: path)))
                let summary = try IngestRunner(options: options).run([input], into: store)
                let counts = summary.total
                #expect(counts.records == counts.appended + counts.duplicates + counts.rejected + counts.skipped)
                #expect(counts.rejected > 0)
                let headers = try Self.checkRejectFile(
                    options.rejectFile!, input: path, lineCount: Self.lineCount(bytes))
                #expect(headers == counts.rejected, "\(format): \(headers) headers for \(counts.rejected) rejections")
                totals.records += decoded.count + counts.records
                totals.rejected += counts.rejected
                totals.appended += counts.appended
            }
            #expect(try store.verify().ok)
            TortureScale.report(
                "bad input in-process: \(Self.inputs.count * Self.linesPerFormat) mutated lines, \(totals.records) "
                    + "records decoded or ingested, \(totals.rejected) rejected with a line, \(totals.appended) "
                    + "stored, \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }

        @Test(.timeLimit(.minutes(10)))
        func mutatedFilesThroughTheBinaryExitTwoWithEveryBadRecordNamed() throws {
            var random = SeededGenerator(seed: TortureScale.seed &+ 99)
            var statuses: [Int32: Int] = [:]
            let started = Date()
            for run in 0..<Self.cliRuns {
                let (format, file) = Self.inputs[run % Self.inputs.count]
                let lines = try Mutations.mutatedLines(
                    of: file, count: 40, seed: UInt64.random(in: 0...UInt64.max, using: &random))
                let bytes = Array(lines.joined(separator: [0x0A]))
                let path = directory.path("cli-\(run).txt")
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                let store = directory.path("cli-\(format.rawValue).sqlite")
                let strict = run % 4 == 3
                let rejects = directory.path("cli-\(run).rejects")
                var arguments = ["ingest", "--store", store, "--from", format.rawValue, "--format", "json", path]
                if !strict { arguments += ["--reject-file", rejects] }
                let before = try RawStore.count(store)
                let child = try Child(arguments, in: directory, name: "cli-\(run)")
                let status = child.wait(deadline: 60)
                let exit = try #require(status, "run \(run) (\(format)) hung")
                statuses[exit, default: 0] += 1
                #expect(exit == 0 || exit == 2, "run \(run) (\(format)) exited \(exit): \(child.stderr)")
                if strict {
                    if exit == 2 {
                        #expect(try RawStore.count(store) == before, "a failed strict ingest stored something")
                        let named = child.stderr.split(separator: "\n").filter { $0.hasPrefix("  \(path):") }
                        #expect(!named.isEmpty, "run \(run): no record named in \(child.stderr)")
                    }
                } else {
                    let summary = try #require(try JSONParser.parse(child.stdout).objectValue)
                    guard case .int(let rejected) = summary["rejected"] else { throw CocoaError(.coderReadCorrupt) }
                    #expect((rejected > 0) == (exit == 2))
                    let headers = try Self.checkRejectFile(rejects, input: path, lineCount: Self.lineCount(bytes))
                    #expect(Int64(headers) == rejected)
                }
            }
            TortureScale.report(
                "bad input via the binary: \(Self.cliRuns) runs, exits \(statuses.sorted { $0.key < $1.key }), "
                    + "\(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
    }
}
