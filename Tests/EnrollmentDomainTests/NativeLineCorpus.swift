import EnrollmentDomain
import TestSupport

/// Native event lines for differential tests of ``NewEvent/init(ndjsonLine:)``: the same inputs on every
/// run, good and bad. The sample fixture (whose keys are not sorted), the fleet simulator's lines (which are
/// canonical), both restyled (spacing, key order, escapes, number spellings, extra `data` members), seeded
/// mutations of all of these, and hand-written edge cases.
enum NativeLineCorpus {
    static func lines() throws -> [[UInt8]] {
        let samples = try Fixtures.lines("native.ndjson").map { Array($0.utf8) }
        var simulated: [[UInt8]] = []
        FleetSimulator(seed: 42, users: 80).forEachAttempt { attempt in
            simulated += attempt.events.map { $0.jsonValue.canonicalBytes }
        }
        var restyler = JSONRestyler(seed: 0x5EED)
        var restyled: [[UInt8]] = []
        for line in samples + simulated {
            guard case .object(var members)? = try? JSONParser.parse(line) else { continue }
            if case .object(var data)? = members["data"], Int.random(in: 0..<4, using: &restyler.generator) == 0 {
                data["extra"] = extraValues.randomElement(using: &restyler.generator)!
                members["data"] = .object(data)
            }
            restyled.append(restyler.write(.object(members)))
        }
        var generator = SeededGenerator(seed: 0xD1FF)
        let mutated = (samples + simulated + restyled).map { Mutations.mutate($0, using: &generator) }
        return samples + simulated + restyled + mutated + edgeCases.map { Array($0.utf8) } + invalidUTF8
    }

    /// Values added to `data` by the restyling: every kind, escapes, numbers that are not canonical.
    static let extraValues: [JSONValue] = [
        .double(1.5), .double(-0.25), .double(1e20), .double(123_456_789.125), .int(-42), .int(.max), .int(.min),
        .string("café / naïve \u{1F600} \"quoted\" back\\slash \u{08}\u{0C}\n\t\u{01}\u{1F}"),
        .string("e\u{301} vs é"), .string(""), .null, .bool(false),
        .array([.int(1), .double(2.5), .string("x"), .array([]), .object([:])]),
        .object(["z": .int(1), "a": .object(["y": .null, "b": .array([.bool(true)])]), "é": .string("\u{7F}")]),
    ]

    /// The envelope around hand-written `data` members.
    static func event(data: String, type: String = "vendor.custom_thing") -> String {
        #"{"data":\#(data),"event_id":"2ea84ffc-4020-4f8c-bd10-01f7b33e7e3d","occurred_at":"2026-10-01T19:06:12.341Z","#
            + #""source":"test","stream":"UE-edge","type":"\#(type)"}"#
    }

    static var edgeCases: [String] { numbers + strings + objects + mdmData + envelopes + nesting }

