import EnrollmentDomain
import Foundation
import Projections
import TestSupport
import Testing

/// The enrollment page's hand-on actions: the ticket text, the export download and the live events,
/// which are `/v1/export` and `/v1/events` behind the console's sign-in.
struct ConsoleEnrollmentActionsTests {
    @Test func theTicketTextCarriesTheHeaderTheProblemWithItsFixAndEveryID() async throws {
        try await ConsoleClient.with { console in
            let sample = try await FailedSample(console)
            let (session, status, entries, hint) = (sample.session, sample.status, sample.entries, sample.hint)
            let facts = try await HTMLFacts(try await session.get("/console/enrollments/\(status.enrollment)").text)
            let pre = try #require(facts.elements(class: "ticket-text").first)
            #expect(pre.tag == "pre")
            let ticket = try #require(facts.texts.first { $0.hasPrefix("Enrollment \(status.enrollment)\n") })
            let lines = ticket.split(separator: "\n").map(String.init)
            #expect(lines.contains("State: failed"))
            #expect(lines.contains("Fix: \(hint.fix)"))
            #expect(lines.contains("Cause: \(hint.cause)"))
            for id in status.ids { #expect(ticket.contains("\(id.kind.rawValue) \(id.value)"), "\(id)") }
            let latest = try #require(entries.last)
            #expect(lines.contains { $0.contains(latest.label) })
            // The copy button waits for the script (it is hidden without it).
            let button = try #require(facts.elements(class: "copy-ticket").first)
            #expect(button.attribute("hidden") != nil && button.attribute("type") == "button")
        }
    }

    @Test func theDownloadIsTheEnrollmentsExportAsAFileAndNeedsASession() async throws {
        try await ConsoleClient.with { console in
            try await console.ingest(try Fixtures.lines("native.ndjson"))
            let session = try await console.signedIn()
            let id = "UE-a541bf7110fe"
            let facts = try await HTMLFacts(try await session.get("/console/enrollments/\(id)").text)
            let link = try #require(facts.elements("a").first { $0.attribute("download") != nil })
            #expect(link.attribute("href") == "/console/export?id=\(id)")
            let download = try await session.get("/console/export?id=\(id)")
            let api = try await console.server.request(
                .GET, "/v1/export?id=\(id)", headers: [Headers.bearer(ConsoleClient.readToken)])
            #expect(download.status == 200 && api.status == 200)
            #expect(download.body == api.body)
            let events = try console.server.queries.enrollments(matching: id).first?.events
            #expect(download.text.split(separator: "\n").count == events)
            #expect(download.headers.first(name: "Content-Disposition") == "attachment; filename=\"\(id).ndjson\"")
            #expect(download.headers.first(name: "Content-Type") == "application/x-ndjson")
            #expect(try await console.get("/console/export?id=\(id)").status == 401)
            #expect(try await session.get("/console/export?id=UE-nobody").status == 404)
            #expect(try await session.get("/console/export").status == 400)
        }
    }

    @Test func theLiveEventsAreTheEventStreamFromTheHeadThePageWasReadAt() async throws {
        try await ConsoleClient.with { console in
            try await console.ingest(try Fixtures.lines("native.ndjson"))
            let session = try await console.signedIn()
            let head = try console.server.eventCount()
            let facts = try await HTMLFacts(try await session.get("/console/enrollments/UE-a541bf7110fe").text)
            let article = try #require(facts.elements("article").first)
            #expect(article.attribute("data-events") == "/console/events?after=\(head)")
            #expect(article.attribute("data-streams") == "UE-a541bf7110fe")
            try await console.ingest([
                NewEventLine.make(
                    stream: "UE-a541bf7110fe", type: "discovery.succeeded", at: "2026-10-09T10:00:00Z",
                    user: "live@contoso.com", data: ["domain": "contoso.com", "user_identifier": "live@contoso.com"])
            ])
            let live = try await session.get("/console/events?after=\(head)&follow=false")
            let api = try await console.server.request(
                .GET, "/v1/events?after=\(head)&follow=false", headers: [Headers.bearer(ConsoleClient.readToken)])
            #expect(live.status == 200)
            #expect(live.headers.first(name: "Content-Type") == "text/event-stream")
            #expect(live.body == api.body)
            #expect(live.text.contains("id: \(head + 1)\ndata: {"))
            #expect(live.text.contains("\"stream\":\"UE-a541bf7110fe\""))
            #expect(try await console.get("/console/events?after=0&follow=false").status == 401)
        }
    }
}
