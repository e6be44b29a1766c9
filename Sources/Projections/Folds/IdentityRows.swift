/// A row of `identity_nodes`: an id, the root (canonical id) of its set, and the kinds it was seen as
/// (bits of ``IdentityKinds``).
public struct IdentityNodeRow: Equatable, Sendable {
    public var root: String
    public var kinds: Int64

    public init(root: String, kinds: Int64) {
        self.root = root
        self.kinds = kinds
    }
}

/// A row of `identity_sets`: what makes a set's root canonical, smaller being earlier (first-hand
/// sources before second-hand, then `occurred_at`, then the event id).
public struct IdentitySetRow: Comparable, Sendable {
    public var rank: Int64
    public var occurredAt: Int64
    public var eventID: String

    public init(rank: Int64, occurredAt: Int64, eventID: String) {
        self.rank = rank
        self.occurredAt = occurredAt
        self.eventID = eventID
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.rank, lhs.occurredAt, lhs.eventID) < (rhs.rank, rhs.occurredAt, rhs.eventID)
    }
}

/// A row of `identity_user_ids`: an Entra user id is this UPN.
public struct IdentityUserIDRow: Hashable, Comparable, Sendable {
    public var aadUserID: String
    public var upn: String

    public init(aadUserID: String, upn: String) {
        self.aadUserID = aadUserID
        self.upn = upn
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.aadUserID, lhs.upn) < (rhs.aadUserID, rhs.upn) }
}

/// A row of `identity_userless`: an event of `stream` named no user, only an Entra user id.
public struct IdentityUserlessRow: Hashable, Comparable, Sendable {
    public var aadUserID: String
    public var stream: String
    public var second: Int64
    /// Whether its failure key joins once the UPN is known.
    public var joinsFailure: Bool

    public init(aadUserID: String, stream: String, second: Int64, joinsFailure: Bool) {
        self.aadUserID = aadUserID
        self.stream = stream
        self.second = second
        self.joinsFailure = joinsFailure
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.aadUserID, lhs.stream, lhs.second, lhs.joinsFailure ? 1 : 0)
            < (rhs.aadUserID, rhs.stream, rhs.second, rhs.joinsFailure ? 1 : 0)
    }
}

/// The row changes of one flush of the identity fold. The two attribute tables only grow.
public struct IdentityChanges: Sendable {
    public var nodes = TableChanges<String, IdentityNodeRow>()
    public var sets = TableChanges<String, IdentitySetRow>()
    public var userIDs: Set<IdentityUserIDRow> = []
    public var userless: Set<IdentityUserlessRow> = []

    public init() {}

    public var isEmpty: Bool { nodes.isEmpty && sets.isEmpty && userIDs.isEmpty && userless.isEmpty }
}

/// What the identity fold reads of the stored graph: the tables as the last flush left them. A backend
/// implements it with point reads.
public protocol IdentityStateReading {
    /// The stored node of `id`.
    func node(_ id: String) throws -> IdentityNodeRow?
    /// The stored key of the set whose root is `root`.
    func set(_ root: String) throws -> IdentitySetRow?
    /// The stored nodes whose root is `root`.
    func members(ofRoot root: String) throws -> [(id: String, node: IdentityNodeRow)]
    /// The stored UPNs of an Entra user id.
    func upns(ofAADUser aadUserID: String) throws -> [String]
    /// The stored userless events of an Entra user id.
    func userless(ofAADUser aadUserID: String) throws -> [IdentityUserlessRow]
}
