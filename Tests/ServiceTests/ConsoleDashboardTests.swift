import EnrollmentDomain
import Foundation
import Projections
import TestSupport
import Testing

/// The fleet dashboard draws ``EnrollmentQueries/stats(_:)``: each chart an inline SVG labelled by its
/// `<title>` and `<desc>`, with the same numbers in a table.
struct ConsoleDashboardTests {
    /// The rows of the table of the chart `id`: the row head, then the cells.
    static func table(_ page: String, chart id: String) async throws -> [[String]] {
        guard let start = page.range(of: "<figure class=\"chart\" aria-labelledby=\"\(id)-caption\">"),
            let end = page.range(of: "</figure>", range: start.upperBound..<page.endIndex)
        else { throw TestFailure("no chart \(id)") }
        let figure = String(page[start.lowerBound..<end.upperBound])
        guard let body = figure.range(of: "<tbody>"), let bodyEnd = figure.range(of: "</tbody>") else { return [] }
        var rows: [[String]] = []
        for row in figure[body.upperBound..<bodyEnd.lowerBound].components(separatedBy: "</tr>") {
            let facts = try await HTMLFacts(row)
            let cells = facts.texts.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            if !cells.isEmpty { rows.append(cells) }
        }
        return rows
    }

    @Test func eachChartIsLabelledSVGWithTheNumbersOfTheFleetStatisticsInATable() async throws {
        try await ConsoleClient.with { console in
            try await console.ingest(try Fixtures.lines("native.ndjson") + ConsoleQueueTests.fleet())
            let session = try await console.signedIn()
            let stats = try console.server.queries.stats(StatsQuery(byDay: true))
            let answer = try await session.get("/console/dashboard")
            #expect(answer.status == 200)
            let page = answer.text
            let facts = try await HTMLFacts(page)
            let svgs = facts.elements("svg")
            #expect(svgs.count == 4)
            for svg in svgs {
                #expect(svg.attribute("role") == "img")
                let labels = (svg.attribute("aria-labelledby") ?? "").split(separator: " ").map(String.init)
                #expect(labels.count == 2)
                for label in labels { #expect(facts.elements.contains { $0.attribute("id") == label }, "\(label)") }
            }
            #expect(facts.elements("title").count >= 4 && facts.elements("desc").count == 4)
            let total = stats.total

            let funnel = try await Self.table(page, chart: "funnel")
            #expect(funnel.map { $0[0] } == total.funnel.map(\.step.title))
            #expect(
                funnel.map { $0[1].split(separator: " ").first.map(String.init) } == total.funnel.map { "\($0.count)" })

            let failures = try await Self.table(page, chart: "failures")
            #expect(failures.map { $0[1] } == total.failures.prefix(15).map { "\($0.count)" })
            #expect(failures.map { $0[0] } == total.failures.prefix(15).map { "\($0.reason) (\($0.step.title))" })

            let days = try await Self.table(page, chart: "states-per-day")
            #expect(days.map { $0[0] } == stats.days.map(\.day))
            for (row, day) in zip(days, stats.days) {
                let counts = EnrollmentState.allCases.map { state in
                    "\(day.summary.states.first { $0.state == state }?.count ?? 0)"
                }
                #expect(Array(row.dropFirst()) == counts + ["\(day.summary.enrollments)"], "\(day.day)")
            }

            let times = try await Self.table(page, chart: "time-to-enroll")
            let percentiles = try #require(total.timeToEnroll)
            #expect(
                times == [
                    ["p50", DurationText.human(percentiles.p50)], ["p90", DurationText.human(percentiles.p90)],
                    ["p99", DurationText.human(percentiles.p99)],
                ])
            // Every bar has its value as its tooltip, and the marks are drawn with classes, not styles.
            #expect(facts.elements("rect").count >= total.funnel.count + failures.count + 3)
            #expect(facts.elements("rect").allSatisfy { ($0.attribute("class") ?? "").hasPrefix("series-") })
        }
    }

    @Test func theDaysOfTheDashboardAreThoseOfItsRange() async throws {
        try await ConsoleClient.with { console in
            try await console.ingest(ConsoleQueueTests.fleet())
            let session = try await console.signedIn()
            let page = try await session.get("/console/dashboard?from=2026-10-02&to=2026-10-02").text
            let days = try await Self.table(page, chart: "states-per-day")
            #expect(days.map { $0[0] } == ["2026-10-02"])
            let expected = try console.server.queries.deviceCount(
                DeviceFilter(
                    since: Timestamp(iso8601: "2026-10-02T00:00:00Z"), until: Timestamp(iso8601: "2026-10-03T00:00:00Z")
                ))
            #expect(days.first?.last == "\(expected)")
            #expect(try await session.get("/console/dashboard?from=yesterday").status == 400)
        }
    }
}
