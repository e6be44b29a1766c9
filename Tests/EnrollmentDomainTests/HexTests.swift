import EnrollmentDomain
import Testing

struct HexTests {
    @Test func contiguousAndOtherSequencesOfBytesGiveTheSameLowercaseDigitsAfterWhatTheOutputHeld() {
        let bytes: [UInt8] = [0x00, 0x0F, 0x10, 0x9A, 0xA5, 0xFF]
        var contiguous = Array("h=".utf8)
        bytes.appendHex(to: &contiguous)
        var iterated = Array("h=".utf8)
        bytes.lazy.map { $0 }.appendHex(to: &iterated)
        #expect(String(decoding: contiguous, as: UTF8.self) == "h=000f109aa5ff")
        #expect(iterated == contiguous)
        #expect(bytes.hexString == "000f109aa5ff")
        #expect([UInt8]().hexString == "")
    }
}
