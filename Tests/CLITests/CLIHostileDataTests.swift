import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// Values written by devices and strangers on the internet never reach a terminal or a spreadsheet raw.
struct CLIHostileDataTests {
    let directory = TemporaryDirectory()

    /// Control sequences of several kinds, as a device or a web client could send them.
    static let hostile: [(name: String, value: String, shown: String)] = [
        ("clear screen", "\u{1B}[2J\u{1B}[H", "\\u{1b}[2J\\u{1b}[H"),
        ("OSC title", "\u{1B}]0;owned\u{07}", "\\u{1b}]0;owned\\u{7}"),
        ("carriage return", "iPhone\rFAKE", "iPhone\\u{d}FAKE"),
        ("backspaces", "ab\u{08}\u{08}cd", "ab\\u{8}\\u{8}cd"),
        ("NUL", "nul\u{0}byte", "nul\\u{0}byte"),
        ("newline and tab", "two\nlines\tx", "two\\u{a}lines\\u{9}x"),
        ("right-to-left override", "\u{202E}gnp.exe", "\\u{202e}gnp.exe"),
        ("bidi isolate", "\u{2066}iso\u{2069}", "\\u{2066}iso\\u{2069}"),
        ("C1 CSI", "c1\u{9B}31m", "c1\\u{9b}31m"),
        ("DEL", "del\u{7F}", "del\\u{7f}"),
        ("zero-width space", "zero\u{200B}width", "zero\\u{200b}width"),
    ]

    /// One enrollment per hostile value: the value is the model, OS version, user and failure reason.
    func hostileStore() throws -> String {
        var lines: [String] = []
        for (index, entry) in Self.hostile.enumerated() {
            let stream = "UE-hostile-\(index)"
            let user = "u\(index)\(entry.value)@contoso.com"
            func event(_ type: String, _ second: Int, _ data: [String: JSONValue]) -> String {
                JSONValue.object([
                    "event_id": .string(UUID().uuidString.lowercased()), "stream": .string(stream),
                    "type": .string(type), "occurred_at": .string("2026-10-01T10:00:0\(second)Z"),
                    "source": .string("nanomdm"), "user": .string(user), "data": .object(data),
                ]).canonicalString
            }
            lines.append(
                event(
                    "mdm.authenticated", 1,
                    [
                        "enrollment_id": .string("E-\(index)"), "product_name": .string(entry.value),
                        "os_version": .string(entry.value),
                    ]))
            lines.append(
                event(
                    "discovery.failed", 2,
                    [
                        "domain": .string("contoso.com"), "user_identifier": .string(user),
                        "http_status": .int(200), "reason": .string(entry.value),
                    ]))
        }
        return try ingest(lines, as: "hostile")
    }

    /// A store holding `lines` (native NDJSON), ingested through the binary.
    func ingest(_ lines: [String], as name: String) throws -> String {
        try directory.ingestedStore(lines, name: name)
    }

    /// Whether `text` holds a character a terminal acts on (beyond the line ends of the output itself).
    static func hasRawControls(_ text: String) -> Bool {
        text.unicodeScalars.contains { scalar in
            let value = scalar.value
            return (value < 0x20 && value != 0x0A) || (0x7F...0x9F).contains(value)
                || scalar.properties.generalCategory == .format
        }
    }

    @Test func humanOutputsShowEveryControlCharacterEscaped() throws {
        let store = try hostileStore()
        let commands: [[String]] =
            [["devices"], ["stats"], ["devices", "--state", "failed"]]
            + Self.hostile.indices.flatMap { [["show", "UE-hostile-\($0)"], ["timeline", "UE-hostile-\($0)"]] }
        var shownSomewhere: Set<String> = []
        for command in commands {
            let result = try CommandLineTool.run(command + ["--store", store])
            #expect(!Self.hasRawControls(result.stdout), "\(command): \(result.stdout.debugDescription)")
            #expect(!Self.hasRawControls(result.stderr), "\(command)")
            for entry in Self.hostile where result.stdout.contains(entry.shown) { shownSomewhere.insert(entry.name) }
        }
        #expect(shownSomewhere == Set(Self.hostile.map(\.name)), "each value is shown, escaped")
    }

    @Test func machineFormatsKeepTheExactValues() throws {
        let store = try hostileStore()
        let result = try CommandLineTool.run(["devices", "--format", "json", "--store", store])
        let models = Set(try Parsed.array(result.stdout).compactMap { $0.objectValue?["model"]?.stringValue })
        // The read models keep a NUL too (stored as the UTF-8 bytes of the value: SQLText).
        #expect(models == Set(Self.hostile.map(\.value)))
        let ndjson = try CommandLineTool.run(["tail", "--store", store])
        let reasons = try Parsed.lines(ndjson.stdout).compactMap {
            $0.objectValue?["data"]?.objectValue?["reason"]?.stringValue
        }
        #expect(Set(reasons) == Set(Self.hostile.map(\.value)))
    }