    static let numbers: [String] = [
        "1.0", "1e2", "-0", "-0.0", "0", "100", "1E+2", "12345678901234567890", "-12345678901234567890",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "999999999999999999",
        "1000000000000000000", "1.5", "0.1", "1e400", "-1e400", "1e-400", "1000000000000000", "999999999999999.0",
        "1e15", "4.35", "5e-324", "01", "1.", ".5", "-", "1e", "+1",
    ].map { event(data: #"{"n":\#($0)}"#) }

    static let strings: [String] = [
        #""\u00e9""#, #""é""#, #""\/""#, #""\ud83d\ude00""#, #""😀""#, #""\u001f""#, #""\u001F""#, #""\b""#,
        #""\u0008""#, #""\f""#, #""\u000c""#, #""\u0022""#, #""\"""#, #""\u005c""#, #""\\""#, #""\n""#,
        #""\u000a""#, #""\t""#, #""\u0009""#, #""\r""#, #""\u0000""#, #""\u007f""#, #""\ud800""#, #""\udc00""#,
        #""\ud800\u0041""#, #""\uZZZZ""#, #""\x""#, "\"\u{01}\"", "\"\u{7F}\"",
    ].map { event(data: #"{"s":\#($0)}"#) }

    static let objects: [String] = [
        #"{}"#, #"{ }"#, #"null"#, #"[]"#, #""text""#, #"1"#, #"{"a":1, "b":2}"#, #"{"b":1,"a":2}"#,
        #"{"a":{"d":1,"c":2}}"#, #"{"a":[1, 2]}"#, #"{"a":1,"a":1}"#, #"{"é":1,"e\u0301":2}"#,
        #"{"a":1,"A":2}"#, #"{"ab":1,"a":2}"#, #"{"a":1,"ab":2}"#, #"{"\u0061":1}"#, #"{"b\n":1,"b":2}"#,
        #"{"a":{"b":{"c":{"d":[[[[true]]]]}}}}"#, "{\"k\":\"v\"}\t", #"{"a":"é","a\u0301":1}"#,
    ].map { event(data: $0) }

    static let mdmData: [String] = [
        #"{"enrollment_id":"abc","topic":"mdm.Authenticate","raw":{"b":1,"a":2}}"#,
        #"{"enrollment_id":"  ","topic":"mdm.Authenticate"}"#, #"{"enrollment_id":"\u2003"}"#,
        #"{"enrollment_id":" x"}"#, #"{"enrollment_id":"x","raw":[]}"#, #"{"enrollment_id":7}"#, #"{}"#,
    ].map { event(data: $0, type: "mdm.authenticated") }

    static let envelopes: [String] = [
        "", " ", "{", "}", "[1]", "null", "\"event\"", "{}", "{} {}", "{\"a\":1}", "\u{FEFF}{}",
        #"{"event_id":"2ea84ffc-4020-4f8c-bd10-01f7b33e7e3d"}"#,
        #"{"event_id":"2EA84FFC-4020-4F8C-BD10-01F7B33E7E3D","stream":"s","type":"x.y","occurred_at":"2026-10-01","source":"t"}"#,
        #"{"event_id":"2ea84ffc-4020-4f8c-bd10-01f7b33e7e3d","stream":"s","type":"x.y","occurred_at":"2026-10-01T19:06:12+02:00","source":"t","schema":1.0,"user":"","correlation_id":null,"data":null}"#,
        #"{"event_id":"2ea84ffc-4020-4f8c-bd10-01f7b33e7e3d","stream":"s","type":"x.y","occurred_at":"2026-10-01T19:06:12Z","source":"t","schema":"1"}"#,
        #"{"event_id":"2ea84ffc-4020-4f8c-bd10-01f7b33e7e3d","stream":"s","type":"x.y","occurred_at":"2026-10-01T19:06:12Z","source":"t","schema":1e0,"data":[]}"#,
        #"{"event_id":"2ea84ffc-4020-4f8c-bd10-01f7b33e7e3d","stream":"s","type":"x.y","occurred_at":"2026-10-01T19:06:12Z","source":"t","position":1,"version":2,"recorded_at":"x","hash":{"a":1},"unknown_type":true}"#,
        #"{"event_id":"2ea84ffc-4020-4f8c-bd10-01f7b33e7e3d","stream":"s","type":"x.y","occurred_at":"2026-10-01T19:06:12Z","source":"t","hash":{"a":1,"a":2}}"#,
        #"{"event_id":"2ea84ffc-4020-4f8c-bd10-01f7b33e7e3d","stream":"s","stream":"t"}"#,
        #"{"event_id":"2ea84ffc-4020-4f8c-bd10-01f7b33e7e3d","str\u0065am":"s","stream":"t"}"#,
        #"{"ev\u0065nt_id":"2ea84ffc-4020-4f8c-bd10-01f7b33e7e3d","stream":"s","type":"x.y","occurred_at":"2026-10-01T19:06:12Z","source":"t"}"#,
        #"{"event_id":"2ea84ffc-4020-4f8c-bd10-01f7b33e7e3d","stream":"s","type":"x.y","occurred_at":"2026-10-01T19:06:12Z","source":"t","extra":1}"#,
        #"{"extra":1,";":2,"\u037e":3}"#, #"{"extra":1,"extra":2}"#, #"{"K":1,"\u212a":2}"#,
        #"{"event_id":"not-a-uuid","stream":"s"}"#, #"{"event_id":12,"stream":"s"}"#,
        #"{"event_id":"2ea84ffc-4020-4f8c-bd10-01f7b33e7e3d","stream":"s\u0001","type":"x.y","occurred_at":"2026-10-01T19:06:12Z","source":"t"}"#,
        #"{"event_id":"2ea84ffc-4020-4f8c-bd10-01f7b33e7e3d","stream":"s","type":"X.y","occurred_at":"2026-10-01T19:06:12Z","source":"t"}"#,
        #"{"event_id":"2ea84ffc-4020-4f8c-bd10-01f7b33e7e3d","stream":"s","type":"authenticator.installed","schema":1,"occurred_at":"2026-10-01T19:06:12Z","source":"t","data":{"app_version":"6.8"}}"#,
        #"{"event_id":"2ea84ffc-4020-4f8c-bd10-01f7b33e7e3d","stream":"s","type":"authenticator.installed","schema":3,"occurred_at":"2026-10-01T19:06:12Z","source":"t","data":{}}"#,
        #"{"event_id":"2ea84ffc-4020-4f8c-bd10-01f7b33e7e3d","stream":"s","type":"identity.linked","occurred_at":"2026-10-01T19:06:12Z","source":"t","data":{"enrollment_id":null}}"#,
    ]

    /// Nesting around the limit of 64: the line itself, and `data` one level down.
    static let nesting: [String] =
        [String(repeating: "[", count: 70) + String(repeating: "]", count: 70)]
        + [62, 63, 64].map { depth in
            event(data: String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        }

    /// Lines with bytes that are not UTF-8, in a value of `data`, in a key of `data` and in an envelope key.
    static var invalidUTF8: [[UInt8]] {
        let badBytes: [[UInt8]] = [[0xC3, 0x28], [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82]]
        let templates: [String] = [event(data: #"{"s":"x@"}"#), event(data: #"{"k@":1}"#), #"{"x@":1}"#]
        var lines: [[UInt8]] = []
        for bad in badBytes {
            for template in templates {
                let parts = template.split(separator: "@", omittingEmptySubsequences: false)
                lines.append(Array(parts[0].utf8) + bad + Array(parts[1].utf8))
            }
        }
        return lines
    }
}
