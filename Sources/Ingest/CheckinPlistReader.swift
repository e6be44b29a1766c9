/// Reads the string members of a check-in's XML property list without Foundation: a small, strict reader of
/// exactly what MDM check-ins are, an XML plist whose root is a `<dict>` of `<key>`/value pairs.
///
/// It reads the root dictionary's members named in `keys`; every other value (integer, real, true, false,
/// date, data, nested array or dictionary) is checked as CoreFoundation checks it and skipped. It reads
/// one shape of document:
///
/// ```
/// <?xml version="1.0" encoding="UTF-8"?>            (optional; or without the encoding)
/// <!DOCTYPE plist PUBLIC "…" "…">                   (optional; no internal subset)
/// <plist version="1.0"><dict>…</dict></plist>       (whitespace between elements)
/// ```
///
/// Anything else (a binary plist, a byte order mark, another encoding, comments, processing instructions or
/// CDATA in the body, attributes, whitespace inside tags, a root that is not a dictionary, a `CF$UID` key,
/// deep nesting, numbers or dates outside their plain forms, malformed markup…) gives `nil`, and the caller
/// asks `PropertyListSerialization`, so every document reads as it does there.
struct CheckinPlistReader {
    /// A root member the caller asked for.
    enum Member: Equatable {
        /// A `<string>`, unescaped.
        case string(String)
        /// Any other type of value.
        case other
    }

    /// The wanted root keys, as UTF-8.
    let keys: [[UInt8]]
    /// The deepest nesting of arrays and dictionaries read; deeper documents are left to Foundation.
    static let maximumDepth = 16

    init(keys: [String]) {
        self.keys = keys.map { Array($0.utf8) }
    }

