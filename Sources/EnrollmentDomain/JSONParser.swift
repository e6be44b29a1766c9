/// A strict RFC 8259 JSON parser over UTF-8 bytes.
///
/// Foundation's decoders are several times slower on the ingest path (see `docs/performance.md`), and
/// their errors do not say which byte is wrong. This parser rejects invalid UTF-8, trailing garbage,
/// unescaped control characters and nesting deeper than ``maximumDepth``.
public struct JSONParser {
    /// The deepest nesting accepted; deeper documents are rejected rather than risking the stack.
    public static let maximumDepth = 64

    /// Parses one complete JSON document.
    ///
    /// - Parameter bytes: the document, UTF-8 encoded. Leading and trailing whitespace is allowed.
    /// - Returns: the parsed value.
    /// - Throws: ``JSONSyntaxError`` naming the byte offset and what was expected.
    public static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(JSONSyntaxError) -> JSONValue {
        let result: Result<JSONValue, JSONSyntaxError>? = bytes.withContiguousStorageIfAvailable { buffer in
            parseBuffer(buffer)
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { parseBuffer($0) }.get()
    }

    /// Parses one complete JSON document from a string.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private static func parseBuffer(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONSyntaxError> {
        var reader = JSONReader(bytes: buffer)
        do throws(JSONSyntaxError) {
            reader.skipWhitespace()
            let value = try reader.parseValue(depth: 0)
            reader.skipWhitespace()
            guard reader.index == buffer.count else {
                throw reader.error("unexpected data after the JSON value")
            }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }
}

/// Why a JSON text could not be parsed, and where.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The zero-based byte offset of the problem.
    public var offset: Int
    /// What was wrong, in words.
    public var reason: String

    public var description: String { "invalid JSON at byte \(offset + 1): \(reason)" }
}
