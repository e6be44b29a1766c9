import EnrollmentDomain
import TestSupport

/// Writes a JSON value again in a seeded, random, valid style that is mostly not canonical: whitespace
/// around tokens, shuffled object keys, escapes where none are needed (`\/`, `\u00e9`, upper-case hex,
/// surrogate pairs, `\b`), and numbers in other spellings (`1.0`, `1e0`, `100E-2`, `-0`).
///
/// Each document takes each of these four liberties or not, at random, and one kind of needless escape at
/// most, so that some differ from canonical form in one way only and some not at all.
struct JSONRestyler {
    /// The needless escapes a document may use.
    enum Escape: CaseIterable {
        case slash, nonASCII, surrogatePair, upperCaseHex, shortControl, quoteOrBackslash, ascii
    }

    var generator: SeededGenerator
    private var spacing = true
    private var keyOrder = true
    private var escape: Escape?
    private var numbers = true

    init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
    }

    /// The bytes of `value` in a random style.
    mutating func write(_ value: JSONValue) -> [UInt8] {
        spacing = chance(50)
        keyOrder = chance(50)
        escape = chance(50) ? Escape.allCases.randomElement(using: &generator) : nil
        numbers = chance(50)
        var output: [UInt8] = []
        space(&output)
        write(value, to: &output)
        space(&output)
        return output
    }

    private mutating func chance(_ percent: Int) -> Bool {
        Int.random(in: 0..<100, using: &generator) < percent
    }

    private mutating func space(_ output: inout [UInt8]) {
        guard spacing, chance(15) else { return }
        let blanks: [[UInt8]] = [[0x20], [0x09], [0x20, 0x20], [0x0D], [0x0A, 0x20]]
        output += blanks.randomElement(using: &generator)!
    }

    /// Whitespace before an element or a member, and a comma before every one but the first.
    private mutating func separator(before index: Int, in output: inout [UInt8]) {
        space(&output)
        guard index > 0 else { return }
        output.append(UInt8(ascii: ","))
        space(&output)
    }

    private mutating func write(_ value: JSONValue, to output: inout [UInt8]) {
        switch value {
        case .null, .bool: output += value.canonicalBytes
        case .int(let number): writeInteger(number, to: &output)
        case .double(let number): writeDouble(number, to: &output)
        case .string(let text): writeString(text, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                separator(before: index, in: &output)
                write(element, to: &output)
            }
            space(&output)
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            var keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            if keyOrder { keys.shuffle(using: &generator) }
            for (index, key) in keys.enumerated() {
                separator(before: index, in: &output)
                writeString(key, to: &output)
                space(&output)
                output.append(UInt8(ascii: ":"))
                space(&output)
                write(members[key]!, to: &output)
            }
            space(&output)
            output.append(UInt8(ascii: "}"))
        }
    }

    private mutating func writeInteger(_ number: Int64, to output: inout [UInt8]) {
        guard numbers, chance(30) else {
            output += Array("\(number)".utf8)
            return
        }
        let spellings = [
            "\(number).0", "\(number)e0", "\(number)E+0", "\(number)0e-1", number == 0 ? "-0" : "\(number)",
        ]
        output += Array(spellings.randomElement(using: &generator)!.utf8)
    }

    private mutating func writeDouble(_ number: Double, to output: inout [UInt8]) {
        guard numbers, chance(50) else {
            output += JSONValue.double(number).canonicalBytes
            return
        }
        let spellings = ["\(number)", "\(number)e0", "\(number * 10)E-1", "\(number / 100)e+2"]
        output += Array(spellings.randomElement(using: &generator)!.utf8)
    }

    private mutating func writeString(_ text: String, to output: inout [UInt8]) {
        guard let escape else {
            output += JSONValue.string(text).canonicalBytes
            return
        }
        output.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            let value = scalar.value
            switch value {
            case 0x22 where escape == .quoteOrBackslash && chance(50),
                0x5C where escape == .quoteOrBackslash && chance(50):
                output += unicodeEscape(value)
            case 0x2F where escape == .slash && chance(50): output += Array(#"\/"#.utf8)
            case 0x08 where escape == .shortControl && chance(50): output += Array(#"\b"#.utf8)
            case 0x0C where escape == .shortControl && chance(50): output += Array(#"\f"#.utf8)
            case 0x00..<0x20 where escape == .upperCaseHex && chance(50):
                output += unicodeEscape(value, upperCase: true)
            case 0x10000... where escape == .surrogatePair && chance(50):
                let offset = value - 0x10000
                output += unicodeEscape(0xD800 + (offset >> 10)) + unicodeEscape(0xDC00 + (offset & 0x3FF))
            case 0x80..<0x10000 where escape == .nonASCII && chance(50),
                0x20..<0x80 where escape == .ascii && chance(5):
                output += unicodeEscape(value)
            default:
                // As canonical JSON writes it: without the quotes of a one-character string.
                output += JSONValue.string(String(scalar)).canonicalBytes.dropFirst().dropLast()
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private mutating func unicodeEscape(_ value: UInt32, upperCase: Bool? = nil) -> [UInt8] {
        let digits = Array(((upperCase ?? chance(50)) ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        return [UInt8(ascii: "\\"), UInt8(ascii: "u")] + [12, 8, 4, 0].map { digits[Int((value >> $0) & 0xF)] }
    }
}
