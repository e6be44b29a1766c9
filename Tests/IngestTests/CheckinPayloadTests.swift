import Foundation
import TestSupport
import Testing

@testable import Ingest

/// Differential tests of `raw_payload` decoding: ``CheckinPayload`` (canonical base64 and
/// ``CheckinPlistReader``, with Foundation behind them) against the Foundation-only decoding it replaced,
/// on the samples, the simulator's webhooks, random plists and seeded mutations. Every outcome must be the
/// same: strings byte for byte, the XML text, whether it reproduces the base64, and the refusals.
struct CheckinPayloadTests {
    static let field = "checkin_event.raw_payload"

    /// Expects `CheckinPayload` to decode `base64` as Foundation does.
    static func expectSameOutcome(_ base64: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let outcome = CheckinOutcome { () throws(RecordFailure) in try CheckinPayload(base64: base64, field: field) }
        let reference = FoundationCheckinPayload.outcome(base64: base64, field: field)
        #expect(outcome == reference, "\(base64)", sourceLocation: sourceLocation)
    }

    /// Whether the reader itself (not Foundation behind it) reads `text`.
    static func readerReads(_ text: [UInt8]) -> Bool {
        String(validating: text, as: UTF8.self) != nil
            && text.withUnsafeBufferPointer { CheckinPayload.reader.members(of: $0) } != nil
    }

    @Test func theSampleAndSimulatedPayloadsDecodeAsWithFoundationAndAllByTheReader() throws {
        let payloads = try CheckinSamples.fixture() + CheckinSamples.simulated(users: 200)
        #expect(payloads.count > 126 + 200)
        for payload in payloads {
            Self.expectSameOutcome(payload)
            let reads = Self.readerReads(CheckinSamples.text(of: payload))
            #expect(reads, "\(payload)")
        }
    }

    @Test func randomPlistsDecodeAsWithFoundationAndTheReaderReadsItsForms() {
        var readable = 0
        for seed in 0..<3_000 as Range<UInt64> {
            let plist = RandomCheckinPlist(seed: seed)
            let text = Array(plist.text.utf8)
            Self.expectSameOutcome(Data(text).base64EncodedString())
            if plist.readable {
                let reads = Self.readerReads(text)
                #expect(reads, "\(plist.text)")
                readable += 1
            }
        }
        #expect(readable > 1_000)
    }

    @Test func seededMutationsOfThePlistTextDecodeAsWithFoundation() throws {
        let texts = try (CheckinSamples.fixture() + CheckinSamples.simulated(users: 10)).map(CheckinSamples.text(of:))
        var generator = SeededGenerator(seed: 0xC4EC_2026)
        var read = 0
        for index in 0..<6_000 {
            let text = CheckinSamples.mutated(texts[index % texts.count], using: &generator)
            Self.expectSameOutcome(Data(text).base64EncodedString())
            if Self.readerReads(text) { read += 1 }
        }
        // The reader answered for many mutated documents itself, so they test it and not only Foundation.
        #expect(read > 600)
    }

