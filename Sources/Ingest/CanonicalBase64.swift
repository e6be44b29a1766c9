/// Decodes base64 text only when it is the canonical encoding of its bytes: the standard alphabet, no
/// whitespace, a length that is a multiple of 4, `=` padding only at the end and zero padding bits.
///
/// Canonical text is exactly what `Data.base64EncodedString()` writes, so when ``decode(_:)`` succeeds the
/// bytes re-encode to the very same text and need not be re-encoded to check it. Anything else (which
/// Foundation's more lenient decoder may still accept) gives `nil`, and the caller asks Foundation.
enum CanonicalBase64 {
    /// The value of each alphabet byte, `-1` for any other byte.
    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = Int8(index)
        }
        return table
    }()

    /// The bytes `text` encodes, or `nil` when `text` is not canonical base64. Empty text gives no bytes.
    static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode($0) }
    }

    /// The bytes `text` (UTF-8) encodes, or `nil` when it is not canonical base64.
    static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        guard let last = text.last else { return [] }
        let padding = last != 0x3D ? 0 : text[text.count - 2] != 0x3D ? 1 : 2
        let count = text.count / 4 * 3 - padding
        return values.withUnsafeBufferPointer { values in
            var valid = true
            let bytes = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
                var written = 0
                var index = 0
                // Every group but the last has four alphabet characters.
                while index < text.count - 4 {
                    let a = values[Int(text[index])], b = values[Int(text[index + 1])]
                    let c = values[Int(text[index + 2])], d = values[Int(text[index + 3])]
                    guard a | b | c | d >= 0 else {
                        valid = false
                        return
                    }
                    let group = Int(a) << 18 | Int(b) << 12 | Int(c) << 6 | Int(d)
                    output[written] = UInt8(truncatingIfNeeded: group >> 16)
                    output[written + 1] = UInt8(truncatingIfNeeded: group >> 8)
                    output[written + 2] = UInt8(truncatingIfNeeded: group)
                    written += 3
                    index += 4
                }
                valid = lastGroup(text[index...], padding: padding, values: values, into: output, at: written)
                initialized = valid ? count : 0
            }
            return valid ? bytes : nil
        }
    }

    /// Decodes the last group (`xxxx`, `xxx=` or `xx==`) into `output` at `offset`; false when it has a
    /// character outside the alphabet or padding bits that are not zero.
    private static func lastGroup(
        _ group: Slice<UnsafeBufferPointer<UInt8>>, padding: Int, values: UnsafeBufferPointer<Int8>,
        into output: UnsafeMutableBufferPointer<UInt8>, at offset: Int
    ) -> Bool {
        let start = group.startIndex
        let a = values[Int(group[start])], b = values[Int(group[start + 1])]
        let c = padding < 2 ? values[Int(group[start + 2])] : 0
        let d = padding < 1 ? values[Int(group[start + 3])] : 0
        guard a | b | c | d >= 0 else { return false }
        let bits = Int(a) << 18 | Int(b) << 12 | Int(c) << 6 | Int(d)
        // The bits past the last whole byte must be zero, as an encoder writes them.
        guard padding == 0 || bits & (padding == 1 ? 0xFF : 0xFFFF) == 0 else { return false }
        output[offset] = UInt8(truncatingIfNeeded: bits >> 16)
        if padding < 2 { output[offset + 1] = UInt8(truncatingIfNeeded: bits >> 8) }
        if padding < 1 { output[offset + 2] = UInt8(truncatingIfNeeded: bits) }
        return true
    }
}
