import EnrollmentDomain
import EventStore
import Foundation
import PostgresNIO

extension PostgresEventStore {
    @discardableResult
    public func append(_ events: [NewEvent], expectedVersions: [String: Int64]) async throws -> AppendResult {
        for event in events {
            do {
                try event.validateData()
            } catch {
                throw EventStoreError(
                    .invalidEvent, error.description, stream: event.stream, eventID: event.eventID.lowercasedString)
            }
        }
        return try await transaction { [self] connection in
            let batch = try await PositionStep.begin(connection, logger: logger)
            let ids = Array(Set(events.map(\.eventID)))
            var stored: [UUID: PostgresEventRow.Decoded] = [:]
            if !ids.isEmpty {
                for row in try await PostgresEventRow.fetch(
                    "SELECT \(unescaped: PostgresEventRow.columns) FROM events WHERE event_id = ANY(\(ids))",
                    on: connection, logger: logger)
                {
                    stored[row.recorded.event.eventID] = row
                }
            }
            try await batch.loadVersions(Set(events.map(\.stream)).union(expectedVersions.keys))
            for (stream, expected) in expectedVersions {
                try EventStoreError.requireVersion(of: stream, expected: expected, actual: batch.versions[stream] ?? 0)
            }
            var result = AppendResult()
            result.outcomes.reserveCapacity(events.count)
            var appended: [UUID: (event: NewEvent, data: [UInt8], position: Int64)] = [:]
            var recorded: [RecordedEvent] = []
            for event in events {
                let data = event.canonicalData
                if let twin = stored[event.eventID] {
                    let same = twin.recorded.event.hasSameEnvelope(as: event) && twin.data == data
                    result.outcomes.append(try Self.twin(event, same: same, position: twin.recorded.position))
                    continue
                }
                if let twin = appended[event.eventID] {
                    let same = twin.event.hasSameEnvelope(as: event) && twin.data == data
                    result.outcomes.append(try Self.twin(event, same: same, position: twin.position))
                    continue
                }
                let version = (batch.versions[event.stream] ?? 0) + 1
                let position = batch.position + 1
                let recordedAt = Self.now()
                let canonical = EventHashing.canonicalBytes(
                    position: position, version: version, recordedAt: recordedAt, event: event, data: data)
                let hash = EventHashing.chain(previous: batch.hash, canonical: canonical)
                batch.add(event, data: data, version: version, recordedAt: recordedAt, hash: hash)
                recorded.append(
                    RecordedEvent(
                        position: position, version: version, recordedAt: recordedAt, hash: hash, event: event))
                appended[event.eventID] = (event, data, position)
                result.outcomes.append(.appended(position: position))
            }
            try await batch.flush()
            try await applyReadModels(recorded, on: connection)
            return result
        }
    }

    /// The outcome of an event whose id is already stored (or appended earlier in the batch).
    private static func twin(_ event: NewEvent, same: Bool, position: Int64) throws -> AppendOutcome {
        guard same else {
            throw EventStoreError(
                .eventIDConflict, "this event id is already stored with different content",
                stream: event.stream, position: position, eventID: event.eventID.lowercasedString)
        }
        return .duplicate(position: position)
    }

    public func appendVerbatim(_ events: [RecordedEvent]) async throws {
        try await transaction { [self] connection in
            let batch = try await PositionStep.begin(connection, logger: logger)
            try await batch.addVerbatim(events)
            try await applyReadModels(events, on: connection)
        }
    }

    /// Updates the read models with the batch's new events, in its transaction (``PostgresReadModels``).
    func applyReadModels(_ events: [RecordedEvent], on connection: PostgresConnection) async throws {
        projectionQueries += try await PostgresReadModels.apply(events, on: connection, logger: logger)
    }
}
