import EnrollmentDomain
import Testing

/// The canonical bytes of `data` (docs/architecture.md, "Canonical bytes"), whether the line's `data` was
/// canonical already (kept as it was read) or not (written again).
struct CanonicalDataTests {
    @Test(arguments: [
        (#"{"b":1,"a":2}"#, #"{"a":2,"b":1}"#),
        (#"{ "a" : [ 1 , 2 ] }"#, #"{"a":[1,2]}"#),
        (#"{"n":1.0,"m":1e2,"z":-0,"y":-0.0}"#, #"{"m":100,"n":1,"y":0,"z":0}"#),
        (#"{"n":12345678901234567890}"#, #"{"n":1.2345678901234567e+19}"#),
        (#"{"n":1.5,"m":1E+20}"#, #"{"m":1e+20,"n":1.5}"#),
        (#"{"s":"\u00e9\/\ud83d\ude00"}"#, #"{"s":"é/😀"}"#),
        (#"{"s":"\b\f\u001F\u0022"}"#, #"{"s":"\u0008\u000c\u001f\""}"#),
        (#"{"s":"\u0008\u000c\u001f\"\\\n\r\t"}"#, #"{"s":"\u0008\u000c\u001f\"\\\n\r\t"}"#),
        (#"{"ab":1,"a":{"é":true,"z":null}}"#, #"{"a":{"z":null,"é":true},"ab":1}"#),
        (#"null"#, #"{}"#),
        // Canonical but for one thing.
        (#"{"s":"a\/b"}"#, #"{"s":"a/b"}"#),
        (#"{"s":"caf\u00e9"}"#, #"{"s":"café"}"#),
        (#"{"s":"\u001F"}"#, #"{"s":"\u001f"}"#),
        (#"{"s":"\u000a"}"#, #"{"s":"\n"}"#),
        (#"{"n":-0}"#, #"{"n":0}"#),
        (#"{"n":2.0}"#, #"{"n":2}"#),
        (#"{"a":{"c":1,"b":2}}"#, #"{"a":{"b":2,"c":1}}"#),
        (#"{"a":[1,{"y":true, "z":false}]}"#, #"{"a":[1,{"y":true,"z":false}]}"#),
    ])
    func dataIsWrittenInCanonicalForm(data: String, canonical: String) throws {
        let event = try NewEvent(ndjsonLine: Array(Self.line(data: data).utf8))
        #expect(String(decoding: event.canonicalData, as: UTF8.self) == canonical)
        #expect(event.canonicalData == JSONValue.object(event.data).canonicalBytes)
    }

    @Test func changingDataAfterReadingWritesItAgain() throws {
        var event = try NewEvent(ndjsonLine: Array(Self.line(data: #"{"a":1}"#).utf8))
        event.data["b"] = .string("x")
        #expect(String(decoding: event.canonicalData, as: UTF8.self) == #"{"a":1,"b":"x"}"#)
        event.data = [:]
        #expect(event.canonicalData == Array("{}".utf8))
    }

    @Test func changingTypeSchemaOrDataAfterReadingValidatesAgain() throws {
        let line = Self.line(data: #"{"profile_name":"BYOD","priority":1}"#, type: "profile.installed")
        let event = try NewEvent(ndjsonLine: Array(line.utf8))
        try event.validateData()
        var badData = event
        badData.data["priority"] = .string("high")
        #expect(throws: EventValidationError.self) { try badData.validateData() }
        var badType = event
        badType.type = "profile.install_failed"
        #expect(throws: EventValidationError.self) { try badType.validateData() }
        var badSchema = event
        badSchema.schema = 2
        #expect(throws: EventValidationError.self) { try badSchema.validateData() }
        #expect(badData != event && badType != event && badSchema != event)
    }

    @Test func eventsReadFromDifferentSpellingsAreEqual() throws {
        let compact = try NewEvent(ndjsonLine: Array(Self.line(data: #"{"a":1,"b":"é"}"#).utf8))
        let spaced = try NewEvent(ndjsonLine: Array(Self.line(data: #"{ "b": "\u00e9", "a": 1 }"#).utf8))
        #expect(compact == spaced)
        #expect(compact.hashValue == spaced.hashValue)
        #expect(Set([compact, spaced]).count == 1)
    }

    static func line(data: String, type: String = "vendor.custom_thing") -> String {
        #"{"event_id":"2ea84ffc-4020-4f8c-bd10-01f7b33e7e3d","stream":"UE-1","type":"\#(type)","#
            + #""occurred_at":"2026-10-01T19:06:12.341Z","source":"test","data":\#(data)}"#
    }
}
