import Testing

@testable import Ingest

struct RecordChecksTests {
    @Test func controlCharactersAreExactlyUnicodesGeneralCategoryCc() {
        for value in 0...0x10FFFF as ClosedRange<UInt32> {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if RecordChecks.isControl(scalar) != (scalar.properties.generalCategory == .control) {
                Issue.record("U+\(String(value, radix: 16))")
            }
        }
    }

    @Test(arguments: ["UE-1\u{0}", "UE-\u{1F}1", "\u{7F}", "UE-\u{85}", "UE-\u{9F}"])
    func aStreamWithAControlCharacterIsRefused(stream: String) {
        #expect(throws: RecordFailure.self) { try RecordChecks.stream(stream, from: "enrollment_id") }
    }

    @Test(arguments: ["UE-1", "2c0e049891ff140fd173c09007c8b06d6e14813c", "UE-\u{A0}é😀", "UE-\u{200B}"])
    func aStreamWithoutOneIsKept(stream: String) throws {
        #expect(try RecordChecks.stream(stream, from: "enrollment_id") == stream)
    }
}
