import EnrollmentDomain
import Foundation
import Testing

struct JSONParserTests {
    @Test func parsesEveryKindOfValueAndWritesCanonicalJSON() throws {
        let value = try JSONParser.parse(
            #" {"b": [1, -2.5, true, null, "x\n\u00e9\ud83d\ude00"], "a": {"z": 1e2, "y": false}} "#)
        #expect(value.canonicalString == #"{"a":{"y":false,"z":100},"b":[1,-2.5,true,null,"x\né😀"]}"#)
    }

    @Test(arguments: [
        #"{"a":1"#, #"{"a":}"#, #"[1,]"#, #"{"a":1}x"#, #""\x""#, "\"a\u{01}\"", #"01"#, #"{"a":1,"a":2}"#,
        #""\ud800""#, "", "nul",
    ])
    func rejectsInvalidJSONWithAnOffset(text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8InStrings() {
        let bytes: [UInt8] = Array(#"{"a":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(bytes) }
    }

    @Test func rejectsNestingDeeperThanTheLimit() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
    }

    @Test func agreesWithFoundationOnTheSamples() throws {
        let text = try String(contentsOfFile: TestSupportPaths.fixture("native.ndjson"), encoding: .utf8)
        for line in text.split(separator: "\n").prefix(200) {
            let ours = try JSONParser.parse(String(line))
            let theirs = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            #expect(ours.objectValue?.keys.sorted() == theirs.keys.sorted())
        }
    }
}
