/// The texts the store keeps in PostgreSQL `text` columns, encoded so that U+0000 fits: PostgreSQL's
/// `text` cannot hold it (SQLSTATE 22021), SQLite's can, and the contract is the same on both.
///
/// U+0000 is written as U+0001 U+0001 and the escape itself, U+0001, as U+0001 U+0002; every other
/// character is itself. The encoding is injective and reversed by ``decode(_:)``, and a text without
/// U+0000 or U+0001 is unchanged (no copy). It is a prefix-free code whose words keep the order of the
/// characters they stand for (U+0000 < U+0001 < U+0002…), so byte order (`COLLATE "C"`), equality and
/// "begins with"/"ends with" comparisons give on encoded texts what they give on the texts themselves:
/// a filter encodes its value the same way and matches what SQLite matches; ASCII case folding does not
/// touch U+0001 or U+0002. What it does not keep is a text's length in characters where it holds U+0000
/// or U+0001 (nothing compares lengths but the log's `stream` check, and a stream has no control
/// characters) and "contains" (no query searches inside a text). See docs/postgres.md, "U+0000".
public enum PostgresText {
    /// `text`, as stored.
    public static func encode(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 <= 1 }) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 8)
        for byte in text.utf8 {
            switch byte {
            case 0: bytes += [1, 1]
            case 1: bytes += [1, 2]
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `text`, as stored (`nil` stays `nil`).
    public static func encode(_ text: String?) -> String? {
        text.map { encode($0) }
    }

    /// Each of `texts`, as stored.
    public static func encode(_ texts: [String]) -> [String] {
        texts.map { encode($0) }
    }

    /// A stored text as it was given. A U+0001 followed by anything but U+0001 or U+0002 (never written by
    /// ``encode(_:)``: a text edited by hand) is kept as it is.
    public static func decode(_ stored: String) -> String {
        guard stored.utf8.contains(1) else { return stored }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(stored.utf8.count)
        var escaped = false
        for byte in stored.utf8 {
            if escaped {
                escaped = false
                switch byte {
                case 1: bytes.append(0)
                case 2: bytes.append(1)
                default: bytes += [1, byte]
                }
            } else if byte == 1 {
                escaped = true
            } else {
                bytes.append(byte)
            }
        }
        if escaped { bytes.append(1) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A stored text as it was given (`nil` stays `nil`).
    public static func decode(_ stored: String?) -> String? {
        stored.map { decode($0) }
    }
}
