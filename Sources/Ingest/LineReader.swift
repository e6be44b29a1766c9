import Foundation
import LZ4

/// Reads lines from a file or standard input in constant memory, transparently decompressing LZ4 frames.
///
/// Lines end with `\n`; a trailing `\r` is dropped (CRLF input is fine). A line longer than
/// ``maximumLineLength`` is not buffered: it is reported as ``Line/tooLong`` and skipped to its end, so a
/// huge or newline-free input can never balloon memory.
public final class LineReader {
    /// One line of input.
    public enum Line {
        /// The line's bytes, without the line ending.
        case text([UInt8])
        /// The line was longer than the limit; its first bytes are kept for the reject file.
        case tooLong(prefix: [UInt8], length: Int)
    }

    /// A line, or a piece of one longer than ``maximumLineLength`` (see ``nextChunk()``).
    enum Chunk {
        case line([UInt8])
        /// A piece of an over-long line, in order; `last` ends the line (its line ending dropped).
        case piece([UInt8], first: Bool, last: Bool)
    }

    /// The longest line accepted, in bytes. The default is 8 MiB.
    public let maximumLineLength: Int
    /// The one-based number of the line last returned.
    public private(set) var lineNumber = 0
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes before this index are known to hold no newline after `start`.
    private var scanned = 0
    private var atEnd = false
    private var decompressor: LZ4FrameReader?
    private var utf16: UTF16Transcoder?
    private var sniffed = false
    private var sniffing: [UInt8] = []
    /// Whether ``nextChunk()`` is in the middle of an over-long line.
    private var inPiece = false
    private static let chunkSize = 1 << 20

    /// - Parameters:
    ///   - handle: where to read from; read until end of file.
    ///   - maximumLineLength: see ``maximumLineLength``.
    public init(handle: FileHandle, maximumLineLength: Int = 8 << 20) {
        self.handle = handle
        self.maximumLineLength = maximumLineLength
    }

    /// The next line, or `nil` at the end of input.
    ///
    /// - Throws: I/O errors and ``LZ4Error`` for a damaged `.lz4` input.
    public func next() throws -> Line? {
        var skipping: (prefix: [UInt8], length: Int)?
        while true {
            if let newline = nextNewline() {
                var end = newline
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                let lineStart = start
                start = newline + 1
                scanned = start
                lineNumber += 1
                if let skipped = skipping {
                    return .tooLong(prefix: skipped.prefix, length: skipped.length + (newline - lineStart))
                }
                if end - lineStart > maximumLineLength {
                    return .tooLong(
                        prefix: Array(buffer[lineStart..<min(end, lineStart + 1024)]), length: end - lineStart)
                }
                return .text(Array(buffer[lineStart..<end]))
            }
            scanned = buffer.count
            let pending = buffer.count - start
            if skipping != nil || pending > maximumLineLength {
                // Drop what we have of an over-long line and keep reading to its end.
                if skipping == nil { skipping = (Array(buffer[start..<min(buffer.count, start + 1024)]), 0) }
                skipping!.length += pending
                buffer.removeAll(keepingCapacity: true)
                start = 0
                scanned = 0
            }
            if atEnd {
                guard start < buffer.count || skipping != nil else { return nil }
                var end = buffer.count
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                let line = Array(buffer[start..<end])
                start = buffer.count
                lineNumber += 1
                if let skipped = skipping {
                    return .tooLong(prefix: skipped.prefix, length: skipped.length + line.count)
                }
                return .text(line)
            }
            try fill()
        }
    }

    /// The next line, or the next piece of a line longer than ``maximumLineLength``: such a line is not
    /// skipped but handed out as it arrives (the first piece once the limit is passed, then what each read
    /// brings), so a decoder that streams reads it in bounded memory. ``lineNumber`` counts a line once
    /// its last piece is returned.
    func nextChunk() throws -> Chunk? {
        while true {
            if let newline = nextNewline() {
                var end = newline
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                let bytes = Array(buffer[start..<end])
                start = newline + 1
                scanned = start
                lineNumber += 1
                if inPiece || bytes.count > maximumLineLength {
                    defer { inPiece = false }
                    return .piece(bytes, first: !inPiece, last: true)
                }
                return .line(bytes)
            }
            scanned = buffer.count
            // Keep a final `\r` back: it may be the line ending's.
            let available = buffer.count - start - (buffer.last == 0x0D ? 1 : 0)
            if !atEnd, available > 0, inPiece || buffer.count - start > maximumLineLength {
                let bytes = Array(buffer[start..<(start + available)])
                buffer.removeSubrange(0..<(start + available))
                start = 0
                scanned = 0
                defer { inPiece = true }
                return .piece(bytes, first: !inPiece, last: false)
            }
            if atEnd {
                guard start < buffer.count || inPiece else { return nil }
                var end = buffer.count
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                let bytes = Array(buffer[start..<end])
                start = buffer.count
                lineNumber += 1
                if inPiece || bytes.count > maximumLineLength {
                    defer { inPiece = false }
                    return .piece(bytes, first: !inPiece, last: true)
                }
                return .line(bytes)
            }
            try fill()
        }
    }

    /// The index of the next `\n` at or after `start`, searching only bytes not searched before.
    private func nextNewline() -> Int? {
        let from = max(start, scanned)
        guard from < buffer.count else { return nil }
        return buffer.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress, let found = memchr(base + from, 0x0A, bytes.count - from) else {
                return nil
            }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    private func fill() throws {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            scanned = max(0, scanned - start)
            start = 0
        }
        var bytes = try readSome()
        if !sniffed {
            // Wait for the 4 bytes of an LZ4 frame's magic number, or the end of input.
            sniffing += bytes
            guard sniffing.count >= LZ4FrameReader.magic.count || bytes.isEmpty else { return }
            sniffed = true
            if sniffing.starts(with: LZ4FrameReader.magic) { decompressor = try LZ4FrameReader() }
            // A UTF-8 byte order mark (Windows tools write one) is not part of the first line.
            if sniffing.starts(with: [0xEF, 0xBB, 0xBF]) { sniffing.removeFirst(3) }
            // A UTF-16 byte order mark (Windows PowerShell 5.1's Out-File): the text is transcoded to UTF-8.
            if let order = UTF16Transcoder.byteOrder(of: sniffing) {
                sniffing.removeFirst(2)
                utf16 = UTF16Transcoder(byteOrder: order)
            }
            swap(&bytes, &sniffing)
            sniffing = []
            if bytes.isEmpty { return }
        }
        guard !bytes.isEmpty else {
            if let decompressor, !decompressor.atFrameBoundary {
                throw LZ4Error(reason: "the .lz4 input ends in the middle of a frame (truncated file)")
            }
            try utf16?.finish()
            atEnd = true
            return
        }
        if let decompressor {
            try decompressor.decompress(bytes) { buffer.append(contentsOf: $0) }
        } else if utf16 != nil {
            buffer.append(contentsOf: try utf16!.transcode(bytes))
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Reads what the input has, up to one chunk, waiting only until some bytes arrive (so a pipe that
    /// trickles lines is read as they come); empty at the end of input.
    private func readSome() throws -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
            if count >= 0 {
                chunk.removeLast(chunk.count - count)
                return chunk
            }
            guard errno == EINTR else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
    }
}
