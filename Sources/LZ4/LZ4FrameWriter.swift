import CLZ4

/// Writes the LZ4 frame format (the `.lz4` files the `lz4` command reads), chunk by chunk.
///
/// ```swift
/// var writer = try LZ4FrameWriter { bytes in try output.write(bytes) }
/// try writer.write(Array("hello\n".utf8))
/// try writer.finish()
/// ```
public final class LZ4FrameWriter {
    private let context: OpaquePointer
    private var preferences = LZ4F_preferences_t()
    private var buffer: [UInt8]
    private let sink: ([UInt8]) throws -> Void
    private var finished = false
    /// Input bytes compressed per `LZ4F_compressUpdate` call.
    static let chunkSize = 64 * 1024

    /// Starts a frame and hands its header to `sink`.
    ///
    /// - Parameter sink: receives compressed bytes, in order.
    /// - Throws: ``LZ4Error`` when liblz4 refuses.
    public init(sink: @escaping ([UInt8]) throws -> Void) throws {
        var context: OpaquePointer?
        let status = LZ4F_createCompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(status) == 0, let context else { throw LZ4Error(code: status) }
        self.context = context
        self.sink = sink
        preferences.frameInfo.blockSizeID = LZ4F_max256KB
        preferences.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        let bound = LZ4F_compressBound(Self.chunkSize, &preferences)
        buffer = [UInt8](repeating: 0, count: max(bound, Int(LZ4F_HEADER_SIZE_MAX)) + 64)
        let written = buffer.withUnsafeMutableBytes { output in
            LZ4F_compressBegin(context, output.baseAddress, output.count, &preferences)
        }
        guard LZ4F_isError(written) == 0 else { throw LZ4Error(code: written) }
        try sink(Array(buffer[0..<written]))
    }

    deinit {
        LZ4F_freeCompressionContext(context)
    }

    /// Compresses `bytes` into the frame.
    public func write(_ bytes: [UInt8]) throws {
        precondition(!finished, "write after finish")
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + Self.chunkSize, bytes.count)
            let written = bytes.withUnsafeBytes { input in
                buffer.withUnsafeMutableBytes { output in
                    LZ4F_compressUpdate(
                        context, output.baseAddress, output.count, input.baseAddress! + offset, end - offset, nil)
                }
            }
            guard LZ4F_isError(written) == 0 else { throw LZ4Error(code: written) }
            if written > 0 { try sink(Array(buffer[0..<written])) }
            offset = end
        }
    }

    /// Flushes the last block and writes the frame's end mark and checksum.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        let written = buffer.withUnsafeMutableBytes { output in
            LZ4F_compressEnd(context, output.baseAddress, output.count, nil)
        }
        guard LZ4F_isError(written) == 0 else { throw LZ4Error(code: written) }
        try sink(Array(buffer[0..<written]))
    }
}

/// An error reported by liblz4.
public struct LZ4Error: Error, Sendable, CustomStringConvertible {
    /// liblz4's description of the problem.
    public var reason: String

    init(code: Int) {
        reason = String(cString: LZ4F_getErrorName(code))
    }

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { "LZ4: \(reason)" }
}
