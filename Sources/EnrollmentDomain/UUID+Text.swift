import Foundation

extension UUID {
    /// Parses the 8-4-4-4-12 hexadecimal form (either case) without Foundation's `sscanf` path, which
    /// dominated the ingest profile.
    ///
    /// - Returns: `nil` unless `text` is exactly such a UUID.
    public init?(hexString text: String) {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed: Bool =
            text.utf8.withContiguousStorageIfAvailable { utf8 in
                withUnsafeMutableBytes(of: &bytes) { UUID.parse(utf8, into: $0) }
            } ?? (UUID(uuidString: text).map { bytes = $0.uuid } != nil)
        guard parsed else { return nil }
        self.init(uuid: bytes)
    }

    private static func parse(_ utf8: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableRawBufferPointer) -> Bool {
        guard utf8.count == 36, utf8[8] == UInt8(ascii: "-"), utf8[13] == UInt8(ascii: "-"),
            utf8[18] == UInt8(ascii: "-"), utf8[23] == UInt8(ascii: "-")
        else { return false }
        // A table rather than comparisons: random hex digits make branches on digit-or-letter mispredict.
        return hexDigitValues.withUnsafeBufferPointer { values in
            var invalid: UInt8 = 0
            var offset = 0
            for byte in 0..<16 {
                let high = values[Int(utf8[offset])]
                let low = values[Int(utf8[offset + 1])]
                invalid |= high | low
                output[byte] = high << 4 | low
                // Two digits a byte, and the hyphens after bytes 3, 5, 7 and 9.
                offset += byte == 3 || byte == 5 || byte == 7 || byte == 9 ? 3 : 2
            }
            return invalid < 0x10
        }
    }

    /// The value of every byte as a hexadecimal digit, 0xFF for the bytes that are none.
    private static let hexDigitValues: [UInt8] = (0...255).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(byte) - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt8(byte) - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt8(byte) - UInt8(ascii: "A") + 10
        default: 0xFF
        }
    }

    /// The lowercase 8-4-4-4-12 form, as the store writes event ids.
    public var lowercasedString: String {
        let digits = Array("0123456789abcdef".utf8)
        return withUnsafeBytes(of: uuid) { raw in
            String(unsafeUninitializedCapacity: 36) { output in
                var index = 0
                for (offset, byte) in raw.enumerated() {
                    if offset == 4 || offset == 6 || offset == 8 || offset == 10 {
                        output[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    output[index] = digits[Int(byte >> 4)]
                    output[index + 1] = digits[Int(byte & 0x0F)]
                    index += 2
                }
                return index
            }
        }
    }

    /// The id's 16 bytes as two big-endian integers. Tuples of them sort as ``lowercasedString`` does
    /// (hexadecimal digits keep the bytes' order, and the hyphens stand at the same places in every id),
    /// without building a string per id.
    public var byteOrderKey: (UInt64, UInt64) {
        withUnsafeBytes(of: uuid) { raw in
            (
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            )
        }
    }
}
