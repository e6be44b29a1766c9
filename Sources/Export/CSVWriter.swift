/// RFC 4180 CSV: fields quoted when they hold a comma, quote, CR or LF; quotes doubled; CRLF line ends.
///
/// Cells are neutralised against formula injection by default, as OWASP recommends ("CSV Injection"): a
/// cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a leading `'`, so
/// a spreadsheet shows it as text instead of evaluating it (`=cmd|' /C calc'!A0` arrives as a user name
/// from any discovery request on the internet). A cell that is a plain number, such as `-3.5`, is kept as
/// is. Pass `neutralizingFormulas: false` (the CLI's `--raw-csv`) for the exact stored values.
public enum CSV {
    /// One record, with its CRLF line end.
    public static func record(_ fields: [String], neutralizingFormulas: Bool = true) -> String {
        fields.map { field($0, neutralizingFormulas: neutralizingFormulas) }.joined(separator: ",") + "\r\n"
    }

    /// One field, neutralised (unless asked not to) and quoted where RFC 4180 requires it.
    public static func field(_ value: String, neutralizingFormulas: Bool = true) -> String {
        let value = neutralizingFormulas ? neutralized(value) : value
        guard value.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }) else {
            return value
        }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `value` with a leading `'` when a spreadsheet would take it for a formula.
    public static func neutralized(_ value: String) -> String {
        guard let first = value.utf8.first, formulaStarts.contains(first), !isPlainNumber(value) else { return value }
        return "'" + value
    }

    /// The first bytes OWASP lists: `=`, `+`, `-`, `@`, tab, carriage return.
    static let formulaStarts: Set<UInt8> = [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D]

    /// `-12`, `+3.5`, `-1e-3`: a number, which a spreadsheet reads as a number and never evaluates.
    static func isPlainNumber(_ value: String) -> Bool {
        var bytes = Substring(value).utf8[...]
        if let sign = bytes.first, sign == 0x2D || sign == 0x2B { bytes = bytes.dropFirst() }
        let isDigit: (UInt8) -> Bool = { $0 >= 0x30 && $0 <= 0x39 }
        let integer = bytes.prefix(while: isDigit)
        guard !integer.isEmpty else { return false }
        bytes = bytes.dropFirst(integer.count)
        if bytes.first == 0x2E {
            bytes = bytes.dropFirst()
            let fraction = bytes.prefix(while: isDigit)
            guard !fraction.isEmpty else { return false }
            bytes = bytes.dropFirst(fraction.count)
        }
        if let e = bytes.first, e == 0x65 || e == 0x45 {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == 0x2D || sign == 0x2B { bytes = bytes.dropFirst() }
            let exponent = bytes.prefix(while: isDigit)
            guard !exponent.isEmpty else { return false }
            bytes = bytes.dropFirst(exponent.count)
        }
        return bytes.isEmpty
    }
}
