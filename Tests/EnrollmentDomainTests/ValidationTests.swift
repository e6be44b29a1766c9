import EnrollmentDomain
import Foundation
import Testing

struct ValidationTests {
    let valid =
        #"{"event_id":"0a63f911-1111-4222-8333-444455556666","stream":"UE-81598a878e2f","type":"profile.installed","occurred_at":"2026-10-01T16:35:20.116Z","source":"enrollment-service","user":"noa@fabrikam.com","data":{"profile_name":"BYOD","priority":1,"enrollment_id":"264d"}}"#

    func validationError(_ line: String) -> EventValidationError? {
        do {
            _ = try NewEvent(ndjsonLine: Array(line.utf8))
            return nil
        } catch {
            return error
        }
    }

    func replacing(_ old: String, _ new: String) -> String {
        valid.replacingOccurrences(of: old, with: new)
    }

    @Test func aValidLineDecodes() throws {
        let event = try NewEvent(ndjsonLine: Array(valid.utf8))
        #expect(event.type == "profile.installed")
        #expect(event.data["priority"] == .int(1))
        #expect(event.schema == 1)
        #expect(event.isKnownType)
    }

    @Test(arguments: [
        (#""event_id":"0a63f911-1111-4222-8333-444455556666","#, "", "event_id", "missing_field"),
        ("0a63f911-1111-4222-8333-444455556666", "not-a-uuid", "event_id", "invalid_field"),
        (#""priority":1"#, #""priority":"high""#, "data.priority", "invalid_field"),
        (#""type":"profile.installed""#, #""type":"Profile Installed""#, "type", "invalid_field"),
        ("2026-10-01T16:35:20.116Z", "1 Oct 2026", "occurred_at", "invalid_field"),
        (#""stream":"UE-81598a878e2f""#, #""stream":42"#, "stream", "invalid_field"),
        (
            #""source":"enrollment-service","#, #""source":"enrollment-service","colour":"red","#, "colour",
            "unknown_field"
        ),
        (
            #""data":{"profile_name":"BYOD","priority":1,"enrollment_id":"264d"}"#, #""data":[]"#, "data",
            "invalid_field"
        ),
    ])
    func badFieldsAreNamed(old: String, new: String, field: String, code: String) throws {
        let error = try #require(validationError(replacing(old, new)))
        #expect(error.field == field)
        #expect(error.code.rawValue == code)
        #expect(error.description.contains(field))
    }

    @Test func aRequiredDataFieldOfAKnownTypeIsEnforced() throws {
        let line = replacing(#""type":"profile.installed""#, #""type":"jit.failed""#)
        let error = try #require(validationError(line))
        #expect(error.field == "data.reason")
        #expect(error.code == .missingField)
    }

    @Test func truncatedJSONIsInvalidJSON() throws {
        let error = try #require(validationError(String(valid.prefix(80))))
        #expect(error.code == .invalidJSON)
    }

    @Test func unknownTypesPassWithAnyData() throws {
        let event = try NewEvent(
            ndjsonLine: Array(replacing(#""type":"profile.installed""#, #""type":"vendor.custom_thing""#).utf8))
        #expect(!event.isKnownType)
    }

    @Test func aSchemaNewerThanTheCatalogueKnowsIsRefused() throws {
        let error = try #require(validationError(replacing(#""source""#, #""schema":9,"source""#)))
        #expect(error.field == "schema")
    }

    @Test func exportFieldsAreAcceptedSoAnExportReingests() throws {
        let line = replacing(
            #""source""#, #""position":3,"version":1,"recorded_at":"2026-10-01T16:35:21.000Z","hash":"ab","source""#)
        #expect(validationError(line) == nil)
    }
}

struct UUIDTextTests {
    @Test func parsesAndFormatsLikeFoundation() {
        for _ in 0..<1_000 {
            let uuid = UUID()
            #expect(UUID(hexString: uuid.uuidString) == uuid)
            #expect(UUID(hexString: uuid.uuidString.lowercased()) == uuid)
            #expect(uuid.lowercasedString == uuid.uuidString.lowercased())
        }
    }

    @Test(arguments: [
        "", "0a63f911-1111-4222-8333-44445555666", "0a63f911x1111-4222-8333-444455556666",
        "0a63f911-1111-4222-8333-44445555666g",
    ])
    func refusesWhatIsNotAUUID(text: String) {
        #expect(UUID(hexString: text) == nil)
    }
}
