import Foundation
import TestSupport
import Testing

@testable import Ingest

/// The reading thread hands every record over, in order, whatever the capacity, and never leaves both
/// threads waiting.
struct RecordPrefetcherTests {
    final class Seen: @unchecked Sendable {
        var lines: [Int] = []
    }

    @Test(arguments: [1, 2, 16, 256])
    func everyRecordArrivesInOrderAndNeitherSideWaitsForever(capacity: Int) throws {
        let directory = TemporaryDirectory()
        let path = directory.path("in.ndjson")
        let lines = EventFactory.ndjsonLines(count: 5_000)
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        for _ in 0..<5 {
            let stream = RecordStream(
                inputs: [IngestInput(name: path, handle: FileHandle(forReadingAtPath: path)!)], format: .native,
                maximumLineLength: 1 << 20, makeDecoder: { Decoders.make($0, options: IngestOptions()) })
            let prefetcher = RecordPrefetcher(stream, capacity: capacity)
            prefetcher.start()
            let seen = Seen()
            let done = DispatchSemaphore(value: 0)
            Thread {
                while let item = try? prefetcher.next() { seen.lines.append(item.record.line) }
                done.signal()
            }.start()
            let finished = done.wait(timeout: .now() + 30) == .success
            #expect(finished, "both threads waiting: capacity \(capacity), \(seen.lines.count) records seen")
            guard finished else { return }
            #expect(seen.lines == Array(1...lines.count))
        }
    }
}
