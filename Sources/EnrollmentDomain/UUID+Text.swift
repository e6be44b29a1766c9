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
                guard utf8.count == 36 else { return false }
                return withUnsafeMutableBytes(of: &bytes) { output in
                    var index = 0
                    var byte = 0
                    while index < 36 {
                        if index == 8 || index == 13 || index == 18 || index == 23 {
                            guard utf8[index] == UInt8(ascii: "-") else { return false }
                            index += 1
                            continue
                        }
                        guard let high = UUID.nibble(utf8[index]), let low = UUID.nibble(utf8[index + 1]) else {
                            return false
                        }
                        output[byte] = high << 4 | low
                        byte += 1
                        index += 2
                    }
                    return true
                }
            } ?? (UUID(uuidString: text).map { bytes = $0.uuid } != nil)
        guard parsed else { return nil }
        self.init(uuid: bytes)
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

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
