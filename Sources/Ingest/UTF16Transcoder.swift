/// Turns a UTF-16 byte stream (what Windows PowerShell 5.1's `Out-File` and `>` write, with a byte order
/// mark) into UTF-8, chunk by chunk: a code unit or surrogate pair split between chunks is carried over.
struct UTF16Transcoder {
    /// The byte order, from the byte order mark.
    enum ByteOrder {
        case littleEndian, bigEndian
    }

    /// The input is not valid UTF-16.
    struct Failure: Error, CustomStringConvertible {
        var offset: Int
        var description: String {
            "the input is UTF-16 (it starts with a byte order mark) but is not valid UTF-16 at byte \(offset)"
        }
    }

    let byteOrder: ByteOrder
    private var odd: UInt8?
    private var highSurrogate: UInt16?
    /// Bytes read so far, after the byte order mark.
    private var offset = 0

    init(byteOrder: ByteOrder) {
        self.byteOrder = byteOrder
    }

    /// The byte order of the mark `bytes` start with, if any.
    static func byteOrder(of bytes: [UInt8]) -> ByteOrder? {
        if bytes.starts(with: [0xFF, 0xFE]) { return .littleEndian }
        if bytes.starts(with: [0xFE, 0xFF]) { return .bigEndian }
        return nil
    }

    /// The UTF-8 of the next chunk.
    mutating func transcode(_ bytes: [UInt8]) throws(Failure) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var input = bytes[...]
        if let odd {
            input = ([odd] + input)[...]
            self.odd = nil
            offset -= 1
        }
        while input.count >= 2 {
            let first = input.removeFirst()
            let second = input.removeFirst()
            let unit =
                byteOrder == .littleEndian ? UInt16(second) << 8 | UInt16(first) : UInt16(first) << 8 | UInt16(second)
            defer { offset += 2 }
            if let high = highSurrogate {
                guard (0xDC00...0xDFFF).contains(unit) else { throw Failure(offset: offset) }
                highSurrogate = nil
                let scalar = 0x10000 + ((UInt32(high) - 0xD800) << 10 | (UInt32(unit) - 0xDC00))
                append(scalar, to: &output)
            } else if (0xD800...0xDBFF).contains(unit) {
                highSurrogate = unit
            } else if (0xDC00...0xDFFF).contains(unit) {
                throw Failure(offset: offset)
            } else {
                append(UInt32(unit), to: &output)
            }
        }
        if let last = input.first {
            odd = last
            offset += 1
        }
        return output
    }

    /// Checks that the input did not end inside a code unit or a surrogate pair.
    func finish() throws(Failure) {
        if odd != nil || highSurrogate != nil { throw Failure(offset: offset) }
    }

    private func append(_ scalar: UInt32, to output: inout [UInt8]) {
        guard let scalar = Unicode.Scalar(scalar) else { return }
        output.append(contentsOf: UTF8.encode(scalar).map { Array($0) } ?? [])
    }
}
