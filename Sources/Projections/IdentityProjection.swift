import EnrollmentDomain
import EventStore
import GRDB

/// The identity projection: joins every id that names the same enrollment into one set (union-find in
/// `identity_nodes` / `identity_sets`), whose root is the enrollment's canonical id.
///
/// Tables: `identity_nodes(id, root, kinds)`, `identity_sets(root, rank, occurred_at, event_id)`,
/// `identity_user_ids(aad_user_id, upn)`, `identity_userless(aad_user_id, stream, second, joins_failure)`.
/// The rules are those of ``IdentityFacts``; docs/projections.md explains them.
public struct IdentityProjection: InlineProjection {
    public let name = "identity"
    public let version = 1

    public init() {}

    public func reset(_ db: Database) throws {
        for table in IdentityGraph.tables { try db.execute(sql: "DROP TABLE IF EXISTS \(table)") }
        try db.execute(sql: IdentityGraph.schema)
    }

    public func makeWriter(_ db: Database) throws -> any ProjectionWriter {
        Writer(graph: IdentityGraph(db: db))
    }

    /// Applies events to the graph; the graph caches what it reads for the whole transaction.
    final class Writer: ProjectionWriter {
        let graph: IdentityGraph

        init(graph: IdentityGraph) {
            self.graph = graph
        }

        func apply(_ recorded: RecordedEvent) throws {
            let event = recorded.event
            let data = recorded.currentData
            let key = IdentityGraph.RootKey(
                rank: IdentityFacts.secondHandSources.contains(event.source) ? 1 : 0,
                occurredAt: event.occurredAt.milliseconds, eventID: event.eventID.lowercasedString)
            var root = try graph.register(stream: event.stream, key: key)
            let facts = IdentityFacts(event, data: data)
            for link in facts.links {
                root = try graph.link(link.id, kind: link.kind, into: root)
            }
            for joinKey in facts.joinKeys {
                root = try graph.link(joinKey, kind: .joinKey, into: root)
            }
            if let userless = facts.userless {
                try graph.addUserless(
                    aadUserID: userless.aadUserID, stream: event.stream, second: userless.second,
                    joinsFailure: userless.joinsFailure)
                if userless.joinsFailure {
                    for upn in try graph.upns(ofAADUser: userless.aadUserID) {
                        root = try graph.link(
                            IdentityFacts.failureKey(user: upn, second: userless.second), kind: .joinKey, into: root)
                    }
                }
            }
            if let mapping = facts.userMapping, try graph.addUser(aadUserID: mapping.aadUserID, upn: mapping.upn) {
                for waiting in try graph.userlessFailures(ofAADUser: mapping.aadUserID) {
                    guard let waitingRoot = try graph.root(of: waiting.stream) else { continue }
                    _ = try graph.link(
                        IdentityFacts.failureKey(user: mapping.upn, second: waiting.second), kind: .joinKey,
                        into: waitingRoot)
                }
            }
        }

        func finish() throws {}

        func discardCaches() {
            graph.discardCaches()
        }
    }
}