    @Test func seededMutationsOfTheBase64DecodeAsWithFoundation() throws {
        let payloads = try CheckinSamples.fixture()
        var generator = SeededGenerator(seed: 0xB64_2026)
        for index in 0..<3_000 {
            let bytes = Mutations.mutate(Array(payloads[index % payloads.count].utf8), using: &generator)
            Self.expectSameOutcome(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test(arguments: [
        // Read by the reader: references, empty and repeated members, every value type, nesting.
        ("<key>MessageType</key><string>Tok&#101;n&#x55;pdate &amp; &lt;&gt;&quot;&apos; &#x1F600;</string>", true),
        ("<key>Message&#84;ype</key><string>Authenticate</string><key>UDID</key><string/>", true),
        ("<key>UDID</key><string>a</string><key>UDID</key><string>b</string>", true),
        ("<key>UDID</key><integer>1</integer><key>UDID</key><string>b</string>", true),
        ("<key>UDID</key><string>b</string><key>UDID</key><true/>", true),
        ("<key>Status</key><dict><key>a</key><array><integer>-0042</integer><real>2.50</real></array></dict>", true),
        ("<key>X</key><date>2026-13-45T99:99:99Z</date><key>Y</key><data> AB&amp;*CD\n\t== </data>", true),
        ("<key>OSVersion</key><string>a\r\nb\0c\u{1}</string><key></key><string>e</string>", true),
        ("<key>EnrollmentID</key><string>x\u{FEFF}y</string><key>Topic</key><string>\u{212A}e\u{301}</string>", true),
        // Left to Foundation: forms it reads differently or that the reader does not take.
        ("<key>UDID</key><string>\u{FEFF}x</string>", false),
        ("<key>UDID</key><string>&#xFEFF;x</string>", false),
        ("<key>UDID</key><string>&#0;x&#;</string>", false),
        ("<key>UDID</key><string>&#xD800;</string>", false),
        ("<key>UDID</key><string>&#X41;</string>", false),
        ("<key>UDID</key><string><![CDATA[<b>]]></string>", false),
        ("<!-- note --><key>UDID</key><string>x</string>", false),
        ("<key>CF$UID</key><integer>3</integer>", false),
        ("<key>CF$UID</key><string>3</string>", false),
        ("<key>UDID</key ><string>x</string>", false),
        ("<key>UDID</key><string >x</string>", false),
        ("<key>UDID</key><integer> 5</integer>", false),
        ("<key>UDID</key><real>1e5</real>", false),
        ("<key>UDID</key><true></true>", false),
        ("<key>UDID</key><key>x</key>", false),
        ("<key>UDID</key>", false),
        ("<string>x</string>", false),
        ("<key>UDID</key><string>x</string></dict><dict>", false),
        ("<key>UDID</key><data>é</data>", false),
    ])
    func handwrittenMembersDecodeAsWithFoundation(members: String, readable: Bool) {
        let text = Array(
            #"<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>\#(members)</dict></plist>"#.utf8)
        Self.expectSameOutcome(Data(text).base64EncodedString())
        #expect(Self.readerReads(text) == readable)
    }

    @Test(arguments: [
        ("<?xml version=\"1.0\"?><plist><dict/></plist>\n", true),
        ("<plist version=\"1.0\"><dict><key>UDID</key><string>x</string></dict></plist>", true),
        ("\n <?xml version=\"1.0\" encoding=\"UTF-8\"?><plist><dict></dict></plist>", true),
        ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist><dict></dict></plist> trailing", false),
        ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist><array/></plist>", false),
        ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist><string>x</string></plist>", false),
        ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><dict><key>UDID</key><string>x</string></dict>", false),
        (
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><plist><dict><key>UDID</key><string>é</string></dict></plist>",
            false
        ),
        ("\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist><dict></dict></plist>", false),
        ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist><dict></dict>", false),
        ("{UDID = x;}", false),
        ("not a plist", false),
    ])
    func handwrittenDocumentsDecodeAsWithFoundation(document: String, readable: Bool) {
        Self.expectSameOutcome(Data(document.utf8).base64EncodedString())
        #expect(Self.readerReads(Array(document.utf8)) == readable)
    }

    @Test func binaryAndUTF16PlistsAreLeftToFoundation() throws {
        let plist: [String: Any] = ["MessageType": "Authenticate", "UDID": "u-1", "Token": Data([1, 2, 3])]
        let binary = try PropertyListSerialization.data(fromPropertyList: plist, format: .binary, options: 0)
        let xml = try PropertyListSerialization.data(fromPropertyList: plist, format: .xml, options: 0)
        let text = try #require(String(data: xml, encoding: .utf8))
        let utf16 = try #require(text.data(using: .utf16))
        for data in [binary, xml, utf16] {
            Self.expectSameOutcome(data.base64EncodedString())
        }
        #expect(!Self.readerReads([UInt8](binary)))
        #expect(Self.readerReads([UInt8](xml)))
    }

    @Test func canonicalBase64DecodesWhatEncodersWriteAndNothingElse() throws {
        var generator = SeededGenerator(seed: 64)
        for count in 0..<200 {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Data(bytes).base64EncodedString()
            #expect(CanonicalBase64.decode(text) == bytes)
            // Edits: what the canonical decoder takes, Foundation decodes the same and re-encodes unchanged;
            // what it refuses, Foundation refuses or re-encodes differently.
            for _ in 0..<20 {
                let edited = String(decoding: Mutations.mutate(Array(text.utf8), using: &generator), as: UTF8.self)
                let foundation = Data(base64Encoded: edited)
                if let decoded = CanonicalBase64.decode(edited) {
                    #expect(foundation.map { [UInt8]($0) } == decoded, "\(edited)")
                    #expect(foundation?.base64EncodedString() == edited, "\(edited)")
                } else {
                    #expect(foundation?.base64EncodedString() != edited, "\(edited)")
                }
            }
        }
        for text in ["QR==", "QUJ=", "====", "QQ", "QQ=", "Q===", "QUJD====", "QU JD", "QUJD\n"] {
            #expect(CanonicalBase64.decode(text) == nil, "\(text)")
            Self.expectSameOutcome(text)
        }
        #expect(CanonicalBase64.decode("") == [])
        Self.expectSameOutcome("")
    }
}
