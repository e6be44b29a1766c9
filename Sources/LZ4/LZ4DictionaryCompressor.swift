import CLZ4

/// Compresses many small records against one dictionary, fast: the dictionary is hashed once into a
/// stream state, which is copied into the working state before each record (the method lz4.h suggests
/// when `LZ4_attach_dictionary`, not exported by Debian's shared liblz4, is unavailable), instead of
/// loading the dictionary again for every record. Output is identical in format to ``LZ4Block/compress(_:)`` with the same
/// dictionary, and decodes with ``LZ4Block/decompress(_:size:)``.
///
/// Not thread-safe: use one per thread (the store makes one per write transaction).
public final class LZ4DictionaryCompressor {
    /// The dictionary's bytes, at an address of our own: the stream state loaded from them points into
    /// them for as long as the compressor lives (an array's storage is only pinned inside
    /// `withUnsafeBufferPointer`, so it cannot hold them).
    private let dictionary: UnsafeMutableBufferPointer<CChar>
    private let dictionaryStream: UnsafeMutablePointer<LZ4_stream_t>
    private let workingStream: UnsafeMutablePointer<LZ4_stream_t>
    private var output: [UInt8] = []

    /// - Parameter dictionary: at most the last 64 KiB are used.
    public init(dictionary: [UInt8]) {
        let bytes = dictionary.suffix(65_536)
        self.dictionary = UnsafeMutableBufferPointer<CChar>.allocate(capacity: max(bytes.count, 1))
        _ = self.dictionary.initialize(from: bytes.map { CChar(bitPattern: $0) })
        dictionaryStream = LZ4_createStream()
        workingStream = LZ4_createStream()
        _ = LZ4_loadDict(dictionaryStream, self.dictionary.baseAddress, Int32(bytes.count))
    }

    deinit {
        LZ4_freeStream(dictionaryStream)
        LZ4_freeStream(workingStream)
        dictionary.deallocate()
    }

    /// Compresses `input`.
    ///
    /// - Returns: the compressed block, or `nil` when it would not be smaller than `input`.
    public func compress(_ input: [UInt8]) -> [UInt8]? {
        guard !input.isEmpty, input.count < Int(LZ4_MAX_INPUT_SIZE) else { return nil }
        let capacity = Int(LZ4_compressBound(Int32(input.count)))
        if output.count < capacity { output = [UInt8](repeating: 0, count: capacity) }
        let written: Int32 = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                workingStream.update(from: dictionaryStream, count: 1)
                return LZ4_compress_fast_continue(
                    workingStream, UnsafeRawPointer(source.baseAddress!).assumingMemoryBound(to: CChar.self),
                    UnsafeMutableRawPointer(destination.baseAddress!).assumingMemoryBound(to: CChar.self),
                    Int32(input.count), Int32(capacity), 1)
            }
        }
        guard written > 0, Int(written) < input.count else { return nil }
        return Array(output[0..<Int(written)])
    }
}
