import CLZ4

/// LZ4 block compression of small records, optionally primed with a dictionary.
///
/// A block carries no length: the caller stores the decompressed size next to it.
public struct LZ4Block: Sendable {
    /// The dictionary that primes compression and decompression; empty for none. At most 64 KiB is used.
    public let dictionary: [UInt8]

    public init(dictionary: [UInt8] = []) {
        self.dictionary = Array(dictionary.suffix(65_536))
    }

    /// Compresses `input`.
    ///
    /// - Returns: the compressed block, or `nil` when it would not be smaller than `input`.
    public func compress(_ input: [UInt8]) -> [UInt8]? {
        guard !input.isEmpty, input.count < Int(LZ4_MAX_INPUT_SIZE) else { return nil }
        let capacity = Int(LZ4_compressBound(Int32(input.count)))
        var output = [UInt8](repeating: 0, count: capacity)
        let written: Int32 = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                let src = UnsafeRawPointer(source.baseAddress!).assumingMemoryBound(to: CChar.self)
                let dst = UnsafeMutableRawPointer(destination.baseAddress!).assumingMemoryBound(to: CChar.self)
                if dictionary.isEmpty {
                    return LZ4_compress_default(src, dst, Int32(input.count), Int32(capacity))
                }
                guard let stream = LZ4_createStream() else { return 0 }
                defer { LZ4_freeStream(stream) }
                return dictionary.withUnsafeBufferPointer { dict in
                    let dictPointer = UnsafeRawPointer(dict.baseAddress!).assumingMemoryBound(to: CChar.self)
                    LZ4_loadDict(stream, dictPointer, Int32(dict.count))
                    return LZ4_compress_fast_continue(stream, src, dst, Int32(input.count), Int32(capacity), 1)
                }
            }
        }
        guard written > 0, Int(written) < input.count else { return nil }
        output.removeSubrange(Int(written)...)
        return output
    }

    /// Decompresses a block produced by ``compress(_:)`` with the same dictionary.
    ///
    /// - Parameters:
    ///   - block: the compressed bytes.
    ///   - size: the exact decompressed size.
    /// - Returns: the original bytes, or `nil` when the block is corrupt or does not decode to `size` bytes.
    public func decompress(_ block: [UInt8], size: Int) -> [UInt8]? {
        guard size >= 0, size < Int(LZ4_MAX_INPUT_SIZE), !block.isEmpty else { return nil }
        var output = [UInt8](repeating: 0, count: size)
        let read: Int32 = block.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                let src = UnsafeRawPointer(source.baseAddress!).assumingMemoryBound(to: CChar.self)
                guard let base = destination.baseAddress else { return -1 }
                let dst = UnsafeMutableRawPointer(base).assumingMemoryBound(to: CChar.self)
                if dictionary.isEmpty {
                    return LZ4_decompress_safe(src, dst, Int32(block.count), Int32(size))
                }
                return dictionary.withUnsafeBufferPointer { dict in
                    let dictPointer = UnsafeRawPointer(dict.baseAddress!).assumingMemoryBound(to: CChar.self)
                    return LZ4_decompress_safe_usingDict(
                        src, dst, Int32(block.count), Int32(size), dictPointer, Int32(dict.count))
                }
            }
        }
        guard read == Int32(size) else { return nil }
        return output
    }
}
