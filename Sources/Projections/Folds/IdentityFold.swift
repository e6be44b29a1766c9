import EnrollmentDomain
import EventStore

/// The identity projection as a fold: a union-find over the links of a batch of events, in memory,
/// producing the row changes of `identity_*` (``IdentityChanges``) when it is drained.
///
/// The fold reads what it does not hold from the stored tables (``IdentityStateReading``, as the last
/// drain left them) and holds every node, set and user it read or changed, so an event that restates
/// known links costs no read, and a row changed many times in a batch is written once. Its memory is
/// bounded: past ``cacheLimit`` nodes it asks to be flushed (``needsFlush``), and a drain at that size
/// forgets what it holds (the tables are the truth again).
///
/// The rules (docs/projections.md) are those of ``IdentityFacts``; the canonical id of a set is its
/// smallest ``IdentitySetRow``, so the tables never depend on the order events arrive in.
public final class IdentityFold {
    private let reader: any IdentityStateReading
    /// Every node read or changed: what the fold holds is authoritative over the tables.
    private var nodes: [String: IdentityNodeRow] = [:]
    /// The ids of `nodes` by the root they were given (an id that moved on may still be listed: check
    /// `nodes`). Sets are a handful of ids, so a list is cheaper than a set.
    private var membersByRoot: [String: [String]] = [:]
    private var sets: [String: IdentitySetRow] = [:]
    private var removedSets: Set<String> = []
    /// Roots whose every member the fold holds (listed in `membersByRoot`) since it last forgot: sets it
    /// created, and sets a stream took over from a root whose stored members it read.
    private var completeRoots: Set<String> = []
    /// UPNs by Entra user id, and userless events by Entra user id: complete for the ids held.
    private var upnsByAADUser: [String: Set<String>] = [:]
    private var userlessByAADUser: [String: Set<IdentityUserlessRow>] = [:]
    private var changes = IdentityChanges()
    /// The tables were empty when the fold began and it has forgotten nothing since: what it does not
    /// hold does not exist, so it reads nothing (a load into a fresh store).
    private var holdsEverything: Bool
    /// Since the tables were empty: every node id and Entra user id written, so that after forgetting,
    /// an id the filter never saw is known to be new without a read. `nil` when the tables were not empty,
    /// and until the fold first forgets (built then from what it holds).
    private var written: AbsenceFilter?
    /// The tables were empty when the fold began.
    private let tablesWereEmpty: Bool
    /// How many nodes the fold holds before it asks to be flushed and forgets them.
    public let cacheLimit: Int
    /// The default of ``cacheLimit``.
    public static let defaultCacheLimit = 100_000

    /// - Parameters:
    ///   - reader: the stored tables.
    ///   - tablesAreEmpty: the tables hold no row yet (a fresh store, or a rebuild): nothing is read
    ///     until the fold first forgets what it holds.
    ///   - cacheLimit: how many nodes it holds at most.
    public init(
        reader: any IdentityStateReading, tablesAreEmpty: Bool = false, cacheLimit: Int = defaultCacheLimit
    ) {
        self.reader = reader
        self.cacheLimit = max(1, cacheLimit)
        holdsEverything = tablesAreEmpty
        tablesWereEmpty = tablesAreEmpty
        written = nil
    }

    /// Whether the fold holds as much as its bound allows.
    public var needsFlush: Bool { nodes.count >= cacheLimit }

    /// The row changes since the last drain; past the bound, the fold then forgets what it holds.
    public func drain() -> IdentityChanges {
        let drained = changes
        changes = IdentityChanges()
        if written != nil {
            for id in drained.nodes.keys { written?.insert(id) }
            for row in drained.userIDs { written?.insert("\u{1}" + row.aadUserID) }
            for row in drained.userless { written?.insert("\u{1}" + row.aadUserID) }
        }
        if needsFlush { forget() }
        return drained
    }

    /// Forgets everything, changes not drained included (a savepoint that covered them rolled back).
    public func discard() {
        changes = IdentityChanges()
        forget()
    }

    // MARK: - What the fold holds, for the `device_status` fold

    // What the fold holds is authoritative over the tables, and once drained it is what they hold: these
    // answer for the tables without a read when the fold knows, and `nil` when it does not.

    /// The root of the set `id` belongs to: `.some(nil)` when the fold knows `id` has no node (it holds
    /// the whole graph), `nil` when it does not know.
    func knownRoot(of id: String) -> String?? {
        if let node = nodes[id] { return .some(node.root) }
        return holdsEverything ? .some(nil) : nil
    }

