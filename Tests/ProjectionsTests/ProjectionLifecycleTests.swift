import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import Projections
import TestSupport
import Testing

/// Projections added to an existing store catch up when it opens, and rebuild on request.
struct ProjectionLifecycleTests {
    @Test func aStoreWrittenWithoutProjectionsGetsThemWhenOpenedWithThem() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("store.sqlite")
        do {
            let plain = try SQLiteEventStore(path: path)
            try plain.append(try SampleSources.native())
        }
        var configuration = StoreConfiguration()
        configuration.projections = ProjectionSet.all
        let store = try SQLiteEventStore(path: path, configuration: configuration)
        let queries = EnrollmentQueries(store: store)
        #expect(try queries.enrollments(matching: "eva.silva@contoso.com").map(\.state) == [.enrolled])
        let reference = try ProjectedStore()
        try reference.store.append(try SampleSources.native())
        #expect(try queries.devices().count == reference.queries.devices().count)
    }

    @Test func rebuildingOneProjectionRestoresItsTable() throws {
        let projected = try ProjectedStore()
        try projected.store.append(try SampleSources.all())
        let before = try projected.dump()
        #expect(try projected.store.rebuildProjections(named: ["identity"]) > 0)
        #expect(try projected.dump() == before)
        #expect(throws: EventStoreError.self) { try projected.store.rebuildProjections(named: ["no_such"]) }
    }
}
