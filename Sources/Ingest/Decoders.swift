/// Makes the decoder of each input format.
enum Decoders {
    static func make(_ format: InputFormat, options: IngestOptions) -> any InputDecoder {
        switch format {
        case .native: NativeDecoder()
        case .nanomdm, .graph, .accessLog: UnsupportedDecoder(format: format)
        }
    }
}

/// Refuses every record of a format this build cannot read yet.
final class UnsupportedDecoder: InputDecoder {
    let format: InputFormat

    init(format: InputFormat) {
        self.format = format
    }

    func feed(_ line: [UInt8], lineNumber: Int) -> [DecodedRecord] {
        [
            DecodedRecord(
                line: lineNumber, raw: line, outcome: .rejected(reason: "\(format.rawValue) input is not supported yet")
            )
        ]
    }

    func finish() -> [DecodedRecord] { [] }
}
