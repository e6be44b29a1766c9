import EnrollmentDomain
import Foundation

/// The per-line cost of the domain's half of a native ingest, without the store: bytes of one NDJSON
/// line → `NewEvent` (parsed and validated) → `validateData()` again and `canonicalData`, as
/// `EventAppender.append` asks for them. The lines are read into memory first, so no I/O is timed, and the
/// time is the thread's CPU time, so that other processes on a shared machine disturb it less.
enum ParseMeasurement {
    /// - Parameters:
    ///   - file: native NDJSON (e.g. from `generate`).
    ///   - lines: how many lines to read (the first ones).
    ///   - rounds: how many passes over them; the fastest pass is reported with the median.
    static func run(file: String, lines: Int, rounds: Int) throws {
        let handle = FileHandle(forReadingAtPath: file)!
        var input: [[UInt8]] = []
        var pending: [UInt8] = []
        while input.count < lines, let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            pending += chunk
            var start = 0
            while input.count < lines, let end = pending[start...].firstIndex(of: 0x0A) {
                input.append(Array(pending[start..<end]))
                start = end + 1
            }
            pending.removeFirst(start)
        }
        let rounds = max(1, rounds)
        var nanoseconds: [Double] = []
        var checksum = 0
        for _ in 0..<rounds {
            let start = threadCPUNanoseconds()
            for line in input {
                let event = try NewEvent(ndjsonLine: line)
                try event.validateData()
                checksum &+= event.canonicalData.count
            }
            nanoseconds.append(Double(threadCPUNanoseconds() - start) / Double(input.count))
        }
        Measurements.report([
            "lines": Double(input.count), "ns_per_line_min": nanoseconds.min()!,
            "ns_per_line_median": Stats.median(nanoseconds), "canonical_bytes": Double(checksum / rounds),
        ])
    }

    static func threadCPUNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
