/// Checks the content and end tag of a property list's `<integer>`, `<real>`, `<data>` and `<date>` after
/// their start tag, in the plain forms CoreFoundation certainly accepts; any other form is refused (`false`)
/// and left to Foundation. The values themselves are not needed, so none is built.
enum PlistScalars {
    /// `-?[0-9]{1,18}</integer>`: never out of range.
    static func integer(_ cursor: inout PlistXMLCursor) -> Bool {
        _ = cursor.consume("-")
        return digits(&cursor, 1...18) && cursor.consume("</integer>")
    }

    /// `-?[0-9]{1,15}(\.[0-9]{1,15})?</real>`.
    static func real(_ cursor: inout PlistXMLCursor) -> Bool {
        _ = cursor.consume("-")
        guard digits(&cursor, 1...15) else { return false }
        if cursor.consume("."), !digits(&cursor, 1...15) { return false }
        return cursor.consume("</real>")
    }

    /// Any ASCII up to `</data>`: CoreFoundation decodes the base64 characters, skips the other ASCII
    /// bytes and refuses only bytes past ASCII.
    static func data(_ cursor: inout PlistXMLCursor) -> Bool {
        while let byte = cursor.peek(), byte != 0x3C {  // <
            guard byte < 0x80 else { return false }
            cursor.position += 1
        }
        return cursor.consume("</data>")
    }

    /// `YYYY-MM-DDThh:mm:ssZ</date>`.
    static func date(_ cursor: inout PlistXMLCursor) -> Bool {
        digits(&cursor, 4...4) && cursor.consume("-") && digits(&cursor, 2...2) && cursor.consume("-")
            && digits(&cursor, 2...2) && cursor.consume("T") && digits(&cursor, 2...2) && cursor.consume(":")
            && digits(&cursor, 2...2) && cursor.consume(":") && digits(&cursor, 2...2) && cursor.consume("Z")
            && cursor.consume("</date>")
    }

    /// Consumes a run of ASCII digits whose length is in `allowed`.
    private static func digits(_ cursor: inout PlistXMLCursor, _ allowed: ClosedRange<Int>) -> Bool {
        var count = 0
        while let byte = cursor.peek(), byte >= 0x30, byte <= 0x39, count < allowed.upperBound {
            cursor.position += 1
            count += 1
        }
        return allowed.contains(count)
    }
}
