import EnrollmentDomain
import Testing

struct UpcastTests {
    @Test func authenticatorInstalledV1RenamesAppVersionToVersion() throws {
        let upcast = EventCatalogue.upcast(
            type: "authenticator.installed", schema: 1,
            data: ["bundle_id": .string("com.microsoft.azureauthenticator"), "app_version": .string("6.8.17")])
        #expect(upcast.schema == 2)
        #expect(
            upcast.data == ["bundle_id": .string("com.microsoft.azureauthenticator"), "version": .string("6.8.17")])
    }

    @Test func currentAndUnknownVersionsAreLeftAlone() {
        let data: [String: JSONValue] = ["version": .string("6.8.17")]
        #expect(EventCatalogue.upcast(type: "authenticator.installed", schema: 2, data: data).data == data)
        #expect(EventCatalogue.upcast(type: "vendor.thing", schema: 1, data: data).schema == 1)
    }

    @Test func aV1EventIsValidatedAfterUpcastingAndStoredAsSent() throws {
        let line =
            #"{"event_id":"0a63f911-1111-4222-8333-444455556666","stream":"UE-1","type":"authenticator.installed","schema":1,"occurred_at":"2026-10-01T16:35:20Z","source":"intune","data":{"app_version":"6.8.17"}}"#
        let event = try NewEvent(ndjsonLine: Array(line.utf8))
        #expect(event.schema == 1)
        #expect(event.data["app_version"] == .string("6.8.17"))
        let recorded = RecordedEvent(position: 1, version: 1, recordedAt: event.occurredAt, hash: [], event: event)
        #expect(recorded.currentData["version"] == .string("6.8.17"))
    }

    @Test func everyCatalogueTypeHasOneUpcasterPerVersionStep() {
        for spec in EventCatalogue.all {
            #expect(spec.upcasters.count == spec.version - 1, "\(spec.name)")
        }
    }
}