    /// Reads `bytes`, which must be valid UTF-8.
    ///
    /// - Returns: for each of `keys`, in order, its value in the root dictionary (the last one when a key
    ///   repeats, as in Foundation) or `nil` when absent; `nil` instead of the array when the document is
    ///   not one this reader fully understands.
    func members(of bytes: UnsafeBufferPointer<UInt8>) -> [Member?]? {
        var cursor = PlistXMLCursor(bytes)
        cursor.skipWhitespace()
        if cursor.peek(1) == 0x3F {  // <?
            guard
                cursor.consume(#"<?xml version="1.0" encoding="UTF-8"?>"#)
                    || cursor.consume(#"<?xml version="1.0" encoding="utf-8"?>"#)
                    || cursor.consume(#"<?xml version="1.0"?>"#)
            else { return nil }
            cursor.skipWhitespace()
        }
        if cursor.consume("<!DOCTYPE ") {
            // CoreFoundation skips to the first `>`, unless a `[` (an internal subset) comes first.
            guard cursor.skip(through: 0x3E, refusing: 0x5B) else { return nil }
            cursor.skipWhitespace()
        }
        guard cursor.consume(#"<plist version="1.0">"#) || cursor.consume("<plist>") else { return nil }
        cursor.skipWhitespace()
        var found = [Member?](repeating: nil, count: keys.count)
        if !cursor.consume("<dict/>") {
            guard cursor.consume("<dict>"), rootMembers(&cursor, into: &found) else { return nil }
        }
        cursor.skipWhitespace()
        guard cursor.consume("</plist>") else { return nil }
        cursor.skipWhitespace()
        return cursor.isAtEnd ? found : nil
    }

    /// Reads the root dictionary's members through its `</dict>`, keeping the wanted ones in `found`.
    private func rootMembers(_ cursor: inout PlistXMLCursor, into found: inout [Member?]) -> Bool {
        while true {
            cursor.skipWhitespace()
            if cursor.consume("</dict>") { return true }
            guard cursor.consume("<key>"), let key = cursor.characterData(), cursor.consume("</key>") else {
                return false
            }
            let index: Int?
            if key.hasReferences {
                index = wantedIndex(of: cursor.unescaped(key))
            } else {
                index = wantedIndex(of: cursor.bytes[key.range])
            }
            cursor.skipWhitespace()
            guard let value = Self.value(&cursor, depth: 1) else { return false }
            guard let index else { continue }
            // A `CF$UID` root makes Foundation return a keyed-archiver UID, not a dictionary.
            guard index < keys.count else { return false }
            switch value {
            case .string(let data): found[index] = .string(Self.string(data, in: cursor))
            case .other: found[index] = .other
            }
        }
    }

    /// The index in `keys` of `key`, `keys.count` for `CF$UID`, or `nil` for another key.
    ///
    /// Bytes are compared, where Foundation's `[String: Any]` compares canonically equivalent strings equal:
    /// the same thing for these keys, since no other string is canonically equivalent to an ASCII string
    /// without `K`, `;` or `` ` `` (the only ASCII characters another character decomposes to: U+212A,
    /// U+037E, U+1FEF).
    private func wantedIndex(of key: some Collection<UInt8>) -> Int? {
        for (index, wanted) in keys.enumerated() where wanted.count == key.count && wanted.elementsEqual(key) {
            return index
        }
        return key.elementsEqual("CF$UID".utf8) ? keys.count : nil
    }

    /// A value read by ``value(_:depth:)``: a string's character data (`nil` for `<string/>`), or another type.
    private enum Value {
        case string(PlistCharacterData?)
        case other
    }

    /// Reads one value element, checking it as CoreFoundation does; `nil` when it is not understood.
    private static func value(_ cursor: inout PlistXMLCursor, depth: Int) -> Value? {
        guard cursor.peek() == 0x3C, let name = cursor.peek(1) else { return nil }
        switch name {
        case 0x73:  // s
            if cursor.consume("<string/>") { return .string(nil) }
            guard cursor.consume("<string>"), let data = cursor.characterData(), cursor.consume("</string>") else {
                return nil
            }
            return .string(data)
        case 0x74: return cursor.consume("<true/>") ? .other : nil
        case 0x66: return cursor.consume("<false/>") ? .other : nil
        case 0x69: return cursor.consume("<integer>") && PlistScalars.integer(&cursor) ? .other : nil
        case 0x72: return cursor.consume("<real>") && PlistScalars.real(&cursor) ? .other : nil
        case 0x64:  // d
            if cursor.consume("<data>") { return PlistScalars.data(&cursor) ? .other : nil }
            if cursor.consume("<date>") { return PlistScalars.date(&cursor) ? .other : nil }
            if cursor.consume("<dict/>") { return .other }
            return cursor.consume("<dict>") && nestedMembers(&cursor, depth: depth + 1) ? .other : nil
        case 0x61:  // a
            if cursor.consume("<array/>") { return .other }
            return cursor.consume("<array>") && elements(&cursor, depth: depth + 1) ? .other : nil
        default: return nil
        }
    }

    /// Checks a nested dictionary's members through its `</dict>`.
    private static func nestedMembers(_ cursor: inout PlistXMLCursor, depth: Int) -> Bool {
        guard depth <= maximumDepth else { return false }
        while true {
            cursor.skipWhitespace()
            if cursor.consume("</dict>") { return true }
            guard cursor.consume("<key>"), cursor.characterData() != nil, cursor.consume("</key>") else {
                return false
            }
            cursor.skipWhitespace()
            guard value(&cursor, depth: depth) != nil else { return false }
        }
    }

    /// Checks an array's elements through its `</array>`.
    private static func elements(_ cursor: inout PlistXMLCursor, depth: Int) -> Bool {
        guard depth <= maximumDepth else { return false }
        while true {
            cursor.skipWhitespace()
            if cursor.consume("</array>") { return true }
            guard value(&cursor, depth: depth) != nil else { return false }
        }
    }

    /// The text of a string value.
    private static func string(_ data: PlistCharacterData?, in cursor: PlistXMLCursor) -> String {
        guard let data else { return "" }
        if data.hasReferences { return String(decoding: cursor.unescaped(data), as: UTF8.self) }
        return String(decoding: UnsafeBufferPointer(rebasing: cursor.bytes[data.range]), as: UTF8.self)
    }
}
