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
            let expected = try console.server.queries.enrollments(matching: "omar.chen@fabrikam.com")
            let status = try #require(expected.first)
            for query in ["OMAR.CH", "omar.chen@fabrikam.com", status.enrollment] {
                let answer = try await session.post("/console/search", [("q", query)])
                #expect(answer.status == 200)
                let facts = try await HTMLFacts(answer.text)
                let links = facts.elements("a").compactMap { $0.attribute("href") }
                #expect(links.contains("/console/enrollments/\(status.enrollment)"), "\(query)")
                #expect(facts.elements(class: "state-\(status.state.rawValue)").isEmpty == false)
                #expect(facts.texts.contains(status.step?.title ?? "none"))
                #expect(facts.texts.contains(status.lastSeen.iso8601))
                #expect(facts.elements("input").first { $0.attribute("name") == "q" }?.attribute("value") == query)
                // Results come in their table, and "nothing matches" is not said beside them.
                #expect(facts.elements(class: "results").first?.tag == "table", "\(query)")
                #expect(facts.elements("th").count == 7, "\(query)")
                #expect(facts.texts.contains("Nothing matches.") == false, "\(query)")
            }
            let nothing = try await HTMLFacts(try await session.post("/console/search", [("q", "nobody.at.all")]).text)
            #expect(nothing.texts.contains("Nothing matches."))

            let stalled = try console.server.queries.devices(DeviceFilter(stalledFor: 3600))
            let stuck = try #require(stalled.first { $0.user != nil })
            let page = try await HTMLFacts(try await session.post("/console/search", [("q", stuck.user ?? "")]).text)
            #expect(page.texts.contains(DurationText.human(stuck.stalledForSeconds ?? 0)))
            #expect(page.elements(class: "stalled").isEmpty == false)
        }
    }

    @Test func theEnrollmentPageShowsTheHeaderTheFailureWithItsHintEveryIDAndTheWholeTimeline() async throws {
        try await ConsoleClient.with { console in
            let sample = try await FailedSample(console)
            let (session, status, entries, hint) = (sample.session, sample.status, sample.entries, sample.hint)
            let failure = try #require(status.failure)

            let answer = try await session.get("/console/enrollments/\(status.enrollment)")
            #expect(answer.status == 200)
            let facts = try await HTMLFacts(answer.text)
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
            let queue = try await session.get("/console/queues?view=failed")
            let dashboard = try await session.get("/console/dashboard")
            #expect(results.status == 200)
            #expect(enrollment.status == 200)
            let pages = [("results", results), ("enrollment", enrollment), ("queue", queue), ("dashboard", dashboard)]
            for (name, answer) in pages {
                #expect(answer.status == 200, "\(name)")
                let facts = try await HTMLFacts(answer.text)
                #expect(facts.elements("script").map { $0.attribute("src") } == ["/console/console.js"], "\(name)")
                #expect(facts.elements.allSatisfy { $0.attributes.allSatisfy { !$0.name.hasPrefix("on") } }, "\(name)")
                let links = facts.elements("a").compactMap { $0.attribute("href") }
                #expect(links.allSatisfy { $0.hasPrefix("/console") || $0 == "#content" }, "\(name): \(links)")
                // The markup of the data is text of the page: the parser saw it as characters.
                #expect(facts.text.contains("<script>alert(1)</script>"), "\(name)")
                #expect(facts.text.contains("href=\"javascript:alert(2)\""), "\(name)")
                if name == "dashboard" {
                    // The failures chart: the reason as SVG text, inside the <svg>, not as its markup.
                    // Three charts: no enrollment completed, so time to enroll has none.
                    #expect(facts.elements("svg").count == 3)
                    let svg = answer.text.components(separatedBy: "<svg").dropFirst().map {
                        $0.components(separatedBy: "</svg>")[0]
                    }
                    #expect(svg.contains { $0.contains("<text") && $0.contains("bad&quot;&#39;&gt;&lt;script&gt;") })
                }
                // Controls and overrides are shown as escapes, never sent raw.
                let raw = facts.texts + facts.elements.flatMap { $0.attributes.map(\.value) }
                #expect(
                    raw.allSatisfy { !$0.unicodeScalars.contains { [0x1b, 0x07, 0x202e, 0x2066].contains($0.value) } })
                #expect(facts.text.contains("\\u{202e}gnp.exe\\u{2066}"), "\(name)")
            }
            let enrollmentText = try await HTMLFacts(enrollment.text).text
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
