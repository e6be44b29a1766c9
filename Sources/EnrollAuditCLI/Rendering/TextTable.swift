import EnrollmentDomain
import Export
import Foundation

/// A plain text table: a header row and left-aligned columns, two spaces apart. Every cell is shown with
/// its control and format characters escaped (``TerminalText``): cells hold values from devices.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: [String]) {
        self.headers = headers
    }

    mutating func append(_ row: [String]) {
        rows.append(row.map(TerminalText.escaped))
    }

    var rendered: String {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { Self.line($0, widths: widths) }.joined()
    }

    /// One row, its cells padded to `widths` (a longer cell is never cut), two spaces apart, with its newline.
    static func line(_ cells: [String], widths: [Int]) -> String {
        cells.enumerated().map { column, cell in
            column == cells.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[column] - cell.count))
        }.joined(separator: "  ") + "\n"
    }
}

/// Human durations: `45s`, `3m12s`, `2h05m`, `3d4h` (``DurationText/human(_:)``).
enum HumanDuration {
    static func format(_ seconds: Double) -> String { DurationText.human(seconds) }
}
