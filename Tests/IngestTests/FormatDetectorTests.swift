import Ingest
import Testing

struct FormatDetectorTests {
    @Test(arguments: [
        (#"{"event_id":"x","stream":"UE-1","type":"a.b"}"#, InputFormat.native),
        (#"{"topic":"mdm.Authenticate","checkin_event":{}}"#, .nanomdm),
        (#"{"@odata.context":"x","value":[]}"#, .graph),
        ("{", .graph),
        (#"203.0.113.29 - - [01/Oct/2026:19:06:12 +0000] "GET / HTTP/1.1" 200 1 "-" "-""#, .accessLog),
    ])
    func firstLinesAreRecognised(line: String, format: InputFormat) {
        #expect(FormatDetector.detect(Array(line.utf8)) == format)
    }

    @Test func blankOrGarbageFirstLinesAreNotGuessed() {
        #expect(FormatDetector.detect(Array("   ".utf8)) == nil)
        #expect(FormatDetector.detect(Array("hello world".utf8)) == nil)
    }
}
