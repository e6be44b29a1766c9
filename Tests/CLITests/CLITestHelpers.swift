import CSV
import EnrollmentDomain
import Foundation
import TestSupport
import Testing

extension JSONValue {
    /// The elements of an array, or `nil` for any other value.
    var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// A number as a double, or `nil` for any other value.
    var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }
}

/// Output parsed the way a script would read it.
enum Parsed {
    /// A JSON array document.
    static func array(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [JSONValue] {
        try #require(try JSONParser.parse(text).arrayValue, sourceLocation: sourceLocation)
    }

    /// A JSON object document.
    static func object(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: JSONValue]
    {
        try #require(try JSONParser.parse(text).objectValue, sourceLocation: sourceLocation)
    }

    /// NDJSON: one JSON value per line.
    static func lines(_ text: String) throws -> [JSONValue] {
        try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    /// CSV with a header row, read by an independent RFC 4180 parser: the header and each row by column name.
    static func csv(_ text: String) throws -> (header: [String], rows: [[String: String]]) {
        let reader = try CSVReader(string: text, hasHeaderRow: true)
        let header = reader.headerRow ?? []
        var rows: [[String: String]] = []
        while let row = reader.next() {
            rows.append(Dictionary(uniqueKeysWithValues: zip(header, row)))
        }
        return (header, rows)
    }
}

extension CommandLineTool.Result {
    /// Whether the output holds an ANSI escape sequence.
    var hasEscapes: Bool { stdout.contains("\u{1B}[") || stderr.contains("\u{1B}[") }
}
