import EnrollmentDomain
import EventStore
import Foundation

/// The pre-parsed record file `sqlite-ceiling` reads: every event of a store, in position order, with
/// the same id, stream, type, times, source, user, payload bytes (the canonical JSON) and hash, so that
/// the C program measures storage and not parsing.
///
/// Layout of one record (little endian): id[16], u16 stream length + bytes, u16 type length + bytes,
/// u32 schema, i64 occurred_at, i64 recorded_at, u16 source length + bytes, i32 user length (-1: none)
/// + bytes, u32 payload length + bytes, hash[32].
enum Records {
    static func write(store path: String, out: String) throws {
        let store = try Measurements.openReadOnly(path)
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        let handle = FileHandle(forWritingAtPath: out)!
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 21)
        var count = 0
        try store.forEachEvent { recorded in
            let event = recorded.event
            withUnsafeBytes(of: event.eventID.uuid) { buffer.append(contentsOf: $0) }
            appendString(event.stream, width: 2, to: &buffer)
            appendString(event.type, width: 2, to: &buffer)
            append(UInt32(event.schema), to: &buffer)
            append(event.occurredAt.milliseconds, to: &buffer)
            append(recorded.recordedAt.milliseconds, to: &buffer)
            appendString(event.source, width: 2, to: &buffer)
            if let user = event.user {
                appendString(user, width: 4, to: &buffer)
            } else {
                append(Int32(-1), to: &buffer)
            }
            let payload = event.canonicalData
            append(UInt32(payload.count), to: &buffer)
            buffer.append(contentsOf: payload)
            buffer.append(contentsOf: recorded.hash)
            count += 1
            if buffer.count >= 1 << 20 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
            return true
        }
        try handle.write(contentsOf: buffer)
        try handle.close()
        Measurements.report(["events": Double(count), "bytes": Double(Measurements.fileSize(out))])
    }

    static func append<T: FixedWidthInteger>(_ value: T, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    static func appendString(_ text: String, width: Int, to buffer: inout [UInt8]) {
        let bytes = Array(text.utf8)
        if width == 2 { append(UInt16(bytes.count), to: &buffer) } else { append(Int32(bytes.count), to: &buffer) }
        buffer.append(contentsOf: bytes)
    }
}
