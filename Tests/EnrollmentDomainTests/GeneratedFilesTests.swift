import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// The committed `Schema/events/*.json` and `docs/events.md` must match the catalogue in code.
/// When this fails, run `make schemas` and commit the result.
struct GeneratedFilesTests {
    @Test(arguments: EventCatalogue.all.map(\.name))
    func theCommittedJSONSchemaMatchesTheCatalogue(type: String) throws {
        let spec = try #require(EventCatalogue.spec(for: type))
        let path = Fixtures.packageRoot.appendingPathComponent("Schema/events/\(type).json").path
        let committed = try String(contentsOfFile: path, encoding: .utf8)
        #expect(committed == spec.jsonSchema.prettyString, "Schema/events/\(type).json drifted: run `make schemas`")
    }

    @Test func noSchemaFileIsLeftForATypeTheCatalogueDropped() throws {
        let directory = Fixtures.packageRoot.appendingPathComponent("Schema/events").path
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
        #expect(Set(files) == Set(EventCatalogue.all.map { "\($0.name).json" }))
    }

    @Test func theEventsReferenceInDocsMatchesTheCatalogue() throws {
        let path = Fixtures.packageRoot.appendingPathComponent("docs/events.md").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix(EventCatalogue.markdownReference), "docs/events.md drifted: run `make schemas`")
    }

    @Test func everySampleLineValidatesAndEveryTypeInTheSamplesIsKnown() throws {
        for line in try Fixtures.lines("native.ndjson") {
            let event = try NewEvent(ndjsonLine: Array(line.utf8))
            #expect(event.isKnownType, "\(event.type)")
        }
    }
}