    /// The streams of the set whose root is `root`, when the fold holds every member of it (the whole
    /// graph, or a set it created or took over since it last forgot); `nil` otherwise.
    func knownStreams(ofRoot root: String) -> [String]? {
        guard holdsEverything || completeRoots.contains(root) else { return nil }
        var streams: [String] = []
        for id in membersByRoot[root] ?? [] {
            guard let node = nodes[id], node.root == root, node.kinds & IdentityKinds.stream.rawValue != 0,
                !streams.contains(id)
            else { continue }
            streams.append(id)
        }
        return streams
    }

    /// Whether the tables may hold `key` (a node id, or an Entra user id after `\u{1}`).
    private func mayBeStored(_ key: String) -> Bool {
        guard !holdsEverything else { return false }
        return written?.mayContain(key) ?? true
    }

    private func forget() {
        if holdsEverything && tablesWereEmpty {
            // The first time: every id written so far is held (nothing was read or forgotten), so the filter
            // is built from what the fold holds, and kept from now on; a load that never reaches the bound
            // never allocates it (4 MiB).
            var filter = AbsenceFilter()
            for id in nodes.keys { filter.insert(id) }
            for aad in upnsByAADUser.keys { filter.insert("\u{1}" + aad) }
            for aad in userlessByAADUser.keys { filter.insert("\u{1}" + aad) }
            written = filter
        }
        holdsEverything = false
        nodes.removeAll(keepingCapacity: true)
        membersByRoot.removeAll(keepingCapacity: true)
        sets.removeAll(keepingCapacity: true)
        removedSets.removeAll(keepingCapacity: true)
        completeRoots.removeAll(keepingCapacity: true)
        upnsByAADUser.removeAll(keepingCapacity: true)
        userlessByAADUser.removeAll(keepingCapacity: true)
    }

    /// The ids `recorded` makes the fold look up first: its stream, the ids it links and its join keys
    /// (not the failure keys of an Entra user's sign-in, found from the UPNs as the fold goes). A backend
    /// whose reads cost a round trip reads their nodes ahead, in one query, before the fold asks.
    public static func ids(of recorded: RecordedEvent) -> [String] {
        let facts = IdentityFacts(recorded.event, data: recorded.currentData)
        return [recorded.event.stream] + facts.links.map(\.id) + facts.joinKeys
    }

    /// Folds one event into the graph.
    public func apply(_ recorded: RecordedEvent) throws {
        let event = recorded.event
        let data = recorded.currentData
        let key = IdentitySetRow(
            rank: IdentityFacts.secondHandSources.contains(event.source) ? 1 : 0,
            occurredAt: event.occurredAt.milliseconds, eventID: event.eventID.lowercasedString)
        var root = try register(stream: event.stream, key: key)
        let facts = IdentityFacts(event, data: data)
        for link in facts.links {
            root = try self.link(link.id, kind: link.kind, into: root)
        }
        for joinKey in facts.joinKeys {
            root = try self.link(joinKey, kind: .joinKey, into: root)
        }
        if let userless = facts.userless {
            try addUserless(
                IdentityUserlessRow(
                    aadUserID: userless.aadUserID, stream: event.stream, second: userless.second,
                    joinsFailure: userless.joinsFailure))
            if userless.joinsFailure {
                for upn in try upns(ofAADUser: userless.aadUserID).sorted() {
                    root = try self.link(
                        IdentityFacts.failureKey(user: upn, second: userless.second), kind: .joinKey, into: root)
                }
            }
        }
        if let mapping = facts.userMapping, try addUser(aadUserID: mapping.aadUserID, upn: mapping.upn) {
            let waiting = try userless(ofAADUser: mapping.aadUserID).filter(\.joinsFailure).sorted()
            for row in waiting {
                guard let waitingRoot = try node(row.stream)?.root else { continue }
                _ = try self.link(
                    IdentityFacts.failureKey(user: mapping.upn, second: row.second), kind: .joinKey,
                    into: waitingRoot)
            }
        }
    }

    // MARK: - Nodes and sets

    private func node(_ id: String) throws -> IdentityNodeRow? {
        if let held = nodes[id] { return held }
        guard mayBeStored(id), let stored = try reader.node(id) else { return nil }
        hold(stored, for: id)
        return stored
    }

    private func hold(_ node: IdentityNodeRow, for id: String) {
        let previous = nodes.updateValue(node, forKey: id)
        if previous?.root != node.root { membersByRoot[node.root, default: []].append(id) }
    }

    private func set(_ node: IdentityNodeRow, for id: String) {
        hold(node, for: id)
        changes.nodes.upsert(node, at: id)
    }

