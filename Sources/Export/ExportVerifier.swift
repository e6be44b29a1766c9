import EnrollmentDomain
import EventStore
import Foundation

/// Recomputes the hash chain of an NDJSON export offline, without the store.
///
/// A full export (starting at position 1) is checked from the genesis hash: every line's `hash` must be
/// the SHA-256 of the previous hash and the line's canonical bytes, positions must be gapless, and the
/// last hash is the digest the export carries. A partial export (e.g. `--since`) can only be checked
/// link by link where positions are consecutive; its first event's hash is taken on trust.
public struct ExportVerifier {
    /// The outcome of a check.
    public struct Report: Sendable {
        public var ok: Bool { problem == nil }
        /// Lines checked.
        public var events: Int64 = 0
        public var firstPosition: Int64?
        public var headPosition: Int64 = 0
        /// The hash of the last line: the digest of the chain at ``headPosition``.
        public var headHash = ""
        /// Whether the export starts at position 1 (a full check) or later (links only).
        public var complete = true
        /// The line of the first problem.
        public var firstBadLine: Int?
        public var firstBadPosition: Int64?
        public var problem: String?
    }

    public init() {}

    /// Checks the lines `next` yields (each one NDJSON line without its line ending).
    public func verify(lines next: () throws -> [UInt8]?) throws -> Report {
        var report = Report()
        var previous: [UInt8]?
        var expectedPosition: Int64?
        var lineNumber = 0
        while let line = try next() {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            func fail(_ position: Int64?, _ problem: String) -> Report {
                report.firstBadLine = lineNumber
                report.firstBadPosition = position
                report.problem = problem
                return report
            }
            guard let object = try? JSONParser.parse(line), let members = object.objectValue,
                let position = members["position"]?.intValue, let version = members["version"]?.intValue,
                let recordedText = members["recorded_at"]?.stringValue,
                let recordedAt = Timestamp(iso8601: recordedText), let hashText = members["hash"]?.stringValue
            else {
                return fail(nil, "line \(lineNumber) is not an exported event (position, version, recorded_at, hash)")
            }
            let event: NewEvent
            do {
                event = try NewEvent(json: object)
            } catch {
                return fail(position, "line \(lineNumber): \(error)")
            }
            if report.firstPosition == nil {
                report.firstPosition = position
                report.complete = position == 1
                previous = position == 1 ? EventHashing.genesis : nil
            } else if position != expectedPosition {
                guard report.complete else {
                    previous = nil
                    expectedPosition = position + 1
                    report.events += 1
                    report.headPosition = position
                    report.headHash = hashText
                    continue
                }
                return fail(position, "position \(expectedPosition ?? 0) is missing (found \(position))")
            }
            let canonical = EventHashing.canonicalBytes(
                position: position, version: version, recordedAt: recordedAt, event: event,
                data: JSONValue.object(event.data).canonicalBytes)
            if let previous {
                let hash = EventHashing.chain(previous: previous, canonical: canonical).hexString
                guard hash == hashText.lowercased() else {
                    return fail(position, "the hash at position \(position) does not match its content and predecessor")
                }
            }
            previous = hexBytes(hashText)
            expectedPosition = position + 1
            report.events += 1
            report.headPosition = position
            report.headHash = hashText.lowercased()
        }
        return report
    }

    private func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: 64, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(byte)
        }
        return bytes
    }
}
