import LZ4

/// Turns the canonical JSON of an event's `data` into the stored `payload` and back.
///
/// Codecs (the `codec` column): 0 the JSON as is, 1 an LZ4 block, 2 an LZ4 block primed with the
/// dictionary named by `dictionary_id`. Every codec stays decodable forever.
struct PayloadCodec: Sendable {
    enum Codec: Int64 {
        case identity = 0
        case lz4 = 1
        case lz4Dictionary = 2
    }

    struct Encoded {
        var codec: Codec
        var dictionaryID: Int64?
        var payload: [UInt8]
    }

    let compression: StoreConfiguration.Compression
    private let plain = LZ4Block()
    private let currentDictionary: [UInt8]?
    /// Dictionaries by id, as stored in `payload_dictionaries`.
    private let dictionaries: [Int64: LZ4Block]

    init(compression: StoreConfiguration.Compression, dictionaries: [Int64: [UInt8]]) {
        self.compression = compression
        self.dictionaries = dictionaries.mapValues { LZ4Block(dictionary: $0) }
        self.currentDictionary = dictionaries[PayloadDictionary.id]
    }

    /// A compressor for one write transaction: it reuses liblz4 state across rows (not thread-safe).
    func makeEncoder() -> Encoder {
        Encoder(
            compression: compression, plain: plain,
            dictionary: compression == .lz4Dictionary ? currentDictionary.map(LZ4DictionaryCompressor.init) : nil)
    }

    struct Encoder {
        let compression: StoreConfiguration.Compression
        let plain: LZ4Block
        let dictionary: LZ4DictionaryCompressor?

        /// The smallest allowed encoding of `json`: compressed only where compression pays.
        func encode(_ json: [UInt8]) -> Encoded {
            switch compression {
            case .none:
                break
            case .lz4:
                if let block = plain.compress(json) { return Encoded(codec: .lz4, dictionaryID: nil, payload: block) }
            case .lz4Dictionary:
                if let block = dictionary?.compress(json) {
                    return Encoded(codec: .lz4Dictionary, dictionaryID: PayloadDictionary.id, payload: block)
                }
            }
            return Encoded(codec: .identity, dictionaryID: nil, payload: json)
        }
    }

    /// The canonical JSON of a stored payload, or `nil` when it cannot be decoded.
    func decode(codec: Int64, dictionaryID: Int64?, size: Int, payload: [UInt8]) -> [UInt8]? {
        switch Codec(rawValue: codec) {
        case .identity: return payload.count == size ? payload : nil
        case .lz4: return plain.decompress(payload, size: size)
        case .lz4Dictionary:
            guard let dictionaryID, let dictionary = dictionaries[dictionaryID] else { return nil }
            return dictionary.decompress(payload, size: size)
        case nil: return nil
        }
    }
}
