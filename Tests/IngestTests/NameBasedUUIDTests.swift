import Foundation
import Ingest
import Testing

struct NameBasedUUIDTests {
    @Test func itMatchesTheRFCsVersion5() {
        // uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") in Python's standard library.
        let dns = UUID(uuidString: "6ba7b810-9dad-11d1-80b4-00c04fd430c8")!
        #expect(
            NameBasedUUID.make(namespace: dns, name: Array("python.org".utf8))
                == UUID(uuidString: "886313e1-3b8a-5372-9b90-0c9aee199e5d"))
        // The ingest namespace is itself the version 5 UUID of its URL.
        let url = UUID(uuidString: "6ba7b811-9dad-11d1-80b4-00c04fd430c8")!
        #expect(
            NameBasedUUID.make(namespace: url, name: Array("https://enroll-audit.invalid/ingest".utf8))
                == NameBasedUUID.ingestNamespace)
    }

    @Test func eventIDsDependOnTheFormatAndEveryByte() {
        let record = Array("a record".utf8)
        let id = NameBasedUUID.eventID(format: .accessLog, record: record)
        #expect(id == NameBasedUUID.eventID(format: .accessLog, record: record))
        #expect(id != NameBasedUUID.eventID(format: .nanomdm, record: record))
        #expect(id != NameBasedUUID.eventID(format: .accessLog, record: record + [0x20]))
        #expect(id.uuidString.dropFirst(14).first == "5")
    }
}
