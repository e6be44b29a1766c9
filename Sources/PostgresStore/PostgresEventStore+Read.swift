import EnrollmentDomain
import EventStore
import PostgresNIO

extension PostgresEventStore {
    public func head() async throws -> StoreHead {
        try await transaction(readOnly: true) { [self] connection in try await Self.head(connection, logger: logger) }
    }

    static func head(_ connection: PostgresConnection, logger: Logger) async throws -> StoreHead {
        for try await (position, hash) in try await connection.query(
            "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1", logger: logger
        ).decode((Int64, ByteBuffer).self) {
            return StoreHead(position: position, hash: Array(hash.readableBytesView))
        }
        return StoreHead(position: 0, hash: EventHashing.genesis)
    }

    public func events(after position: Int64, limit: Int) async throws -> [RecordedEvent] {
        try await transaction(readOnly: true) { [self] connection in
            try await PostgresEventRow.fetch(
                """
                SELECT \(unescaped: PostgresEventRow.columns) FROM events WHERE position > \(position)
                ORDER BY position LIMIT \(Int64(max(0, limit)))
                """, on: connection, logger: logger
            ).map(\.recorded)
        }
    }

    public func events(inStream stream: String) async throws -> [RecordedEvent] {
        try await transaction(readOnly: true) { [self] connection in
            try await PostgresEventRow.fetch(
                "SELECT \(unescaped: PostgresEventRow.columns) FROM events WHERE stream = \(PostgresText.encode(stream)) ORDER BY version",
                on: connection, logger: logger
            ).map(\.recorded)
        }
    }
}
