import EnrollmentDomain
import GRDB

/// The writers of a set of projections inside one write transaction, and their checkpoints.
struct ProjectionWriters {
    private let projections: [any InlineProjection]
    private let writers: [any ProjectionWriter]

    init(_ projections: [any InlineProjection], _ db: Database) throws {
        self.projections = projections
        writers = try projections.map { try $0.makeWriter(db) }
    }

    var isEmpty: Bool { writers.isEmpty }

    func apply(_ event: RecordedEvent) throws {
        for writer in writers { try writer.apply(event) }
    }

    func safePoint() throws {
        for writer in writers { try writer.safePoint() }
    }

    func discardCaches() {
        for writer in writers { writer.discardCaches() }
    }

    /// Lets each writer finish its deferred work and records each projection's checkpoint at `position`.
    func finish(_ db: Database, position: Int64) throws {
        let checkpoint = try db.cachedStatement(
            sql: """
                INSERT INTO projection_checkpoints(name, version, position) VALUES (?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET version = excluded.version, position = excluded.position
                """)
        for (projection, writer) in zip(projections, writers) {
            try writer.finish()
            try checkpoint.execute(arguments: [projection.name, projection.version, position])
        }
    }
}
