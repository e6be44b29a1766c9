import EnrollmentDomain

/// Decodes the store's own NDJSON event lines: one event per line; blank lines are skipped.
public final class NativeDecoder: InputDecoder {
    public let format = InputFormat.native

    public init() {}

    public func feed(_ line: [UInt8], lineNumber: Int) -> [DecodedRecord] {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
            return [DecodedRecord(line: lineNumber, raw: line, outcome: .skipped(reason: "blank line"))]
        }
        do {
            let event = try NewEvent(ndjsonLine: line)
            return [DecodedRecord(line: lineNumber, raw: line, outcome: .events([event]))]
        } catch {
            return [DecodedRecord(line: lineNumber, raw: line, outcome: .rejected(reason: error.description))]
        }
    }

    public func finish() -> [DecodedRecord] { [] }
}
