import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// ``NewEvent/init(ndjsonLine:)`` against what the implementation before the single-pass reader gave
/// (commit f9145be: `JSONParser.parse`, then `init(json:)`, then re-serialising `data`) for thousands of
/// lines: the envelope, `data` (with the JSON type of every value), the canonical bytes, or the error.
///
/// `Tests/Fixtures/native-decoding.vectors` pins a digest of each outcome, recorded with that
/// implementation. To record again on purpose: `ENROLL_AUDIT_RECORD_VECTORS=1 swift test --filter
/// NativeDecodingDifferentialTests`, with the implementation the vectors should pin.
struct NativeDecodingDifferentialTests {
    static let vectors = "native-decoding.vectors"

    @Test func everyLineDecodesAndFailsAsBeforeTheSinglePassReader() throws {
        let lines = try NativeLineCorpus.lines()
        let outcomes = lines.map(Self.outcome(of:))
        let digests = outcomes.map { Self.digest(Array($0.utf8)) }
        let header = "lines \(lines.count) inputs \(Self.digest(Array(lines.joined(separator: [0x0A]))))"
        if ProcessInfo.processInfo.environment["ENROLL_AUDIT_RECORD_VECTORS"] == "1" {
            let text = ([header] + digests).joined(separator: "\n") + "\n"
            try text.write(toFile: Fixtures.path(Self.vectors), atomically: true, encoding: .utf8)
            return
        }
        let pinned = try Fixtures.lines(Self.vectors)
        try #require(pinned.first == header, "the corpus changed: record the vectors again (see above)")
        var mismatches = 0
        for (index, digest) in digests.enumerated() where pinned[index + 1] != digest {
            mismatches += 1
            if mismatches <= 10 {
                Issue.record(
                    "line \(index) \(String(reflecting: String(decoding: lines[index], as: UTF8.self))): \(outcomes[index])"
                )
            }
        }
        #expect(mismatches == 0)
    }

    @Test func keptCanonicalBytesEqualDataWrittenAgain() throws {
        var kept = 0
        for line in try NativeLineCorpus.lines() {
            guard let event = try? NewEvent(ndjsonLine: line) else { continue }
            #expect(event.canonicalData == JSONValue.object(event.data).canonicalBytes)
            kept += 1
        }
        #expect(kept > 3_000)
    }

    /// What decoding `line` gives, as text: everything a caller can observe.
    static func outcome(of line: [UInt8]) -> String {
        do throws(EventValidationError) {
            let event = try NewEvent(ndjsonLine: line)
            try event.validateData()
            let envelope = [
                event.eventID.lowercasedString, event.stream, event.type, String(event.schema),
                String(event.occurredAt.milliseconds), event.source, event.user ?? "-", event.correlationID ?? "-",
                String(event.isKnownType),
            ]
            let canonical = String(decoding: event.canonicalData, as: UTF8.self)
            return "ok \(envelope.map { String(reflecting: $0) }.joined(separator: " ")) "
                + "\(typed(.object(event.data))) \(String(reflecting: canonical))"
        } catch {
            // With several unknown members, which one is named used to depend on dictionary order.
            if error.code == .unknownField, unknownMembers(of: line) > 1 { return "error unknown_field (several)" }
            return "error \(error.code) \(error.field) \(error.description)"
        }
    }

    /// `value` with the JSON type of every member (`i:` integer, `d:` bits of a double, …), keys sorted.
    static func typed(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): "b:\(flag)"
        case .int(let number): "i:\(number)"
        case .double(let number): "d:\(String(number.bitPattern, radix: 16))"
        case .string(let text): "s:\(String(reflecting: text))"
        case .array(let elements): "[\(elements.map(typed).joined(separator: ","))]"
        case .object(let members):
            "{"
                + members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                .map { "\(String(reflecting: $0)):\(typed(members[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    static let envelopeNames: Set<String> = [
        "event_id", "stream", "type", "schema", "occurred_at", "source", "user", "correlation_id", "data",
        "position", "version", "recorded_at", "hash", "unknown_type",
    ]

    static func unknownMembers(of line: [UInt8]) -> Int {
        guard let members = (try? JSONParser.parse(line))?.objectValue else { return 0 }
        return members.keys.filter { !envelopeNames.contains($0) }.count
    }

    /// FNV-1a, folded to 32 bits, in hex.
    static func digest(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let folded = UInt32(truncatingIfNeeded: hash ^ (hash >> 32))
        let hex = String(folded, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
