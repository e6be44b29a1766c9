import CLZ4

/// Decompresses an LZ4 frame stream incrementally: feed compressed chunks, get plain chunks.
public final class LZ4FrameReader {
    private let context: OpaquePointer
    private var output = [UInt8](repeating: 0, count: 256 * 1024)
    /// Whether the last frame ended cleanly (no partial frame pending).
    public private(set) var atFrameBoundary = true

    public init() throws {
        var context: OpaquePointer?
        let status = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(status) == 0, let context else { throw LZ4Error(code: status) }
        self.context = context
    }

    deinit {
        LZ4F_freeDecompressionContext(context)
    }

    /// Decompresses `chunk`, handing each piece of plain output to `body`.
    ///
    /// - Throws: ``LZ4Error`` when the data is not a valid LZ4 frame (bad magic, checksum mismatch, …).
    public func decompress(_ chunk: [UInt8], into body: ([UInt8]) throws -> Void) throws {
        var offset = 0
        while true {
            var sourceSize = chunk.count - offset
            var destinationSize = output.count
            let hint = chunk.withUnsafeBytes { input in
                output.withUnsafeMutableBytes { plain in
                    LZ4F_decompress(
                        context, plain.baseAddress, &destinationSize, input.baseAddress.map { $0 + offset },
                        &sourceSize, nil)
                }
            }
            guard LZ4F_isError(hint) == 0 else { throw LZ4Error(code: hint) }
            offset += sourceSize
            atFrameBoundary = hint == 0
            if destinationSize > 0 { try body(Array(output[0..<destinationSize])) }
            // Done when the input is used up and liblz4 has no more output pending for us.
            if offset >= chunk.count && destinationSize < output.count { break }
            if sourceSize == 0 && destinationSize == 0 { break }
        }
    }

    /// The LZ4 frame magic number, little-endian, as the first four bytes of a `.lz4` file.
    public static let magic: [UInt8] = [0x04, 0x22, 0x4D, 0x18]
}
