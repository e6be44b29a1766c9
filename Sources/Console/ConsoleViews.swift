import EnrollmentDomain
import Projections

/// One enrollment as a row of search results (every value already through ``DisplayText``).
struct EnrollmentRow {
    var enrollment: String
    var path: String
    var user: String?
    var state: String
    var stalled: Bool
    var step: String
    var lastSeen: String
    var stalledFor: String?
    var model: String?
    /// The failure's reason, or the latest unanswered problem's.
    var reason: String?

    init(_ status: DeviceStatus) {
        enrollment = DisplayText.text(status.enrollment)
        path = DisplayText.enrollmentPath(status.enrollment)
        user = DisplayText.text(status.user)
        state = status.state.rawValue
        stalled = status.stalled
        step = status.step?.title ?? "none"
        lastSeen = status.lastSeen.iso8601
        stalledFor = DisplayText.duration(status.stalledForSeconds)
        model = DisplayText.text(status.model)
        reason = DisplayText.text(status.failure?.reason ?? status.lastProblem?.reason)
    }
}

/// The search page: the box, and what it found.
struct SearchPage {
    var title = "Search"
    var query: String
    var searched: Bool
    var results: [EnrollmentRow]
    /// More matched than are shown.
    var truncated: Bool
    var signedIn: Bool
}

/// A failure or latest problem with the hint the knowledge base has for it.
struct ProblemView {
    var what: String
    var reason: String
    var at: String?
    var cause: String?
    var fix: String?
}

/// One id of an enrollment.
struct IdentifierView {
    var kind: String
    var value: String
}

/// One timeline entry.
struct EntryView {
    var occurredAt: String
    var gap: String?
    var label: String
    var outcome: String
    var type: String
    var source: String
    var stream: String
    var position: Int64
    var eventID: String
    var hintCause: String?
    var hintFix: String?

    init(_ entry: TimelineEntry) {
        occurredAt = entry.occurredAt.iso8601
        gap = DisplayText.duration(entry.gapSeconds)
        label = DisplayText.text(entry.label)
        outcome = entry.outcome.rawValue
        type = DisplayText.text(entry.type)
        source = DisplayText.text(entry.source)
        stream = DisplayText.text(entry.stream)
        position = entry.position
        eventID = entry.eventID.uuidString.lowercased()
        hintCause = DisplayText.text(entry.hint?.cause)
        hintFix = DisplayText.text(entry.hint?.fix)
    }
}

/// One enrollment's header, ids and timeline.
struct EnrollmentView {
    /// What a search result shows of it.
    var summary: EnrollmentRow
    var osVersion: String?
    var firstSeen: String
    var events: Int
    var problem: ProblemView?
    var ids: [IdentifierView]
    var entries: [EntryView]
    /// The summary a support person pastes into a ticket (``TicketText``).
    var ticket: String
    /// The export of its events (`/v1/export?id=…`, behind the console's sign-in).
    var exportPath: String
    /// The live stream of new events, from the store's head when the page was read.
    var eventsPath: String
    /// The streams its events are in, space-separated: the live updates keep those.
    var streams: String

    /// - Parameter entries: the enrollment's timeline, oldest first.
    /// - Parameter head: the store's last position when the page was read.
    init(_ status: DeviceStatus, entries: [TimelineEntry], head: Int64) {
        summary = EnrollmentRow(status)
        exportPath = ConsoleQuery.link("/console/export", [("id", status.enrollment)])
        eventsPath = ConsoleQuery.link("/console/events", [("after", String(head))])
        streams = status.ids.filter { $0.kind == .stream }.map { DisplayText.urlComponent($0.value) }
            .joined(separator: " ")
        osVersion = DisplayText.text(status.osVersion)
        firstSeen = status.firstSeen.iso8601
        events = status.events
        ids = status.ids.map { IdentifierView(kind: $0.kind.rawValue, value: DisplayText.text($0.value)) }
        self.entries = entries.map(EntryView.init)
        // The hint of the failure (or of the latest problem) is that of the latest failed entry with one.
        let hint = entries.last(where: { $0.outcome == .failed && $0.hint != nil })?.hint
        if let failure = status.failure {
            problem = ProblemView(
                what: "Failed at \(failure.step.title)", reason: DisplayText.text(failure.reason), at: nil,
                cause: DisplayText.text(hint?.cause), fix: DisplayText.text(hint?.fix))
        } else if let last = status.lastProblem {
            problem = ProblemView(
                what: DisplayText.text(last.type), reason: DisplayText.text(last.reason), at: last.at.iso8601,
                cause: DisplayText.text(hint?.cause), fix: DisplayText.text(hint?.fix))
        }
        ticket = ""
        ticket = TicketText.make(self)
    }
}

/// The enrollment page: every enrollment an id names (usually one).
struct EnrollmentPage {
    var title = "Enrollment"
    var enrollments: [EnrollmentView]
    var signedIn: Bool
}

/// The sign-in page.
struct LoginPage {
    var title = "Sign in"
    var message: String?
    var signedIn = false
}
