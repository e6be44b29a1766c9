import EnrollmentDomain
import Foundation
import Testing

struct UUIDOrderTests {
    /// Ids that differ only in one byte, at every byte, around the values where a digit becomes a letter,
    /// and random ones: sorted by `byteOrderKey` they come in the order of their lowercase text.
    @Test func idsSortedByTheirByteKeySortAsTheirLowercaseText() {
        var ids: [UUID] = []
        for position in 0..<16 {
            for value: UInt8 in [0x00, 0x09, 0x0A, 0x0F, 0x10, 0x7F, 0x80, 0x99, 0x9A, 0xA0, 0xFF] {
                var bytes = [UInt8](repeating: 0x5C, count: 16)
                bytes[position] = value
                ids.append(bytes.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) })
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 { ids.append(UUID()) }
        ids.append(contentsOf: ids.prefix(100))  // equal ids compare equal both ways
        let byKey = ids.sorted { $0.byteOrderKey < $1.byteOrderKey }.map(\.lowercasedString)
        let byText = ids.map(\.lowercasedString).sorted()
        #expect(byKey == byText)
        let shuffled = ids.shuffled(using: &generator)
        let disagreeing = zip(shuffled, shuffled.dropFirst()).filter { a, b in
            (a.byteOrderKey < b.byteOrderKey) != (a.lowercasedString < b.lowercasedString)
                || (a.byteOrderKey == b.byteOrderKey) != (a == b)
        }
        #expect(disagreeing.isEmpty, "\(disagreeing.prefix(3))")
    }
}
