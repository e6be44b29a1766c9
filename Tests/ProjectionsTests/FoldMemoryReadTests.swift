import EnrollmentDomain
import EventStore
import Projections
import TestSupport
import Testing

/// What the `device_status` fold reads of the stored tables, counted: a wrapper of the dictionaries.
final class CountingStatusReader: DeviceStatusStateReading {
    let tables: MemoryProjectionTables
    /// Reads of the identity sets (`root(of:)`, `streams(ofRoot:)`) and of stored `device_status` rows.
    var identityReads = 0
    var rowReads = 0

    init(_ tables: MemoryProjectionTables) { self.tables = tables }

    func root(of stream: String) throws -> String? {
        identityReads += 1
        return try tables.root(of: stream)
    }
    func streams(ofRoot root: String) throws -> [String] {
        identityReads += 1
        return try tables.streams(ofRoot: root)
    }
    func userlessStreams(ofAADUser aadUserID: String) throws -> [String] {
        try tables.userlessStreams(ofAADUser: aadUserID)
    }
    func upn(ofAADUser aadUserID: String) throws -> String? { try tables.upn(ofAADUser: aadUserID) }
    func rows(_ enrollments: [String]) throws -> [DeviceStatusRow] {
        rowReads += enrollments.count
        return try tables.rows(enrollments)
    }
    func events(inStreams streams: [String]) throws -> [RecordedEvent] { try tables.events(inStreams: streams) }
}

/// A load into empty tables: the `device_status` fold takes the identity sets from the identity fold's
/// memory and skips the stored rows it never wrote, and the tables are the very ones the SQLite store gives.
struct FoldMemoryReadTests {
    @Test(arguments: [(1, 100_000), (7, 100_000), (10_000, 100_000), (7, 50), (10_000, 50)])
    func aLoadIntoEmptyTablesReadsTheIdentitySetsFromMemoryAndGivesTheSameTables(
        interval: Int, identityCacheLimit: Int
    ) throws {
        let (projected, recorded) = try ProjectionApplierTests.sampleFleet(seed: 12)
        let tables = MemoryProjectionTables()
        let reader = CountingStatusReader(tables)
        let identity = IdentityFold(reader: tables.identity, tablesAreEmpty: true, cacheLimit: identityCacheLimit)
        let status = DeviceStatusFold(
            reader: reader, flushInterval: Int64(interval), identity: identity, tableIsEmpty: true)
        try ProjectionApplierTests.fold(recorded, into: tables, identity: identity, status: status)

        #expect(tables.identity.dump == (try ProjectionApplierTests.identityDump(projected.store)))
        #expect(tables.deviceStatusValues == (try ProjectionApplierTests.deviceStatusValues(projected.store)))
        #expect(tables.aggregate == (try FleetStatsAggregateTests.aggregate(projected.store)))
        let underBound = tables.identity.nodes.count < identityCacheLimit
        if underBound {
            // The identity fold never reached its bound, so never forgot: no set was read from the tables.
            #expect(reader.identityReads == 0)
        }
        // One drain at the end (no fold asked for more): no row was written before it, so none is read
        // back. A drain after every event reads back the row of each enrollment's earlier events.
        if interval > recorded.count && underBound { #expect(reader.rowReads == 0) }
        if interval == 1 { #expect(reader.rowReads > 0) }
    }
}
