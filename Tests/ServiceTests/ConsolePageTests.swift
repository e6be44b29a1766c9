import EnrollmentDomain
import Foundation
import Projections
import TestSupport
import Testing

/// The console's search and enrollment pages show what the Projections' queries answer, and values from
/// devices render as text in every context.
struct ConsolePageTests {
    @Test func searchFindsAUPNPrefixInAnyCaseAndAnyIDWithStateStepLastSeenAndStall() async throws {
        try await ConsoleClient.with { console in
            try await console.ingest(try Fixtures.lines("native.ndjson"))
            let session = try await console.signedIn()
            let expected = try console.server.environment.queries.enrollments(matching: "omar.chen@fabrikam.com")
            let status = try #require(expected.first)
            for query in ["OMAR.CH", "omar.chen@fabrikam.com", status.enrollment] {
                let answer = try await session.post("/console/search", [("q", query)])
                #expect(answer.status == 200)
                let facts = try HTMLFacts(answer.text)
                let links = facts.elements("a").compactMap { $0.attribute("href") }
                #expect(links.contains("/console/enrollments/\(status.enrollment)"), "\(query)")
                #expect(facts.elements(class: "state-\(status.state.rawValue)").isEmpty == false)
                #expect(facts.texts.contains(status.step?.title ?? "none"))
                #expect(facts.texts.contains(status.lastSeen.iso8601))
                #expect(facts.elements("input").first { $0.attribute("name") == "q" }?.attribute("value") == query)
            }
            let nothing = try HTMLFacts(try await session.post("/console/search", [("q", "nobody.at.all")]).text)
            #expect(nothing.texts.contains("Nothing matches."))

            let stalled = try console.server.environment.queries.devices(DeviceFilter(stalledFor: 3600))
            let stuck = try #require(stalled.first { $0.user != nil })
            let page = try HTMLFacts(try await session.post("/console/search", [("q", stuck.user ?? "")]).text)
            #expect(page.texts.contains(DurationText.human(stuck.stalledForSeconds ?? 0)))
            #expect(page.elements(class: "stalled").isEmpty == false)
        }
    }

    @Test func theEnrollmentPageShowsTheHeaderTheFailureWithItsHintEveryIDAndTheWholeTimeline() async throws {
        try await ConsoleClient.with { console in
            try await console.ingest(try Fixtures.lines("native.ndjson"))
            let session = try await console.signedIn()
            let queries = console.server.environment.queries
            let status = try #require(try queries.enrollments(matching: "UE-a541bf7110fe").first)
            let entries = try queries.timeline(of: [status])
            let failure = try #require(status.failure)
            let hint = try #require(entries.last { $0.outcome == .failed && $0.hint != nil }?.hint)

            let answer = try await session.get("/console/enrollments/\(status.enrollment)")
            #expect(answer.status == 200)
            let facts = try HTMLFacts(answer.text)
            #expect(facts.elements(class: "state-failed").isEmpty == false)
            #expect(facts.texts.contains(status.step?.title ?? "none"))
            #expect(facts.texts.contains(failure.reason))
            #expect(facts.texts.contains(hint.cause))
            #expect(facts.texts.contains(" \(hint.fix)"))
            for id in status.ids { #expect(facts.texts.contains(id.value), "\(id)") }
            let rows = facts.elements("tr").filter { ($0.attribute("class") ?? "").hasPrefix("outcome-") }
            #expect(rows.map { $0.attribute("class") } == entries.map { "outcome-\($0.outcome.rawValue)" })
            for entry in entries {
                #expect(facts.texts.contains(entry.label))
                #expect(facts.texts.contains(entry.eventID.uuidString.lowercased()))
                if let gap = entry.gapSeconds { #expect(facts.texts.contains(DurationText.human(gap))) }
            }
        }
    }

    /// Script tags, quotes, a `javascript:` URL, control characters and bidirectional overrides.
    static let hostile =
        "\"'><script>alert(1)</script><a href=\"javascript:alert(2)\" onclick=\"x()\">"
        + "\u{1b}[2J\u{7}\u{202e}gnp.exe\u{2066}"

    @Test func hostileUPNsReasonsAndModelsRenderAsTextInEveryContext() async throws {
        try await ConsoleClient.with { console in
            let upn = "evil\(Self.hostile)@contoso.com"
            let lines = [
                NewEventLine.make(
                    stream: "UE-hostile-1", type: "discovery.failed", at: "2026-10-01T10:01:00Z", user: upn,
                    data: [
                        "domain": "contoso.com", "user_identifier": upn, "model_family": "iPhone\(Self.hostile)",
                        "reason": "bad\(Self.hostile)",
                    ]),
                NewEventLine.make(
                    stream: "UE-hostile-1", type: "mdm.authenticated", at: "2026-10-01T10:00:00Z", user: upn,
                    data: ["product_name": "iPhone15,2\(Self.hostile)", "enrollment_id": "E-\(Self.hostile)"]),
            ]
            try await console.ingest(lines)
            let session = try await console.signedIn()
            let results = try await session.post("/console/search", [("q", "evil\"'><script>")])
            let enrollment = try await session.get("/console/enrollments/UE-hostile-1")
            #expect(results.status == 200)
            #expect(enrollment.status == 200)
            for (name, answer) in [("results", results), ("enrollment", enrollment)] {
                let facts = try HTMLFacts(answer.text)
                #expect(facts.elements("script").isEmpty, "\(name)")
                #expect(facts.elements.allSatisfy { $0.attributes.allSatisfy { !$0.name.hasPrefix("on") } }, "\(name)")
                let links = facts.elements("a").compactMap { $0.attribute("href") }
                #expect(links.allSatisfy { $0.hasPrefix("/console") }, "\(name): \(links)")
                // The markup of the data is text of the page: the parser saw it as characters.
                #expect(facts.text.contains("<script>alert(1)</script>"), "\(name)")
                #expect(facts.text.contains("href=\"javascript:alert(2)\""), "\(name)")
                // Controls and overrides are shown as escapes, never sent raw.
                let raw = facts.texts + facts.elements.flatMap { $0.attributes.map(\.value) }
                #expect(
                    raw.allSatisfy { !$0.unicodeScalars.contains { [0x1b, 0x07, 0x202e, 0x2066].contains($0.value) } })
                #expect(facts.text.contains("\\u{202e}gnp.exe\\u{2066}"), "\(name)")
            }
            let enrollmentText = try HTMLFacts(enrollment.text).text
            #expect(enrollmentText.contains("iPhone15,2\"'><script>"), "the model")
            #expect(enrollmentText.contains("bad\"'><script>"), "the reason")
            #expect(enrollmentText.contains("E-\"'><script>"), "an id")
        }
    }
}

/// Native NDJSON event lines for the console's tests.
enum NewEventLine {
    static func make(stream: String, type: String, at time: String, user: String, data: [String: String]) -> String {
        var object: [String: JSONValue] = [
            "event_id": .string(UUID().uuidString.lowercased()), "stream": .string(stream), "type": .string(type),
            "occurred_at": .string(time), "source": .string("test"), "user": .string(user),
        ]
        object["data"] = .object(data.mapValues(JSONValue.string))
        var bytes: [UInt8] = []
        JSONValue.object(object).write(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
