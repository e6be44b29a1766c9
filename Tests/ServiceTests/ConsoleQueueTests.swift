import EnrollmentDomain
import Foundation
import Projections
import TestSupport
import Testing

/// The queues page lists what ``EnrollmentQueries/devices(_:)`` answers for its filters, counts what
/// ``EnrollmentQueries/deviceCount(_:)`` counts, and pages by keyset without losing or repeating a row.
struct ConsoleQueueTests {
    /// 130 enrollments that failed at discovery on three days for three reasons and two models, and 7
    /// that are still in progress.
    static func fleet() -> [String] {
        let reasons = ["no_service", "bad_certificate", "timeout"]
        var lines: [String] = []
        for index in 0..<130 {
            let day = 1 + index % 3
            let minute = String(format: "%02d", index % 60)
            lines.append(
                NewEventLine.make(
                    stream: "UE-queue-\(index)", type: "discovery.failed", at: "2026-10-0\(day)T10:\(minute):00Z",
                    user: "user\(index)@contoso.com",
                    data: [
                        "domain": "contoso.com", "user_identifier": "user\(index)@contoso.com",
                        "model_family": index % 2 == 0 ? "iPhone" : "iPad", "reason": reasons[index % 3],
                    ]))
        }
        for index in 0..<7 {
            lines.append(
                NewEventLine.make(
                    stream: "UE-waiting-\(index)", type: "mdm.authenticated", at: "2026-10-02T11:0\(index):00Z",
                    user: "waiting\(index)@contoso.com",
                    data: ["product_name": "iPhone15,2", "enrollment_id": "E-waiting-\(index)"]))
        }
        return lines
    }

    /// The enrollment ids a queue page links to, in order.
    static func enrollments(_ facts: HTMLFacts) -> [String] {
        facts.elements("a").compactMap { $0.attribute("href") }.filter { $0.hasPrefix("/console/enrollments/") }
            .map { String($0.dropFirst("/console/enrollments/".count)) }
    }

    @Test func theFailedQueuePagesByKeysetThroughExactlyWhatTheQueriesListWithTheirCount() async throws {
        try await ConsoleClient.with { console in
            try await console.ingest(Self.fleet())
            let session = try await console.signedIn()
            var filter = DeviceFilter(state: .failed)
            filter.sort = .lastSeen
            let expected = try console.server.queries.devices(filter).map(\.enrollment)
            #expect(expected.count == 130)
            var seen: [String] = []
            var path: String? = "/console/queues?view=failed"
            var pages = 0
            while let next = path, pages < 10 {
                let answer = try await session.get(next)
                #expect(answer.status == 200)
                let facts = try await HTMLFacts(answer.text)
                seen += Self.enrollments(facts)
                #expect(facts.elements(class: "total").isEmpty == false)
                #expect(facts.texts.contains("130"))
                path = facts.elements("a").first { $0.attribute("rel") == "next" }?.attribute("href")
                pages += 1
            }
            #expect(pages == 3)
            #expect(seen == expected)
        }
    }

    @Test func filtersByReasonModelStepAndDayNarrowTheQueueAndItsCount() async throws {
        try await ConsoleClient.with { console in
            try await console.ingest(Self.fleet())
            let session = try await console.signedIn()
            let queries = console.server.queries
            var filter = DeviceFilter(state: .failed)
            filter.reason = "timeout"
            filter.model = "iPad"
            filter.since = Timestamp(iso8601: "2026-10-02T00:00:00Z")
            filter.until = Timestamp(iso8601: "2026-10-04T00:00:00Z")
            filter.sort = .user
            let expected = try queries.devices(filter).map(\.enrollment)
            #expect(expected.count == 21)
            #expect(try queries.deviceCount(filter) == expected.count)
            let answer = try await session.get(
                "/console/queues?view=failed&reason=TIMEOUT&model=ipad&from=2026-10-02&to=2026-10-03&sort=user")
            #expect(answer.status == 200)
            let facts = try await HTMLFacts(answer.text)
            #expect(Self.enrollments(facts) == expected)
            let heading = facts.elements(class: "total")
            #expect(heading.isEmpty == false)
            #expect(facts.texts.contains(String(expected.count)))
            // The form shows the filters it applied, and the choices keep them.
            #expect(facts.elements("input").first { $0.attribute("name") == "reason" }?.attribute("value") == "TIMEOUT")
            #expect(facts.elements("option").first { $0.attribute("value") == "user" }?.attribute("selected") != nil)
        }
    }

    @Test func theStalledQueueUsesItsThresholdAndTheTabsCountEachQueue() async throws {
        try await ConsoleClient.with { console in
            try await console.ingest(Self.fleet())
            let session = try await console.signedIn()
            let facts = try await HTMLFacts(try await session.get("/console/queues?view=stalled&stalled_for=2h").text)
            #expect(Set(Self.enrollments(facts)) == Set((0..<7).map { "UE-waiting-\($0)" }))
            #expect(facts.elements(class: "stalled").count == 7)
            let tabs = facts.elements("a").filter { ($0.attribute("href") ?? "").hasPrefix("/console/queues?view=") }
            #expect(
                tabs.first { $0.attribute("aria-current") == "page" }?.attribute("href")?.contains("stalled") == true)
            // Tabs: stalled 7, failed 130, all 137 (each count in its own badge).
            for count in ["7", "130", "137"] { #expect(facts.texts.contains(count), "\(count)") }
            // The failures by reason link to the failed queue filtered by each.
            let reasonLinks = facts.elements("a").compactMap { $0.attribute("href") }.filter { $0.contains("reason=") }
            #expect(reasonLinks.count == 3)
            #expect(reasonLinks.allSatisfy { $0.contains("view=failed") && $0.contains("stalled_for=2h") })
        }
    }

    @Test func aMalformedFilterIsA400PageNamingIt() async throws {
        try await ConsoleClient.with { console in
            let session = try await console.signedIn()
            for (query, name) in [
                ("state=stuck", "state"), ("stalled_for=soon", "stalled_for"), ("from=2026-13-45", "from"),
                ("view=everything", "view"), ("sort=random", "sort"), ("from=2026-10-05&to=2026-10-01", "to"),
            ] {
                let answer = try await session.get("/console/queues?\(query)")
                #expect(answer.status == 400, "\(query)")
                let text = try await HTMLFacts(answer.text).text
                #expect(text.contains("The filter '\(name)' could not be read"), "\(query): \(text)")
            }
            #expect(try await session.get("/console/queues?after=UE-nobody").status == 400)
        }
    }
}
