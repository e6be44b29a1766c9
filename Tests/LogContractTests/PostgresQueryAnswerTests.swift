import EnrollmentDomain
import EventStore
import Logging
import PostgresStore
import Projections
import TestSupport
import Testing

/// ``EnrollmentQueries`` (SQLite) and ``PostgresEnrollmentQueries`` through ``EnrollmentReadModel``, on the
/// same log and read-model rows (``PostgresQueryTests/stores()``): the same answers to every question, the
/// PostgreSQL device lists read in pages of 3 rows so that keysets, limits and point-in-time folds cross
/// page boundaries.
@Suite(.enabled(if: LogBackend.available.contains(.postgres)))
struct PostgresQueryAnswerTests {
    let tests = PostgresQueryTests()

    @Test func bothBackendsGiveTheSameAnswersToEveryQuestionOfTheReadModel() async throws {
        let (file, postgres) = try await tests.stores()
        var configuration = StoreConfiguration()
        configuration.readOnly = true
        configuration.projections = ProjectionSet.all
        let sqlite: any EnrollmentReadModel = EnrollmentQueries(
            store: try SQLiteEventStore.opening(path: file, configuration: configuration))
        let store = try await PostgresEventStore.open(try PostgresLocation(postgres), migrate: false)
        let pg: any EnrollmentReadModel = PostgresEnrollmentQueries(store: store, pageSize: 3)
        do {
            try await compare(sqlite, pg)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    private func compare(_ sqlite: any EnrollmentReadModel, _ pg: any EnrollmentReadModel) async throws {
        let monday = try #require(Timestamp(iso8601: "2026-10-05T00:00:00Z"))
        let later = try #require(Timestamp(iso8601: "2027-01-01T00:00:00Z"))
        var filters: [DeviceFilter] = [
            DeviceFilter(asOf: later), DeviceFilter(stalledFor: 7200, asOf: monday),
            DeviceFilter(state: .failed, asOf: monday), DeviceFilter(user: "tom", asOf: later),
            DeviceFilter(state: .enrolled, asOf: later, since: monday),
        ]
        for sort in DeviceSort.allCases {
            var filter = DeviceFilter(asOf: later)
            filter.sort = sort
            filters.append(filter)
            filter.asOf = monday
            filters.append(filter)
        }
        var listed = 0
        for filter in filters {
            let all = try await sqlite.devices(filter)
            #expect(try await pg.devices(filter) == all, "\(filter)")
            #expect(try await pg.deviceCount(filter) == sqlite.deviceCount(filter), "\(filter)")
            listed += all.count
            // Keyset pages of 4 walk the same list on both.
            var page = filter
            page.limit = 4
            var walked: [DeviceStatus] = []
            while true {
                let next = try await pg.devices(page)
                #expect(try await sqlite.devices(page) == next, "\(page)")
                walked += next
                guard next.count == 4, let last = next.last else { break }
                page.after = last.enrollment
            }
            #expect(walked == all, "\(filter)")
        }
        #expect(listed > 100)
        let everyone = try await sqlite.devices(DeviceFilter(asOf: later))
        for status in everyone {
            for id in [status.enrollment, status.user ?? "", status.ids.last?.value.uppercased() ?? ""] {
                // Now (no `asOf`): the same enrollments (their stall is measured from two clocks a moment apart).
                #expect(
                    try await pg.enrollments(matching: id, asOf: nil).map(\.enrollment)
                        == sqlite.enrollments(matching: id, asOf: nil).map(\.enrollment), "\(id)")
                for asOf in [later, monday] {
                    let statuses = try await sqlite.enrollments(matching: id, asOf: asOf)
                    #expect(try await pg.enrollments(matching: id, asOf: asOf) == statuses, "\(id) \(asOf)")
                    #expect(
                        try await pg.timeline(of: statuses, asOf: asOf) == sqlite.timeline(of: statuses, asOf: asOf),
                        "\(id)")
                    let events = try await sqlite.events(of: statuses)
                    #expect(try await pg.events(of: statuses) == events, "\(id)")
                    #expect(events.map(\.position) == events.map(\.position).sorted(), "in position order")
                    #expect(Set(events.map(\.position)).count == events.count, "each event once")
                }
            }
        }
        #expect(try await pg.enrollments(matching: "nobody@contoso.com", asOf: nil).isEmpty)
        for query in [
            StatsQuery(), StatsQuery(byDay: true), StatsQuery(since: monday, byDay: true),
            StatsQuery(
                since: Timestamp(iso8601: "2026-10-01T12:00:00Z"), until: Timestamp(iso8601: "2026-10-05T06:00:00Z"),
                byDay: true),
        ] {
            let stats = try await sqlite.stats(query)
            #expect(stats.total.enrollments > 0)
            #expect(try await pg.stats(query) == stats, "\(query)")
        }
        for asOf in [monday, later] {
            #expect(try await pg.stalledCount(asOf: asOf) == sqlite.stalledCount(asOf: asOf))
        }
        await #expect(throws: DeviceQueryError.self) {
            var filter = DeviceFilter()
            filter.after = "UE-nothing-here"
            _ = try await pg.devices(filter)
        }
    }
}
