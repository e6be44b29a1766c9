import Foundation
import LZ4

/// A buffered byte destination: a file handle, optionally through an LZ4 frame.
public final class ByteSink {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var frame: LZ4FrameWriter?
    private static let flushThreshold = 256 * 1024

    /// - Parameters:
    ///   - handle: where the bytes go (a file, or standard output).
    ///   - lz4: wrap the output in an LZ4 frame that `lz4 -d` decompresses.
    public init(handle: FileHandle, lz4: Bool) throws {
        self.handle = handle
        if lz4 {
            frame = try LZ4FrameWriter { bytes in try handle.write(contentsOf: bytes) }
        }
        buffer.reserveCapacity(Self.flushThreshold + 4096)
    }

    /// Appends bytes.
    public func write(_ bytes: some Sequence<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Appends a string's UTF-8 bytes.
    public func write(_ text: String) throws {
        try write(text.utf8)
    }

    /// Writes what is buffered.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        if let frame {
            try frame.write(buffer)
        } else {
            try handle.write(contentsOf: buffer)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered and, for LZ4, ends the frame.
    public func finish() throws {
        try flush()
        try frame?.finish()
    }
}
