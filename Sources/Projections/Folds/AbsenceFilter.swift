/// A Bloom filter of the keys a fold has written since its tables were empty: when it says a key is
/// absent, the key is not in the tables, so the fold need not read it. Fixed size (``bitCount`` bits),
/// so memory stays bounded however many keys are added; it only ever answers "maybe present" more often.
struct AbsenceFilter {
    /// 2^25 bits (4 MiB): about 2% false "maybe present" at 4,000,000 keys.
    static let bitCount = 1 << 25
    private var words = [UInt64](repeating: 0, count: AbsenceFilter.bitCount / 64)

    /// The four bits of `key`: FNV-1a over the UTF-8 bytes, split into two hashes (double hashing).
    private static func hashes(_ key: String) -> (first: UInt64, second: UInt64) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return (hash & 0xFFFF_FFFF, (hash >> 32) | 1)
    }

    private static func bit(_ probe: UInt64, of hashes: (first: UInt64, second: UInt64)) -> Int {
        Int((hashes.first &+ probe &* hashes.second) % UInt64(bitCount))
    }

    mutating func insert(_ key: String) {
        let hashes = Self.hashes(key)
        for probe in 0..<4 as Range<UInt64> {
            let bit = Self.bit(probe, of: hashes)
            words[bit >> 6] |= 1 << UInt64(bit & 63)
        }
    }

    /// `false`: never inserted. `true`: perhaps inserted.
    func mayContain(_ key: String) -> Bool {
        let hashes = Self.hashes(key)
        for probe in 0..<4 as Range<UInt64> {
            let bit = Self.bit(probe, of: hashes)
            if words[bit >> 6] & (1 << UInt64(bit & 63)) == 0 { return false }
        }
        return true
    }
}
