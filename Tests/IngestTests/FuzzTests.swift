import EnrollmentDomain
import EventStore
import Foundation
import Ingest
import TestSupport
import Testing

/// Seeded mutations of the sample lines of every format (byte flips, truncations, insertions,
/// duplications, deletions) through each decoder and through the runner with a reject file: nothing
/// crashes, and every refused record has a reason and a line number.
struct FuzzTests {
    let directory = TemporaryDirectory()
    static let mutationsPerFormat = 2_000

    static let inputs: [(InputFormat, String)] = [
        (.native, "native.ndjson"), (.nanomdm, "nanomdm-webhook.ndjson"), (.graph, "graph-troubleshooting.json"),
        (.accessLog, "discovery-access.log"),
    ]

    static func mutatedLines(of file: String, seed: UInt64) throws -> [[UInt8]] {
        try Mutations.mutatedLines(of: file, count: mutationsPerFormat, seed: seed)
    }

    static func check(_ records: [DecodedRecord], lineCount: Int) {
        for record in records {
            #expect(record.line >= 1 && record.line <= lineCount)
            if let reason = record.rejection { #expect(!reason.isEmpty) }
        }
    }

    @Test(arguments: inputs)
    func mutatedLinesNeverCrashADecoderAndEveryRejectionHasAReasonAndALine(format: InputFormat, file: String) throws {
        let lines = try Self.mutatedLines(of: file, seed: 0xE0_2026 + UInt64(file.utf8.count))
        let records = Ingesting.decode(lines: lines, with: IngestRunner().decoder(for: format))
        Self.check(records, lineCount: lines.count)
        #expect(records.contains { !$0.events.isEmpty })
        #expect(records.contains { $0.rejection != nil })
        for event in records.flatMap(\.events) where event.isKnownType {
            // What a decoder lets through is a well-formed event, or the store refuses it with a reason.
            do { try event.validateData() } catch { #expect(!error.description.isEmpty) }
        }
    }

    @Test func mutatedFilesGoThroughTheRunnerWithEveryBadRecordInTheRejectFile() throws {
        var paths: [String] = []
        var lineCounts: [String: Int] = [:]
        for (format, file) in Self.inputs {
            let lines = try Self.mutatedLines(of: file, seed: 0xF0_2026 + UInt64(file.utf8.count))
            let path = directory.path("fuzz-\(format.rawValue).txt")
            try Data(lines.joined(separator: [0x0A])).write(to: URL(fileURLWithPath: path))
            paths.append(path)
            // Inserted newlines make more lines than records.
            lineCounts[path] = lines.joined(separator: [0x0A]).count { $0 == 0x0A } + 1
        }
        var options = IngestOptions()
        options.rejectFile = directory.path("rejects.txt")
        let store = try SQLiteEventStore(path: directory.path("fuzz.sqlite"))
        // The first line of a mutated file may no longer say what it is: name the format.
        var summary = IngestSummary()
        for ((format, _), path) in zip(Self.inputs, paths) {
            options.format = format
            options.rejectFile = directory.path("rejects-\(format.rawValue).txt")
            let part = try Ingesting.run([path], into: store, options: options)
            let counts = try #require(part.sources[format.rawValue])
            #expect(counts.records == counts.appended + counts.duplicates + counts.rejected + counts.skipped)
            #expect(counts.rejected > 0 && counts.appended > 0)
            let rejects = String(
                decoding: try Data(contentsOf: URL(fileURLWithPath: options.rejectFile!)), as: UTF8.self)
            let headers = rejects.split(separator: "\n").filter { $0.hasPrefix("# \(path):") }
            #expect(headers.count >= counts.rejected)
            for header in headers {
                let rest = header.dropFirst("# \(path):".count)
                let line = Int(rest.prefix { $0.isNumber }) ?? 0
                #expect(line >= 1 && line <= lineCounts[path]!, "\(header)")
                #expect(rest.drop { $0.isNumber }.count > 3, "\(header)")
            }
            summary.total.appended += counts.appended
        }
        #expect(try store.verify().ok)
        #expect(summary.total.appended > 0)
    }
}
