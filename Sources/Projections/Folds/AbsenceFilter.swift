/// A Bloom filter of the keys a fold has written since its tables were empty: when it says a key is
/// absent, the key is not in the tables, so the fold need not read it. Fixed size (``bitCount`` bits),
/// so memory stays bounded however many keys are added; it only ever answers "maybe present" more often.
struct AbsenceFilter {
    /// 2^25 bits (4 MiB): about 2% false "maybe present" at 4,000,000 keys.
    static let bitCount = 1 << 25
    private var words = [UInt64](repeating: 0, count: AbsenceFilter.bitCount / 64)

    private static func probes(_ key: String) -> [Int] {
        // FNV-1a over the UTF-8 bytes, split into two hashes (double hashing, four probes).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let first = hash & 0xFFFF_FFFF
        let second = (hash >> 32) | 1
        return (0..<4).map { Int((first &+ UInt64($0) &* second) % UInt64(bitCount)) }
    }

    mutating func insert(_ key: String) {
        for bit in Self.probes(key) { words[bit >> 6] |= 1 << UInt64(bit & 63) }
    }

    /// `false`: never inserted. `true`: perhaps inserted.
    func mayContain(_ key: String) -> Bool {
        Self.probes(key).allSatisfy { words[$0 >> 6] & (1 << UInt64($0 & 63)) != 0 }
    }
}