    private func storedKey(of root: String) throws -> IdentitySetRow? {
        if let held = sets[root] { return held }
        if holdsEverything || removedSets.contains(root) { return nil }
        guard let stored = try reader.set(root) else { return nil }
        sets[root] = stored
        return stored
    }

    private func key(of root: String) throws -> IdentitySetRow {
        guard let key = try storedKey(of: root) else {
            throw ReadModelError(enrollment: root, problem: "its identity set has no key")
        }
        return key
    }

    private func setKey(_ key: IdentitySetRow, of root: String) {
        sets[root] = key
        removedSets.remove(root)
        changes.sets.upsert(key, at: root)
    }

    /// Records an event of `stream`: creates its node, or makes it the root when the event is the set's
    /// new earliest. Returns the root of the stream's set.
    private func register(stream: String, key: IdentitySetRow) throws -> String {
        guard let node = try node(stream) else {
            set(IdentityNodeRow(root: stream, kinds: IdentityKinds.stream.rawValue), for: stream)
            setKey(key, of: stream)
            completeRoots.insert(stream)
            return stream
        }
        addKinds(.stream, to: stream, node)
        let root = node.root
        guard key < (try self.key(of: root)) else { return root }
        if root != stream {
            // Every member of `root`, stored or held, moves to `stream`, which had none as a root.
            try relabel(root, to: stream)
            completeRoots.insert(stream)
        }
        setKey(key, of: stream)
        return stream
    }

    /// Joins `id` to the set whose root is `root`; returns the root of the joined set.
    private func link(_ id: String, kind: IdentityKinds, into root: String) throws -> String {
        guard let node = try node(id) else {
            set(IdentityNodeRow(root: root, kinds: kind.rawValue), for: id)
            return root
        }
        addKinds(kind, to: id, node)
        let other = node.root
        guard other != root else { return root }
        let (winner, loser) = try key(of: root) <= key(of: other) ? (root, other) : (other, root)
        try relabel(loser, to: winner)
        return winner
    }

    /// Moves every node of `old`'s set to `new`; `new` keeps its key, or takes `old`'s when it has none.
    private func relabel(_ old: String, to new: String) throws {
        if !holdsEverything {
            for stored in try reader.members(ofRoot: old) where nodes[stored.id] == nil {
                hold(stored.node, for: stored.id)
            }
        }
        for member in membersByRoot.removeValue(forKey: old) ?? [] {
            // Listed under `old` once; still there unless it moved on (or was moved already).
            guard var moved = nodes[member], moved.root == old else { continue }
            moved.root = new
            set(moved, for: member)
        }
        let oldKey = try key(of: old)
        completeRoots.remove(old)
        sets[old] = nil
        removedSets.insert(old)
        changes.sets.delete(old)
        if try storedKey(of: new) == nil { setKey(oldKey, of: new) }
    }

    private func addKinds(_ kinds: IdentityKinds, to id: String, _ node: IdentityNodeRow) {
        guard node.kinds & kinds.rawValue != kinds.rawValue else { return }
        set(IdentityNodeRow(root: node.root, kinds: node.kinds | kinds.rawValue), for: id)
    }

    // MARK: - Users

    private func upns(ofAADUser aadUserID: String) throws -> Set<String> {
        if let held = upnsByAADUser[aadUserID] { return held }
        let stored = mayBeStored("\u{1}" + aadUserID) ? Set(try reader.upns(ofAADUser: aadUserID)) : []
        upnsByAADUser[aadUserID] = stored
        return stored
    }

    /// Records that `aadUserID` is `upn`; returns whether this was new.
    private func addUser(aadUserID: String, upn: String) throws -> Bool {
        guard try !upns(ofAADUser: aadUserID).contains(upn) else { return false }
        upnsByAADUser[aadUserID, default: []].insert(upn)
        changes.userIDs.insert(IdentityUserIDRow(aadUserID: aadUserID, upn: upn))
        return true
    }

    private func userless(ofAADUser aadUserID: String) throws -> Set<IdentityUserlessRow> {
        if let held = userlessByAADUser[aadUserID] { return held }
        let stored = mayBeStored("\u{1}" + aadUserID) ? Set(try reader.userless(ofAADUser: aadUserID)) : []
        userlessByAADUser[aadUserID] = stored
        return stored
    }

    private func addUserless(_ row: IdentityUserlessRow) throws {
        guard try !userless(ofAADUser: row.aadUserID).contains(row) else { return }
        userlessByAADUser[row.aadUserID, default: []].insert(row)
        changes.userless.insert(row)
    }
}
