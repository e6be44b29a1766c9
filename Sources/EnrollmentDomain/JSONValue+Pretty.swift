extension JSONValue {
    /// Indented JSON with sorted keys and a final newline, for files people read and diff.
    public var prettyString: String {
        var output = ""
        writePretty(to: &output, indent: 0)
        return output + "\n"
    }

    fileprivate func writePretty(to output: inout String, indent: Int) {
        let padding = String(repeating: "  ", count: indent + 1)
        let closing = String(repeating: "  ", count: indent)
        switch self {
        case .array(let elements) where !elements.isEmpty:
            output += "[\n"
            for (index, element) in elements.enumerated() {
                output += padding
                element.writePretty(to: &output, indent: indent + 1)
                output += index < elements.count - 1 ? ",\n" : "\n"
            }
            output += closing + "]"
        case .object(let members) where !members.isEmpty:
            output += "{\n"
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                output += padding + JSONValue.string(key).canonicalString + ": "
                members[key]!.writePretty(to: &output, indent: indent + 1)
                output += index < keys.count - 1 ? ",\n" : "\n"
            }
            output += closing + "}"
        default:
            output += canonicalString
        }
    }
}

extension JSONValue {
    /// The pretty form as an element nested `level` deep (two spaces per level, no final newline): what
    /// a writer that streams a pretty array prints for each element after its own indentation.
    public func prettyString(nestedAt level: Int) -> String {
        var output = ""
        writePretty(to: &output, indent: level)
        return output
    }
}
