/// What a compact JSON writer leaves open, and the two encodings of this project fix differently: the
/// order of object members, how numbers are spelled, and whether backspace and form feed get short
/// escapes. One writer (``JSONValue/write(to:style:)``) serves both.
///
/// - ``canonical``: the store's canonical JSON (hashed into the chain, so it never changes): keys sorted
///   by their UTF-8 bytes, integral doubles below 10^15 as integers and other doubles as Swift spells
///   them, `\u0008` and `\u000c`.
/// - ``jcs``: RFC 8785 (JSON Canonicalization Scheme), the Merkle leaf's encoding: keys sorted by their
///   UTF-16 code units, numbers as ECMAScript's `Number.prototype.toString` writes them (integers beyond
///   ±(2^53 − 1) as the doubles they round to), `\b` and `\f`.
public struct JSONStyle: Sendable, Hashable {
    /// How object members are ordered.
    public enum KeyOrder: Sendable, Hashable {
        case utf8Bytes, utf16CodeUnits
    }

    /// How numbers are written.
    public enum Numbers: Sendable, Hashable {
        case canonical, ecmascript
    }

    public var keyOrder: KeyOrder
    public var numbers: Numbers
    /// Whether U+0008 and U+000C are written `\b` and `\f` (else `\u0008`, `\u000c`).
    public var shortEscapesForBackspaceAndFormFeed: Bool

    public init(keyOrder: KeyOrder, numbers: Numbers, shortEscapesForBackspaceAndFormFeed: Bool) {
        self.keyOrder = keyOrder
        self.numbers = numbers
        self.shortEscapesForBackspaceAndFormFeed = shortEscapesForBackspaceAndFormFeed
    }

    /// The store's canonical JSON.
    public static let canonical = JSONStyle(
        keyOrder: .utf8Bytes, numbers: .canonical, shortEscapesForBackspaceAndFormFeed: false)
    /// RFC 8785.
    public static let jcs = JSONStyle(
        keyOrder: .utf16CodeUnits, numbers: .ecmascript, shortEscapesForBackspaceAndFormFeed: true)
}
