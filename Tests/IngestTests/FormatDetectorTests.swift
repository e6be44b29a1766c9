import Ingest
import Testing

struct FormatDetectorTests {
    @Test(arguments: [
        (#"{"event_id":"x","stream":"UE-1","type":"a.b"}"#, InputFormat.native),
        (#"{"topic":"mdm.Authenticate","checkin_event":{}}"#, .nanomdm),
        (#"{"topic":"mdm.Authenticate","event_id":"x","created_at":"x","checkin_event":{"udid":"x"}}"#, .nanomdm),
        (#"{"topic":"mdm.Connect","acknowledge_event":{"status":"Acknowledged"}}"#, .nanomdm),
        (#"{"@odata.context":"x","value":[]}"#, .graph),
        (#"{"@odata.type":"x","id":"x","eventDateTime":"2026-10-01T00:00:00Z","correlationId":"c"}"#, .graph),
        ("{", .graph),
        ("[", .graph),
        ("  {  ", .graph),
        (#"[{"value":["#, .graph),
        (#"{ "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#x","#, .graph),
        (#"203.0.113.29 - - [01/Oct/2026:19:06:12 +0000] "GET / HTTP/1.1" 200 1 "-" "-""#, .accessLog),
        // Intune's resources exported without @odata.type, one per line.
        (#"{"id":"d","deviceEnrollmentType":"appleUserEnrollment","lastSyncDateTime":"x"}"#, .graph),
        (#"{"id":"a","activityType":"retire ManagedDevice","activityDateTime":"x"}"#, .graph),
        (#"{"id":"s","installState":"installed","deviceId":"d"}"#, .graph),
        (#"{"id":"i","createdDateTime":"x","userPrincipalName":"u","status":{"errorCode":0}}"#, .graph),
        (#"#Software: Microsoft Internet Information Services 10.0"#, .accessLog),
        (
            #"h2 2026-10-06T14:20:00.186641Z app/lb/1 192.0.2.90:2817 10.0.0.1:80 0.0 0.0 0.0 200 200 34 366 "GET https://h/ HTTP/2.0" "ua" - - arn "Root=1" "h" "-" 0 2026-10-06T14:20:00Z "forward" "-" "-""#,
            .accessLog
        ),
        // A native export of an adapted webhook event is still native.
        (
            #"{"data":{"raw":{"checkin_event":{},"topic":"mdm.Authenticate"}},"event_id":"x","stream":"e","type":"mdm.authenticated"}"#,
            .native
        ),
    ])
    func firstLinesAreRecognised(line: String, format: InputFormat) {
        #expect(FormatDetector.detect(Array(line.utf8)) == format)
    }

    @Test func blankOrGarbageFirstLinesAreNotGuessed() {
        #expect(FormatDetector.detect(Array("   ".utf8)) == nil)
        #expect(FormatDetector.detect(Array("hello world".utf8)) == nil)
    }
}
