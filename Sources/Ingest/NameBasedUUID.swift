import Crypto
import Foundation

/// Name-based UUIDs (RFC 9562 version 5, SHA-1): the same name always gives the same UUID.
///
/// Adapters use them as event ids for records that carry no UUID of their own, so re-ingesting a file
/// yields the same ids and is a no-op:
///
/// ```swift
/// let id = NameBasedUUID.eventID(format: .accessLog, record: Array(line.utf8))
/// ```
public enum NameBasedUUID {
    /// The namespace of ingest event ids: the version 5 UUID of the URL `https://enroll-audit.invalid/ingest`
    /// in the RFC's URL namespace. Never change it: every derived id would change with it.
    public static let ingestNamespace = UUID(uuidString: "e9d7da65-6827-52ef-a548-cda809dd78f6")!

    /// The version 5 UUID of `name` in `namespace`.
    public static func make(namespace: UUID, name: some Sequence<UInt8>) -> UUID {
        var hasher = Insecure.SHA1()
        withUnsafeBytes(of: namespace.uuid) { hasher.update(bufferPointer: $0) }
        hasher.update(data: Array(name))
        var bytes = Array(hasher.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }

    /// The event id of a record without a UUID of its own: the version 5 UUID, in
    /// ``ingestNamespace``, of the format's name, a colon, and the record's exact bytes.
    public static func eventID(format: InputFormat, record: some Sequence<UInt8>) -> UUID {
        make(namespace: ingestNamespace, name: Array("\(format.rawValue):".utf8) + Array(record))
    }
}
