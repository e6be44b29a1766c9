import GRDB

/// Ids joined into one enrollment that should have stayed apart: the identity rules put them together
/// (a link fact, a "same second" key), but they name two devices or two attempts. The join is kept —
/// the rules stay a pure function of the set of events — and flagged, so support does not read two
/// histories as one.
public struct IdentityConflict: Sendable, Hashable, Codable {
    /// What collided.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Two different MDM `EnrollmentID`s: two devices (or two enrollments of one) in one set, e.g. a
        /// CheckOut from another device whose `url_params` carry this attempt's id.
        case enrollmentIDs = "enrollment_ids"
        /// Two attempt streams that each report their own service discovery first-hand, e.g. two attempts
        /// whose `discovery.failed` fall in the same second.
        case attempts
    }

    public var kind: Kind
    /// The colliding ids, sorted.
    public var ids: [String]

    public init(kind: Kind, ids: [String]) {
        self.kind = kind
        self.ids = ids
    }

    /// The sources whose discovery events restate another source's (not an attempt of their own).
    static let secondHandSQL = IdentityFacts.secondHandSources.sorted().map { "'\($0)'" }.joined(separator: ", ")

    /// The conflicts of an enrollment known by `ids`.
    static func find(in ids: [EnrollmentIdentifier], _ db: Database) throws -> [IdentityConflict] {
        var conflicts: [IdentityConflict] = []
        let enrollmentIDs = Set(ids.filter { $0.kind == .enrollmentID }.map(\.value)).sorted()
        if enrollmentIDs.count > 1 { conflicts.append(IdentityConflict(kind: .enrollmentIDs, ids: enrollmentIDs)) }
        let streams = Array(Set(ids.filter { $0.kind == .stream }.map(\.value)))
        if streams.count > 1 {
            let marks = Array(repeating: "?", count: streams.count).joined(separator: ",")
            let attempts = try String.fetchAll(
                db,
                sql: """
                    SELECT s.name FROM streams s WHERE s.name IN (\(marks)) AND EXISTS (
                        SELECT 1 FROM events e WHERE e.stream_id = s.id AND e.type LIKE 'discovery.%'
                        AND e.source NOT IN (\(secondHandSQL)))
                    ORDER BY s.name
                    """, arguments: StatementArguments(streams))
            if attempts.count > 1 { conflicts.append(IdentityConflict(kind: .attempts, ids: attempts)) }
        }
        return conflicts
    }

    /// The SQL condition on `device_status.enrollment` that keeps the conflicted enrollments
    /// (`devices --conflicted`): it reads the identity nodes, and the discovery events of their streams.
    static let conflictedCondition = """
        enrollment IN (
            SELECT root FROM identity_nodes WHERE kinds & 2 != 0 GROUP BY root HAVING count(*) > 1
            UNION
            SELECT n.root FROM identity_nodes n JOIN streams s ON s.name = n.id
            WHERE n.kinds & 1 != 0 AND EXISTS (
                SELECT 1 FROM events e WHERE e.stream_id = s.id AND e.type LIKE 'discovery.%'
                AND e.source NOT IN (\(secondHandSQL)))
            GROUP BY n.root HAVING count(*) > 1)
        """
}
