import EnrollmentDomain
import Projections
import TestSupport
import Testing

/// ``EnrollmentQueries/deviceCount(_:)`` counts what ``EnrollmentQueries/devices(_:)`` lists, whatever
/// the filter, ignoring the page it is asked for.
struct DeviceCountTests {
    static var filters: [DeviceFilter] {
        var filters = [
            DeviceFilter(), DeviceFilter(state: .failed), DeviceFilter(state: .enrolled),
            DeviceFilter(stalledFor: 3600), DeviceFilter(stalledFor: 86_400 * 365 * 10),
            DeviceFilter(since: Timestamp(iso8601: "2026-10-02")!, until: Timestamp(iso8601: "2026-10-03")!),
            DeviceFilter(user: "tom"), DeviceFilter(asOf: Timestamp(iso8601: "2026-10-05T23:00:00Z")!),
            DeviceFilter(state: .inProgress, asOf: Timestamp(iso8601: "2026-10-05T23:00:00Z")!),
        ]
        var byReason = DeviceFilter(state: .failed)
        byReason.reason = "devicecapreached"
        var byStep = DeviceFilter()
        byStep.step = .discovery
        byStep.sort = .user
        var byModel = DeviceFilter()
        byModel.model = "iphone16,1"
        byModel.osVersion = "18"
        var paged = DeviceFilter(state: .failed, limit: 1)
        paged.after = try? SampleStore.queries.devices(DeviceFilter(state: .failed, limit: 1)).first?.enrollment
        filters += [byReason, byStep, byModel, paged]
        return filters
    }

    @Test(arguments: filters)
    func theCountIsTheNumberOfEnrollmentsTheListHasWithoutItsPage(_ filter: DeviceFilter) throws {
        var whole = filter
        whole.after = nil
        whole.limit = nil
        let listed = try SampleStore.queries.devices(whole)
        #expect(try SampleStore.queries.deviceCount(filter) == listed.count)
    }

    @Test func theSamplesGiveEachKindOfFilterSomethingToCount() throws {
        let counts = try Self.filters.map { try SampleStore.queries.deviceCount($0) }
        #expect(counts.filter { $0 > 0 }.count >= 10)
        #expect(counts[4] == 0)
    }
}
