import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// RFC 8785 (JCS) against the Python `rfc8785` package, on seeded random documents that reach every
/// corner: key order by UTF-16 units, escapes, doubles of every magnitude, integers beyond 2^53.
struct JCSTests {
    /// The examples of RFC 8785 §3.2.2.3 (numbers) and §3.2.3 (sorting).
    @Test func theRFCsOwnExamplesComeOutAsPrinted() {
        let numbers: [(Double, String)] = [
            (0, "0"), (-0.0, "0"), (1e21, "1e+21"), (1e20, "100000000000000000000"), (1e-7, "1e-7"),
            (0.000001, "0.000001"), (333333333.33333329, "333333333.3333333"), (1.5e-300, "1.5e-300"),
            (4.5, "4.5"), (2e-3, "0.002"), (0.000001234, "0.000001234"),
            (-1.7976931348623157e308, "-1.7976931348623157e+308"),
            (9007199254740992, "9007199254740992"), (295_147_905_179_352_825_856, "295147905179352830000"),
        ]
        for (value, text) in numbers {
            #expect(String(decoding: JSONValue.double(value).jcsBytes, as: UTF8.self) == text, "\(value)")
        }
        let sorted: JSONValue = .object([
            "\u{20AC}": .string("Euro Sign"), "\r": .string("Carriage Return"),
            "\u{FB33}": .string("Hebrew Letter Dalet With Dagesh"),
            "1": .string("One"), "\u{1F600}": .string("Emoji: Grinning Face"), "\u{0080}": .string("Control"),
            "\u{00F6}": .string("Latin Small Letter O With Diaeresis"),
        ])
        let keys = ["\\r", "1", "\u{0080}", "\u{00F6}", "\u{20AC}", "\u{1F600}", "\u{FB33}"]
        let text = String(decoding: sorted.jcsBytes, as: UTF8.self)
        let positions = keys.map { text.range(of: "\"\($0)\"")!.lowerBound }
        #expect(positions == positions.sorted(), "keys in UTF-16 order: \(text)")
        #expect(
            String(decoding: JSONValue.string("\u{8}\u{c}\u{1}\u{7f}\"\\/").jcsBytes, as: UTF8.self) == #""\b\f\u0001"#
                + "\u{7f}" + #"\"\\/""#)
    }

    @Test func randomDocumentsMatchThePythonReference() throws {
        var random = SeededGenerator(seed: 8785)
        let documents = (0..<400).map { _ in Self.document(depth: 3, using: &random) }
        let input = documents.map { $0.canonicalString }.joined(separator: "\n") + "\n"
        let result = try PythonTool.run(["Tools/jcs-reference.py"], stdin: Data(input.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let expected = result.stdout.split(separator: "\n")
        #expect(expected.count == documents.count)
        for (document, hex) in zip(documents, expected) {
            let ours = document.jcsBytes.map { String(format: "%02x", $0) }.joined()
            #expect(ours == String(hex), "\(document.canonicalString)")
        }
    }

    static let keyPieces = [
        "a", "b", "Z", "é", "\u{E000}", "\u{FFFD}", "\u{1F600}", "\u{10000}", "_", "1", "\u{7F}", "\t",
    ]
    static let stringPieces = [
        "plain", "\"", "\\", "\n", "\u{8}", "\u{C}", "\u{1}", "\u{1F}", "\u{2028}", "ü", "😀", "/",
    ]

    static func string(_ pieces: [String], using random: inout SeededGenerator) -> String {
        (0..<Int.random(in: 0...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    static func number(using random: inout SeededGenerator) -> JSONValue {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return .int(Int64.random(in: -1_000_000...1_000_000, using: &random))
        case 1: return .int(Int64.random(in: Int64.min / 2...Int64.max / 2, using: &random))
        case 2: return .double(Double.random(in: -1e6...1e6, using: &random))
        case 3:
            let exponent = Double(Int.random(in: -320...308, using: &random))
            return .double(Double.random(in: 1..<10, using: &random) * pow(10, exponent))
        case 4: return .double(Double(Int.random(in: -30...30, using: &random)) / 8)
        default: return .double(pow(10, Double(Int.random(in: -8...23, using: &random))))
        }
    }

    static func document(depth: Int, using random: inout SeededGenerator) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            members[string(keyPieces, using: &random)] = value(depth: depth - 1, using: &random)
        }
        return .object(members)
    }

    static func value(depth: Int, using random: inout SeededGenerator) -> JSONValue {
        switch Int.random(in: 0..<(depth > 0 ? 8 : 6), using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2, 3: return number(using: &random)
        case 4, 5: return .string(string(stringPieces, using: &random))
        case 6:
            return .array(
                (0..<Int.random(in: 0...3, using: &random)).map { _ in value(depth: depth - 1, using: &random) })
        default: return document(depth: depth - 1, using: &random)
        }
    }
}
