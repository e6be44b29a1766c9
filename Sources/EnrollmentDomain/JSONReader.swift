/// The reader under ``JSONParser`` and ``NewEvent/init(ndjsonLine:)``: strict RFC 8259 over UTF-8 bytes,
/// one value at a time, from `index` on.
///
/// It also notes whether what it reads is already in canonical form, the form ``JSONValue/canonicalBytes``
/// writes: no whitespace, object keys in ascending UTF-8 order, only the escapes
/// ``JSONValue/writeString(_:to:)`` writes, numbers as ``JSONValue/write(to:)`` writes them. A caller sets
/// ``isCanonical`` to `true`, reads a value, and may then keep the value's bytes as its canonical bytes.
struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// Whether everything read since this was last set to `true` was in canonical form.
    var isCanonical = true

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    func error(_ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: index, reason: reason)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D:
                index += 1
                isCanonical = false
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < JSONParser.maximumDepth else { throw error("nesting deeper than \(JSONParser.maximumDepth)") }
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of input") }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw error("invalid literal")
        }
        index += count
    }

    mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        if openContainer(closing: UInt8(ascii: "}")) { return .object([:]) }
        // Room for the few members most objects have, so that they need no rehashing as they grow.
        var members = [String: JSONValue](minimumCapacity: 3)
        var previousKey: (text: String, raw: Range<Int>)?
        repeat {
            try expectMemberName()
            let rawStart = index + 1
            let key = try parseString()
            if isCanonical {
                let current = (text: key, raw: rawStart..<index - 1)
                if let previousKey, !precedes(previousKey, current) { isCanonical = false }
                previousKey = current
            }
            try expectNameSeparator()
            let value = try parseValue(depth: depth + 1)
            guard members.updateValue(value, forKey: key) == nil else {
                throw error("duplicate member \"\(key)\"")
            }
        } while try !closes(UInt8(ascii: "}"))
        return .object(members)
    }

    /// Whether the key `first` sorts before `second` in canonical order (by UTF-8 bytes). A key read without
    /// escapes is compared in place; `raw` is its bytes between the quotes.
    private func precedes(_ first: (text: String, raw: Range<Int>), _ second: (text: String, raw: Range<Int>)) -> Bool {
        guard first.raw.count == first.text.utf8.count, second.raw.count == second.text.utf8.count else {
            return first.text.utf8.lexicographicallyPrecedes(second.text.utf8)
        }
        for offset in 0..<min(first.raw.count, second.raw.count) {
            let left = bytes[first.raw.lowerBound + offset]
            let right = bytes[second.raw.lowerBound + offset]
            if left != right { return left < right }
        }
        return first.raw.count < second.raw.count
    }

    mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        if openContainer(closing: UInt8(ascii: "]")) { return .array([]) }
        var elements: [JSONValue] = []
        repeat {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
        } while try !closes(UInt8(ascii: "]"))
        return .array(elements)
    }

    /// Steps over the opening `{` or `[` and the whitespace after it; whether the `closing` bracket follows
    /// at once (an empty object or array, stepped over too).
    mutating func openContainer(closing: UInt8) -> Bool {
        index += 1
        skipWhitespace()
        guard index < bytes.count, bytes[index] == closing else { return false }
        index += 1
        return true
    }

    /// Skips the whitespace before a member name, which must start with a quote.
    mutating func expectMemberName() throws(JSONSyntaxError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
            throw error(index < bytes.count ? "expected a member name in quotes" : "unexpected end of input")
        }
    }

    /// Steps over the `:` after a member name and the whitespace around it.
    mutating func expectNameSeparator() throws(JSONSyntaxError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
            throw error(index < bytes.count ? "expected ':' after a member name" : "unexpected end of input")
        }
        index += 1
        skipWhitespace()
    }

    /// After a member or an element: steps over a `,` (more follow: `false`) or the `closing` bracket (`true`).
    mutating func closes(_ closing: UInt8) throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input") }
        if bytes[index] == UInt8(ascii: ",") {
            index += 1
            return false
        }
        if bytes[index] == closing {
            index += 1
            return true
        }
        throw error(
            closing == UInt8(ascii: "}") ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array")
    }
}
