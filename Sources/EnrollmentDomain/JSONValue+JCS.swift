/// RFC 8785, the JSON Canonicalization Scheme (JCS): the bytes every party derives alike from one JSON value.
///
/// Object members sorted by their keys' UTF-16 code units; no whitespace; strings with only `"`, `\` and
/// the control characters escaped (`\b`, `\t`, `\n`, `\f`, `\r`, the others as `\u00xx`); numbers as
/// IEEE 754 doubles written the way ECMAScript's `Number.prototype.toString` writes them (integers of
/// magnitude below 2^53 as decimal integers, `1e+21` and above and below `1e-6` in exponent form).
///
/// The leaf of the store's Merkle tree is the JCS form of an exported event (see `docs/proofs.md`); the
/// tests compare this implementation with the Python `rfc8785` package.
extension JSONValue {
    /// The RFC 8785 canonical bytes of this value.
    public var jcsBytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        writeJCS(to: &output)
        return output
    }

    /// Appends the RFC 8785 canonical bytes of this value to `output`.
    public func writeJCS(to output: inout [UInt8]) {
        write(to: &output, style: .jcs)
    }
}

/// The pieces of RFC 8785 that writers of known shapes (the Merkle leaf of an event) use directly.
public enum JCS {
    /// The largest integer of I-JSON (RFC 7493): larger ones are written as the doubles they round to.
    static let exactIntegerLimit: Int64 = 1 << 53 - 1

    /// Appends `value` as an RFC 8785 number.
    public static func writeInteger(_ value: Int64, to output: inout [UInt8]) {
        if value.magnitude <= UInt64(exactIntegerLimit) {
            JSONValue.writeInteger(value, to: &output)
        } else {
            writeNumber(Double(value), to: &output)
        }
    }

    /// Appends `value` as an RFC 8785 string literal.
    public static func writeString(_ value: String, to output: inout [UInt8]) {
        JSONValue.writeString(value, style: .jcs, to: &output)
    }

    /// Appends a finite double as ECMAScript writes it (RFC 8785 §3.2.2.3); a non-finite one as `null`,
    /// which JSON cannot hold anyway.
    public static func writeNumber(_ value: Double, to output: inout [UInt8]) {
        guard value.isFinite else {
            output.append(contentsOf: "null".utf8)
            return
        }
        if value == 0 {
            output.append(UInt8(ascii: "0"))
            return
        }
        if value < 0 { output.append(UInt8(ascii: "-")) }
        // Swift's description holds the shortest digits that read back as the same double, like
        // ECMAScript's: take them and the decimal exponent, then lay them out by ECMAScript's rules.
        let (digits, exponent) = shortestDigits(value.magnitude)
        let count = digits.count
        // The value is 0.d1d2…dk × 10^exponent.
        if count <= exponent && exponent <= 21 {
            output.append(contentsOf: digits)
            output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: exponent - count))
        } else if 0 < exponent && exponent <= 21 {
            output.append(contentsOf: digits[..<exponent])
            output.append(UInt8(ascii: "."))
            output.append(contentsOf: digits[exponent...])
        } else if -6 < exponent && exponent <= 0 {
            output.append(contentsOf: "0.".utf8)
            output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -exponent))
            output.append(contentsOf: digits)
        } else {
            output.append(digits[0])
            if count > 1 {
                output.append(UInt8(ascii: "."))
                output.append(contentsOf: digits[1...])
            }
            output.append(UInt8(ascii: "e"))
            output.append(UInt8(ascii: exponent - 1 < 0 ? "-" : "+"))
            output.append(contentsOf: String(abs(exponent - 1)).utf8)
        }
    }

    /// The significant digits of a positive finite double (no leading or trailing zeros) and `n` such
    /// that the value is `0.digits × 10^n`.
    static func shortestDigits(_ value: Double) -> (digits: [UInt8], exponent: Int) {
        let text = Array(value.description.utf8)
        var digits: [UInt8] = []
        var pointAt: Int?
        var exponent = 0
        var index = 0
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: ".") {
                pointAt = digits.count
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                exponent = Int(String(decoding: text[(index + 1)...], as: UTF8.self)) ?? 0
                break
            } else {
                digits.append(byte)
            }
            index += 1
        }
        var point = (pointAt ?? digits.count) + exponent
        while let first = digits.first, first == UInt8(ascii: "0") {
            digits.removeFirst()
            point -= 1
        }
        while let last = digits.last, last == UInt8(ascii: "0") { digits.removeLast() }
        return (digits, point)
    }
}
