import EnrollmentDomain
import Foundation

/// One input to ingest: a name for messages and a handle to read.
public struct IngestInput {
    /// The file's path, or `-` for standard input.
    public var name: String
    public var handle: FileHandle

    public init(name: String, handle: FileHandle) {
        self.name = name
        self.handle = handle
    }
}

/// Reads the inputs one after the other and yields decoded records, detecting each input's format.
final class RecordStream {
    private var inputs: [IngestInput]
    private let requested: InputFormat?
    private let maximumLineLength: Int
    private let makeDecoder: (InputFormat) -> any InputDecoder
    private let detect: ([UInt8]) -> InputFormat?
    private var reader: LineReader?
    private var decoder: (any InputDecoder)?
    private var pending: [DecodedRecord] = []
    private(set) var currentName = "-"

    init(
        inputs: [IngestInput], format: InputFormat?, maximumLineLength: Int,
        detect: @escaping ([UInt8]) -> InputFormat? = FormatDetector.detect,
        makeDecoder: @escaping (InputFormat) -> any InputDecoder
    ) {
        self.detect = detect
        self.inputs = inputs.reversed()
        self.requested = format
        self.maximumLineLength = maximumLineLength
        self.makeDecoder = makeDecoder
    }

    /// The next record with the input's name and format, or `nil` when every input is read.
    func next() throws -> (input: String, format: InputFormat, record: DecodedRecord)? {
        while true {
            if !pending.isEmpty, let decoder {
                return (currentName, decoder.format, pending.removeFirst())
            }
            guard let reader else {
                guard let input = inputs.popLast() else { return nil }
                currentName = input.name
                self.reader = LineReader(handle: input.handle, maximumLineLength: maximumLineLength)
                decoder = requested.map(makeDecoder)
                continue
            }
            guard let line = try reader.next() else {
                pending = decoder?.finish() ?? []
                self.reader = nil
                if pending.isEmpty { decoder = nil }
                continue
            }
            switch line {
            case .tooLong(let prefix, let length):
                let record = DecodedRecord(
                    line: reader.lineNumber, raw: prefix,
                    outcome: .rejected(
                        reason: "line is \(length) bytes, longer than the limit of \(reader.maximumLineLength) bytes"))
                return (currentName, decoder?.format ?? requested ?? .native, record)
            case .text(let bytes):
                if decoder == nil, requested == nil, FormatDetector.opensDocument(bytes) {
                    decoder = DeferredJSONDecoder(makeDecoder: makeDecoder)
                }
                if decoder == nil {
                    guard let format = detect(bytes) else {
                        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                            let record = DecodedRecord(
                                line: reader.lineNumber, raw: bytes, outcome: .skipped(reason: "blank line"))
                            return (currentName, requested ?? .native, record)
                        }
                        let record = DecodedRecord(
                            line: reader.lineNumber, raw: bytes,
                            outcome: .rejected(
                                reason:
                                    "unrecognised input format (use --from to name it, and --log-format for an access log)"
                            ))
                        return (currentName, .native, record)
                    }
                    decoder = makeDecoder(format)
                }
                pending = decoder!.feed(bytes, lineNumber: reader.lineNumber)
            }
        }
    }
}
