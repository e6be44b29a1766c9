import EnrollmentDomain
import Foundation

/// Seeded mutations of input lines for fuzzing: byte flips, interesting bytes, truncations, insertions,
/// duplications and deletions. The same seed gives the same mutations.
public enum Mutations {
    /// Bytes that tend to matter to a parser: NUL, line endings, quotes, escapes, brackets, invalid UTF-8.
    static let interesting: [UInt8] = [
        0x00, 0x0A, 0x0D, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x3A, 0x2C, 0x20, 0xFF, 0xC3, 0x25,
    ]

    /// One to four random edits of `line`.
    public static func mutate(_ line: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
        var bytes = line
        for _ in 0...Int.random(in: 0..<3, using: &generator) {
            guard !bytes.isEmpty else { break }
            let at = Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &generator))
            case 1: bytes[at] = interesting.randomElement(using: &generator)!
            case 2: bytes.removeSubrange(at...)
            case 3:
                bytes.insert(
                    contentsOf: (0..<Int.random(in: 1..<8, using: &generator)).map { _ in
                        interesting.randomElement(using: &generator)!
                    }, at: at)
            case 4:
                let end = min(bytes.count, at + Int.random(in: 1..<64, using: &generator))
                bytes.insert(contentsOf: bytes[at..<end], at: at)
            default:
                bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1..<32, using: &generator)))
            }
        }
        return bytes
    }

    /// `count` lines made from a sample fixture: each sample line in turn, mutated or left intact. Graph
    /// pages span many lines, so fewer of their lines are mutated (and the events follow as one object
    /// per line too).
    ///
    /// - Parameters:
    ///   - file: a fixture under `Tests/Fixtures`.
    ///   - count: how many lines to make.
    ///   - seed: the generator's seed.
    public static func mutatedLines(of file: String, count: Int, seed: UInt64) throws -> [[UInt8]] {
        var samples = try Fixtures.lines(file).map { Array($0.utf8) }
        var percentMutated = 80
        if file.hasSuffix(".json") {
            let page = try JSONParser.parse(Array(samples.joined(separator: [0x0A])))
            if case .array(let events) = page["value"] { samples += events.map(\.canonicalBytes) }
            percentMutated = 4
        }
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { index in
            let line = samples[index % samples.count]
            let intact = Int.random(in: 0..<100, using: &generator) >= percentMutated
            return intact ? line : mutate(line, using: &generator)
        }
    }
}
