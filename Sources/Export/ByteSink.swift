import EventStore
import Foundation
import LZ4

/// A buffered byte destination: an output file (or standard output), optionally through an LZ4 frame.
public final class ByteSink {
    private let output: OutputFile
    private var buffer: [UInt8] = []
    private var frame: LZ4FrameWriter?
    private static let flushThreshold = 256 * 1024

    /// - Parameters:
    ///   - output: where the bytes go (a file, or standard output).
    ///   - lz4: wrap the output in an LZ4 frame that `lz4 -d` decompresses.
    public init(output: OutputFile, lz4: Bool) throws {
        self.output = output
        if lz4 {
            frame = try LZ4FrameWriter { bytes in try output.write(bytes) }
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
            try output.write(buffer)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered and, for LZ4, ends the frame.
    public func finish() throws {
        try flush()
        try frame?.finish()
    }
}
