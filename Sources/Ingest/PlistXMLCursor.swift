/// Character data read by ``PlistXMLCursor/characterData()``: where it lies, and whether it holds
/// references (`&amp;`, `&#65;`, …) to unescape before use.
struct PlistCharacterData {
    var range: Range<Int>
    var hasReferences: Bool
}

/// A position in the UTF-8 bytes of an XML property list, and the few steps ``CheckinPlistReader`` takes,
/// each the way CoreFoundation's XML property list parser (`CFPropertyList.c`) takes it. A step that meets
/// something that parser would read differently, or that this cursor does not read, fails (`false` or
/// `nil`), and the caller gives up on the document rather than guess.
struct PlistXMLCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { position >= bytes.count }

    /// The byte `offset` past the position, or `nil` past the end.
    func peek(_ offset: Int = 0) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    /// Skips whitespace as CoreFoundation does between elements: space, tab, line feed, carriage return.
    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// Consumes `literal` when the bytes at the position are exactly it.
    mutating func consume(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - position >= count else { return false }
        let expected = literal.utf8Start
        for offset in 0..<count where bytes[position + offset] != expected[offset] { return false }
        position += count
        return true
    }

    /// Consumes bytes up to and including the next `end`; false when `refused` or the end of input comes first.
    mutating func skip(through end: UInt8, refusing refused: UInt8) -> Bool {
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if byte == end { return true }
            if byte == refused { return false }
        }
        return false
    }

    /// The character data up to the next `<` (not consumed), with its references checked.
    ///
    /// - Returns: `nil` for a CDATA section or comment (`<!`), a reference CoreFoundation reads differently or
    ///   refuses, data that starts with a byte order mark (CoreFoundation drops it), or no `<` at all.
    mutating func characterData() -> PlistCharacterData? {
        let start = position
        var hasReferences = false
        while position < bytes.count {
            switch bytes[position] {
            case 0x3C:  // <
                guard peek(1) != 0x21 else { return nil }  // <![CDATA[ or <!--
                let range = start..<position
                if range.count >= 3, bytes[start] == 0xEF, bytes[start + 1] == 0xBB, bytes[start + 2] == 0xBF {
                    return nil
                }
                return PlistCharacterData(range: range, hasReferences: hasReferences)
            case 0x26:  // &
                guard let (_, end) = reference(at: position) else { return nil }
                hasReferences = true
                position = end
            default:
                position += 1
            }
        }
        return nil
    }

    /// The bytes of `data` with its references replaced by the characters they stand for, as UTF-8.
    func unescaped(_ data: PlistCharacterData) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(data.range.count)
        var index = data.range.lowerBound
        while index < data.range.upperBound {
            if bytes[index] == 0x26, let (scalar, end) = reference(at: index) {
                result.append(contentsOf: UTF8.encode(scalar)!)
                index = end
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }

    /// The reference starting with the `&` at `index`: the character it stands for, and the index after its
    /// `;`. The five predefined entities, and character references of one to eight digits (`&#65;`,
    /// `&#x41;`, lowercase `x` only) to a Unicode scalar other than NUL, U+FEFF and U+FFFE (which
    /// CoreFoundation keeps as NUL or drops as a byte order mark); `nil` for anything else.
    func reference(at index: Int) -> (Unicode.Scalar, Int)? {
        var cursor = PlistXMLCursor(bytes)
        cursor.position = index
        if cursor.consume("&lt;") { return ("<", cursor.position) }
        if cursor.consume("&gt;") { return (">", cursor.position) }
        if cursor.consume("&amp;") { return ("&", cursor.position) }
        if cursor.consume("&quot;") { return ("\"", cursor.position) }
        if cursor.consume("&apos;") { return ("'", cursor.position) }
        guard cursor.consume("&#") else { return nil }
        let radix: UInt32 = cursor.consume("x") ? 16 : 10
        var value: UInt32 = 0
        var digits = 0
        while let byte = cursor.peek(), byte != 0x3B {  // ;
            guard digits < 8, let digit = Self.digit(byte, radix: radix) else { return nil }
            value = value * radix + digit
            digits += 1
            cursor.position += 1
        }
        guard digits > 0, cursor.consume(";"), value != 0, value != 0xFEFF, value != 0xFFFE,
            let scalar = Unicode.Scalar(value)
        else { return nil }
        return (scalar, cursor.position)
    }

    /// The value of `byte` as a digit in `radix` (10 or 16), or `nil`.
    static func digit(_ byte: UInt8, radix: UInt32) -> UInt32? {
        switch byte {
        case 0x30...0x39: return UInt32(byte - 0x30)
        case 0x61...0x66 where radix == 16: return UInt32(byte - 0x61 + 10)
        case 0x41...0x46 where radix == 16: return UInt32(byte - 0x41 + 10)
        default: return nil
        }
    }
}
