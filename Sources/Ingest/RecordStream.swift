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
    /// The over-long line being read in pieces: its first KiB and length so far, and whether its decoder
    /// streams it.
    private var longLine: (prefix: [UInt8], length: Int, streams: Bool)?
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
            guard let line = try reader.nextChunk() else {
                pending = decoder?.finish() ?? []
                self.reader = nil
                if pending.isEmpty { decoder = nil }
                continue
            }
            switch line {
            case .piece(let bytes, let first, let last):
                if let record = piece(bytes, first: first, last: last, reader: reader) {
                    return (currentName, decoder?.format ?? requested ?? .native, record)
                }
            case .line(let bytes):
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

    /// Handles a piece of an over-long line: a decoder that streams (Graph) reads it as it comes; for any
    /// other the line is refused, once, with its length, and its pieces are dropped as they arrive.
    private func piece(_ bytes: [UInt8], first: Bool, last: Bool, reader: LineReader) -> DecodedRecord? {
        let number = last ? reader.lineNumber : reader.lineNumber + 1
        if first {
            if decoder == nil, let format = detect(Array(bytes.prefix(4096))) { decoder = makeDecoder(format) }
            longLine = (Array(bytes.prefix(1024)), 0, decoder is any StreamingDecoder)
        }
        guard var line = longLine else { return nil }
        line.length += bytes.count
        longLine = last ? nil : line
        if line.streams, let streaming = decoder as? any StreamingDecoder {
            pending = streaming.feedPiece(bytes, lineNumber: number, first: first, last: last)
            return nil
        }
        guard last else { return nil }
        return DecodedRecord(
            line: number, raw: line.prefix,
            outcome: .rejected(
                reason: "line is \(line.length) bytes, longer than the limit of \(reader.maximumLineLength) bytes"))
    }
}
