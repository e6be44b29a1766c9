/// A JSON document as plain Swift data.
///
/// Objects keep their members in a dictionary; ``canonicalBytes`` writes them with sorted keys and no
/// insignificant whitespace, so two documents that mean the same thing have the same bytes. The store
/// hashes and compares those bytes.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The members of an object, or `nil` for any other value.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The string, or `nil` for any other value.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, or `nil` for any other value (a double with no fraction counts as an integer).
    public var intValue: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value.rounded() == value && abs(value) < 9e15: return Int64(value)
        default: return nil
        }
    }

    /// The boolean, or `nil` for any other value.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The member `key` of an object; `nil` when absent or when this is not an object.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// The JSON type name used in error messages and JSON Schema: `"string"`, `"integer"`, …
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue {
    /// Compact UTF-8 JSON with object keys sorted by their UTF-8 bytes.
    public var canonicalBytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(to: &output)
        return output
    }

    /// Compact JSON text with sorted keys (see ``canonicalBytes``).
    public var canonicalString: String {
        String(decoding: canonicalBytes, as: UTF8.self)
    }

    /// Appends the canonical encoding of this value to `output`.
    public func write(to output: inout [UInt8]) {
        write(to: &output, style: .canonical)
    }

    /// Appends this value as compact JSON in `style` (the store's canonical JSON, or RFC 8785).
    public func write(to output: inout [UInt8], style: JSONStyle) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value):
            if style.numbers == .ecmascript {
                JCS.writeInteger(value, to: &output)
            } else {
                JSONValue.writeInteger(value, to: &output)
            }
        case .double(let value):
            if style.numbers == .ecmascript {
                JCS.writeNumber(value, to: &output)
            } else {
                JSONValue.writeDouble(value, to: &output)
            }
        case .string(let value): JSONValue.writeString(value, style: style, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.write(to: &output, style: style)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            let sorted =
                switch style.keyOrder {
                case .utf8Bytes: members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                case .utf16CodeUnits: members.sorted { $0.key.utf16.lexicographicallyPrecedes($1.key.utf16) }
                }
            for (index, member) in sorted.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONValue.writeString(member.key, style: style, to: &output)
                output.append(UInt8(ascii: ":"))
                member.value.write(to: &output, style: style)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Appends the decimal digits of `value`, as `String(value)` spells them.
    static func writeInteger(_ value: Int64, to output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        guard magnitude >= 10 else {
            output.append(UInt8(ascii: "0") + UInt8(magnitude))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            while magnitude > 0 {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    static func writeDouble(_ value: Double, to output: inout [UInt8]) {
        guard value.isFinite else {
            output.append(contentsOf: "null".utf8)
            return
        }
        if value.rounded() == value, abs(value) < 1e15 {
            writeInteger(Int64(value), to: &output)
        } else {
            output.append(contentsOf: "\(value)".utf8)
        }
    }

    /// Appends `value` as a JSON string literal, escaping what RFC 8259 requires: `"`, `\\` and the
    /// control characters (`\n`, `\r`, `\t`, in RFC 8785 style also `\b`, `\f`; the others as `\u00xx`);
    /// every other byte is copied as it is.
    public static func writeString(_ value: String, style: JSONStyle = .canonical, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var value = value
        let short = style.shortEscapesForBackspaceAndFormFeed
        value.withUTF8 { bytes in
            var copied = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<index]))
                copied = index + 1
                switch byte {
                case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0x08 where short: output.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C where short: output.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    output.append(contentsOf: [
                        0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
                    ])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied...]))
        }
        output.append(UInt8(ascii: "\""))
    }
}
