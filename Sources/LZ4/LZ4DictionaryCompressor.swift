import CLZ4

/// Compresses many small records against one dictionary, fast: the dictionary is hashed once into a
/// stream state, which is copied into the working state before each record (the method lz4.h suggests
/// when `LZ4_attach_dictionary`, not exported by Debian's shared liblz4, is unavailable), instead of
/// loading the dictionary again for every record. Output is identical in format to ``LZ4Block/compress(_:)`` with the same
/// dictionary, and decodes with ``LZ4Block/decompress(_:size:)``.
///
/// Not thread-safe: use one per thread (the store makes one per write transaction).
public final class LZ4DictionaryCompressor {
    private let dictionary: [UInt8]
    private let dictionaryStream: UnsafeMutablePointer<LZ4_stream_t>
    private let workingStream: UnsafeMutablePointer<LZ4_stream_t>
    private var output: [UInt8] = []

    /// - Parameter dictionary: at most the last 64 KiB are used.
    public init(dictionary: [UInt8]) {
        self.dictionary = Array(dictionary.suffix(65_536))
        dictionaryStream = LZ4_createStream()
        workingStream = LZ4_createStream()
        self.dictionary.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { base in
                _ = LZ4_loadDict(
                    dictionaryStream, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(buffer.count))
            }
        }
    }

    deinit {
        LZ4_freeStream(dictionaryStream)
        LZ4_freeStream(workingStream)
    }

    /// Compresses `input`.
    ///
    /// - Returns: the compressed block, or `nil` when it would not be smaller than `input`.
    public func compress(_ input: [UInt8]) -> [UInt8]? {
        guard !input.isEmpty, input.count < Int(LZ4_MAX_INPUT_SIZE) else { return nil }
        let capacity = Int(LZ4_compressBound(Int32(input.count)))
        if output.count < capacity { output = [UInt8](repeating: 0, count: capacity) }
        // The dictionary's bytes must stay at the same address while the attached stream is used.
        let written: Int32 = dictionary.withUnsafeBufferPointer { _ in
            input.withUnsafeBufferPointer { source in
                output.withUnsafeMutableBufferPointer { destination in
                    workingStream.update(from: dictionaryStream, count: 1)
                    return LZ4_compress_fast_continue(
                        workingStream, UnsafeRawPointer(source.baseAddress!).assumingMemoryBound(to: CChar.self),
                        UnsafeMutableRawPointer(destination.baseAddress!).assumingMemoryBound(to: CChar.self),
                        Int32(input.count), Int32(capacity), 1)
                }
            }
        }
        guard written > 0, Int(written) < input.count else { return nil }
        return Array(output[0..<Int(written)])
    }
}
