import Foundation

/// Splits a migration file into its statements: postgres-nio sends each query as one prepared statement,
/// which holds one command only.
///
/// A `;` ends a statement unless it is inside a `'…'` string, a `"…"` identifier, a `$tag$…$tag$` body or
/// a `--` comment. Comments are kept with the statement that follows; empty statements are dropped.
enum SQLScript {
    static func statements(_ script: String) -> [String] {
        var statements: [String] = []
        var current = ""
        let characters = Array(script)
        var index = 0
        func flush() {
            let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
            let code = statement.split(separator: "\n").filter {
                !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--")
            }
            if !code.joined().trimmingCharacters(in: .whitespaces).isEmpty { statements.append(statement) }
            current = ""
        }
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "-" where index + 1 < characters.count && characters[index + 1] == "-":
                while index < characters.count && characters[index] != "\n" {
                    current.append(characters[index])
                    index += 1
                }
                continue
            case "'", "\"":
                current.append(character)
                index += 1
                while index < characters.count {
                    current.append(characters[index])
                    index += 1
                    if characters[index - 1] == character { break }
                }
                continue
            case "$":
                var end = index + 1
                while end < characters.count && (characters[end].isLetter || characters[end] == "_") { end += 1 }
                if end < characters.count && characters[end] == "$" {
                    let tag = String(characters[index...end])
                    current += tag
                    index = end + 1
                    let rest = String(characters[index...])
                    if let close = rest.range(of: tag) {
                        current += rest[..<close.upperBound]
                        index += rest.distance(from: rest.startIndex, to: close.upperBound)
                    } else {
                        current += rest
                        index = characters.count
                    }
                    continue
                }
                current.append(character)
            case ";":
                flush()
            default:
                current.append(character)
            }
            index += 1
        }
        flush()
        return statements
    }
}
