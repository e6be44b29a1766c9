import EnrollmentDomain

/// Ids joined into one enrollment that should have stayed apart: the identity rules put them together
/// (a link fact, a "same second" key), but they name two devices or two attempts. The join is kept —
/// the rules stay a pure function of the set of events — and flagged, so support does not read two
/// histories as one. The `device_status` projection computes them with the rest of the row (``StatusFold``).
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

    /// The conflicts as the `device_status.conflicts` column holds them: a JSON array of
    /// `{"kind","ids"}`, `NULL` when there are none.
    static func column(_ conflicts: [IdentityConflict]) -> String? {
        guard !conflicts.isEmpty else { return nil }
        return JSONValue.array(
            conflicts.map { .object(["kind": .string($0.kind.rawValue), "ids": .array($0.ids.map(JSONValue.string))]) }
        ).canonicalString
    }

    /// The conflicts of a `device_status.conflicts` value.
    ///
    /// - Throws: ``ReadModelError`` when it is not what ``column(_:)`` writes (a hand-edited row).
    static func parse(_ column: String?, enrollment: String) throws -> [IdentityConflict] {
        guard let column else { return [] }
        guard case .array(let items)? = try? JSONParser.parse(column) else {
            throw ReadModelError(enrollment: enrollment, problem: "conflicts is not a JSON array")
        }
        return try items.map { item in
            guard let kind = item.objectValue?["kind"]?.stringValue.flatMap(Kind.init(rawValue:)),
                case .array(let ids)? = item.objectValue?["ids"]
            else {
                throw ReadModelError(enrollment: enrollment, problem: "conflicts holds an unknown entry")
            }
            return IdentityConflict(kind: kind, ids: ids.compactMap(\.stringValue))
        }
    }
}