    @Test func aNULInADeviceValueSurvivesIntoTheReadModelsAndBackWhole() throws {
        // Two enrollments whose enrollment ids differ only after a NUL: two enrollments, not one merged
        // (SQLite's text binding used to cut both at the NUL, into one identity node).
        func event(_ stream: String, _ id: String, model: String) -> String {
            JSONValue.object([
                "event_id": .string(UUID().uuidString.lowercased()), "stream": .string(stream),
                "type": .string("mdm.authenticated"), "occurred_at": .string("2026-10-01T10:00:01Z"),
                "source": .string("nanomdm"), "user": .string("joe@contoso.com"),
                "data": .object(["enrollment_id": .string(id), "product_name": .string(model)]),
            ]).canonicalString
        }
        let store = try ingest(
            [event("UE-nul-a", "E-77\u{0}A", model: "Mac\u{0}Pro"), event("UE-nul-b", "E-77", model: "Mac")],
            as: "nul")
        let devices = try Parsed.array(
            try CommandLineTool.run(["devices", "--format", "json", "--store", store]).stdout)
        #expect(devices.count == 2)
        #expect(Set(devices.compactMap { $0.objectValue?["model"]?.stringValue }) == ["Mac\u{0}Pro", "Mac"])
        let shown = try CommandLineTool.run(["show", "UE-nul-a", "--format", "json", "--store", store])
        #expect(shown.status == 0, "\(shown.stderr)")
        let ids = try Parsed.array(shown.stdout).first?.objectValue?["ids"]?.arrayValue ?? []
        #expect(ids.contains { $0.stringValue == "E-77\u{0}A" }, "\(shown.stdout)")
        #expect(!ids.contains { $0.stringValue == "E-77" })
        let text = try CommandLineTool.run(["show", "UE-nul-a", "--store", store])
        #expect(text.stdout.contains("Mac\\u{0}Pro"), "\(text.stdout)")
        #expect(!Self.hasRawControls(text.stdout))
        // verify --projections rebuilds the same whole values.
        let verify = try CommandLineTool.run(["verify", "--projections", "--store", store])
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    @Test func anErrorQuotingAHostileArgumentShowsItEscaped() throws {
        let store = try hostileStore()
        for entry in Self.hostile where !entry.value.contains("\u{0}") {
            let result = try CommandLineTool.run(["show", "nobody\(entry.value)", "--store", store])
            #expect(result.status == 3)
            #expect(result.stderr == "error: no enrollment is known by 'nobody\(entry.shown)'\n", "\(entry.name)")
        }
    }

    /// Cell values a spreadsheet would evaluate, as OWASP lists them.
    static let formulas = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]

    func formulaStore() throws -> String {
        var lines: [String] = []
        for (index, formula) in Self.formulas.enumerated() {
            let user = "\(formula)@contoso.com"
            lines.append(
                JSONValue.object([
                    "event_id": .string(UUID().uuidString.lowercased()),
                    "stream": .string(index < 4 ? formula : "UE-\(index)"),
                    "type": .string("discovery.failed"), "occurred_at": .string("2026-10-01T10:00:00Z"),
                    "source": .string("access-log"), "user": .string(user),
                    "data": .object([
                        "domain": .string("contoso.com"), "user_identifier": .string(user),
                        "http_status": .int(404), "reason": .string(formula),
                    ]),
                ]).canonicalString)
        }
        return try ingest(lines, as: "formulas")
    }

    @Test(arguments: [
        (["devices", "--format", "csv"], "user"), (["export", "--format", "csv"], "user"),
        (["devices", "--format", "csv"], "failure_reason"), (["export", "--format", "csv"], "stream"),
        (["timeline", "+SUM(1,2)", "--format", "csv"], "stream"),
        (["show", "@SUM(A1)", "--format", "csv"], "enrollment"),
    ])
    func csvCellsThatASpreadsheetWouldEvaluateAreNeutralised(_ command: [String], column: String) throws {
        let store = try formulaStore()
        let result = try CommandLineTool.run(command + ["--store", store])
        #expect(result.status == 0, "\(result.stderr)")
        let cells = try Parsed.csv(result.stdout).rows.compactMap { $0[column] }
        #expect(!cells.isEmpty)
        #expect(cells.contains { $0.hasPrefix("'") }, "\(command) \(column)")
        for cell in cells {
            let first = cell.unicodeScalars.first.map { Character($0) }
            #expect(!["=", "+", "-", "@", "\t", "\r"].contains(first), "\(cell.debugDescription)")
        }
        let neutralised = Set(cells.filter { $0.hasPrefix("'") }.map { String($0.dropFirst()) })
        if column == "user" { #expect(neutralised == Set(Self.formulas.map { "\($0)@contoso.com" })) }
        let raw = try CommandLineTool.run(command + ["--store", store, "--raw-csv"])
        let rawCells = Set(try Parsed.csv(raw.stdout).rows.compactMap { $0[column] })
        if column == "user" { #expect(rawCells == Set(Self.formulas.map { "\($0)@contoso.com" }), "--raw-csv: exact") }
    }
}
