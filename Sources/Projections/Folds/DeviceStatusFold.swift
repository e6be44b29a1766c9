import EnrollmentDomain
import EventStore

/// The `device_status` projection as a fold: notes the enrollments a batch of events touches, and when
/// drained recomputes each one once from all its events (``StatusFold``), producing the row changes of
/// `device_status` and the `fleet_stats` deltas of the same rows (``DeviceStatusChanges``).
///
/// Bounded: it asks to be flushed (``needsFlush``) every `flushInterval` events, and keeps at most about
/// ``cacheLimit`` events in memory. Recomputing folds an enrollment's events from memory when the fold
/// has seen every event of its streams (streams that began in this batch, or were read once already),
/// and reads the others from the log. A row whose recomputed value equals the stored one is not written.
///
/// Given the batch's ``IdentityFold``, it takes the sets of the touched streams from that fold's memory
/// where the fold holds them whole (a load into empty tables, sets created or taken over since it last
/// forgot), instead of reading the identity tables; and when `device_status` was empty at the start, it reads a stored row only for keys it may
/// have written (an ``AbsenceFilter``, built on the first drain that writes).
public final class DeviceStatusFold {
    private let reader: any DeviceStatusStateReading
    /// The identity fold of the same batch, drained before this one (the store's order of projections).
    private let identity: IdentityFold?
    /// The enrollments upserted since `device_status` was empty; `nil` when it was not empty at the start
    /// (every stored row may then exist), or until the first upsert.
    private var written: AbsenceFilter?
    /// `device_status` was empty at the start: a key `written` never saw has no stored row.
    private let tableWasEmpty: Bool
    private let flushInterval: Int64
    /// Streams whose enrollment must be recomputed.
    private var dirty: Set<String> = []
    /// Entra user ids newly mapped to a UPN: their userless streams are recomputed too.
    private var signedIn: Set<String> = []
    private var appliedSinceFlush: Int64 = 0
    /// The last position applied. During a replay the log already holds later events; a stream read
    /// from the log keeps only what was applied, the rest arrives through `apply`.
    private var appliedThrough: Int64 = 0
    /// Every event of these streams so far. Cleared when it holds more than ``cacheLimit`` events.
    private var eventsByStream: [String: [RecordedEvent]] = [:]
    private var cachedEvents = 0
    /// How many events the fold keeps in memory between flushes, at most about.
    public static let cacheLimit = 20_000

    /// - Parameters:
    ///   - reader: the stored tables and the log.
    ///   - flushInterval: how many events between drains, at most.
    ///   - identity: the identity fold of the same batch, when it is drained before each drain of this one
    ///     (its memory is read where it holds a set whole).
    ///   - tableIsEmpty: `device_status` holds no row yet.
    public init(
        reader: any DeviceStatusStateReading, flushInterval: Int64, identity: IdentityFold? = nil,
        tableIsEmpty: Bool = false
    ) {
        self.reader = reader
        self.flushInterval = max(1, flushInterval)
        self.identity = identity
        tableWasEmpty = tableIsEmpty
    }

    private func root(of stream: String) throws -> String? {
        if let known = identity?.knownRoot(of: stream) { return known }
        return try reader.root(of: stream)
    }

    private func streams(ofRoot root: String) throws -> [String] {
        if let known = identity?.knownStreams(ofRoot: root) { return known }
        return try reader.streams(ofRoot: root)
    }

    /// The stored rows of these enrollments, reading only those that may have one.
    private func storedRows(_ enrollments: [String]) throws -> [DeviceStatusRow] {
        guard tableWasEmpty else { return try reader.rows(enrollments) }
        guard let written else { return [] }
        let candidates = enrollments.filter(written.mayContain)
        return candidates.isEmpty ? [] : try reader.rows(candidates)
    }

    /// Whether `flushInterval` events were applied since the last drain.
    public var needsFlush: Bool { appliedSinceFlush >= flushInterval }

    /// Notes one event.
    public func apply(_ recorded: RecordedEvent) {
        let event = recorded.event
        appliedThrough = max(appliedThrough, recorded.position)
        dirty.insert(event.stream)
        if recorded.version == 1 {
            eventsByStream[event.stream] = [recorded]
            cachedEvents += 1
        } else if eventsByStream[event.stream] != nil {
            eventsByStream[event.stream]?.append(recorded)
            cachedEvents += 1
        }
        if event.type == "account.signed_in", let aad = recorded.currentData.nonEmptyString("aad_user_id") {
            // A new Entra id → UPN mapping may give Graph-only enrollments their user and failure join.
            signedIn.insert(aad)
        }
        appliedSinceFlush += 1
    }

    /// Forgets the events held (a savepoint that covered some rolled back). The noted streams stay noted:
    /// recomputing an enrollment that did not change writes nothing.
    public func discard() {
        eventsByStream.removeAll()
        cachedEvents = 0
    }

    /// Recomputes the enrollments noted since the last drain, in key order.
    public func drain() throws -> DeviceStatusChanges {
        appliedSinceFlush = 0
        for aad in signedIn { dirty.formUnion(try reader.userlessStreams(ofAADUser: aad)) }
        signedIn.removeAll(keepingCapacity: true)
        var changes = DeviceStatusChanges()
        guard !dirty.isEmpty else { return changes }
        var roots: Set<String> = []
        for stream in dirty {
            if let root = try root(of: stream) { roots.insert(root) }
        }
        dirty.removeAll(keepingCapacity: true)
        for root in roots.sorted() {
            try recompute(root, &changes)
        }
        if cachedEvents > Self.cacheLimit { discard() }
        return changes
    }

    /// The events of these streams: from memory where complete, else from the log (then kept).
    private func events(of streams: [String]) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        var unread: [String] = []
        for stream in streams {
            if let cached = eventsByStream[stream] { events += cached } else { unread.append(stream) }
        }
        guard !unread.isEmpty else { return events }
        let read = try reader.events(inStreams: unread).filter { $0.position <= appliedThrough }
        for event in read {
            eventsByStream[event.event.stream, default: []].append(event)
        }
        cachedEvents += read.count
        return events + read
    }

    /// The enrollment's new row, and the removal of the rows of streams that were roots before a merge.
    private func recompute(_ root: String, _ changes: inout DeviceStatusChanges) throws {
        let streams = try streams(ofRoot: root)
        let status = try StatusFold(enrollment: root, events: try events(of: streams)) {
            try reader.upn(ofAADUser: $0)
        }
        let row = status.events > 0 ? DeviceStatusRow(enrollment: root, status) : nil
        var stored: DeviceStatusRow?
        for old in try storedRows(streams) {
            if old.enrollment == root { stored = old }
            if old.enrollment == root, old == row { continue }
            changes.fleetStats.add(old.counted, sign: -1)
            if old.enrollment != root || row == nil { changes.rows.delete(old.enrollment) }
        }
        guard let row, stored != row else { return }
        changes.fleetStats.add(row.counted, sign: 1)
        changes.rows.upsert(row, at: root)
        if tableWasEmpty {
            if written == nil { written = AbsenceFilter() }
            written?.insert(root)
        }
    }
}
