import EnrollmentDomain
import Projections

/// The queues a support team works through.
enum QueueView: String, CaseIterable, Sendable {
    /// In progress with no step for longer than the threshold, longest first.
    case stalled
    /// Failed, most recently active first.
    case failed
    /// Every enrollment, newest first.
    case all

    var title: String {
        switch self {
        case .stalled: "Stalled"
        case .failed: "Failed"
        case .all: "All"
        }
    }

    var defaultSort: DeviceSort {
        switch self {
        case .stalled: .lastStep
        case .failed: .lastSeen
        case .all: .firstSeen
        }
    }
}

/// What a queue page asks for: the queue, its threshold, the filters and the page, read from the query
/// string into the library's ``DeviceFilter``.
struct QueueRequest {
    static let pageSize = 50

    var view: QueueView
    /// The stall threshold, in seconds.
    var threshold: Double
    /// The filters without the queue's own condition and without paging.
    var filter: DeviceFilter
    var after: String?
    /// The raw values, for the form and for links that keep them.
    var reason, model, os, from, to, stalledFor: String?
    var sortText: String?

    init(_ query: ConsoleQuery, defaultThreshold: Double) throws {
        view = try query.value("view", as: QueueView.self) ?? .stalled
        threshold = try query.seconds("stalled_for") ?? defaultThreshold
        stalledFor = query.string("stalled_for")
        var filter = DeviceFilter()
        filter.state = try query.value("state", as: EnrollmentState.self)
        filter.step = try query.value("step", as: EnrollmentStep.self)
        reason = query.string("reason")
        model = query.string("model")
        os = query.string("os")
        from = query.string("from")
        to = query.string("to")
        filter.reason = reason
        filter.model = model
        filter.osVersion = os
        filter.since = try query.day("from")
        filter.until = try query.day("to", endOfDay: true)
        if let since = filter.since, let until = filter.until, until <= since {
            throw ConsoleQuery.bad("to", "must be the same day as 'from' or later")
        }
        sortText = query.string("sort")
        filter.sort = try query.value("sort", as: DeviceSort.self) ?? view.defaultSort
        self.filter = filter
        after = query.string("after")
    }

    /// The filter of `view`'s queue (the others' filters kept), without paging.
    func filter(for view: QueueView) -> DeviceFilter {
        var filter = self.filter
        switch view {
        case .stalled: filter.stalledFor = threshold
        case .failed: filter.state = .failed
        case .all: break
        }
        return filter
    }

    /// The current page of the current queue: one more than a page, to know whether another follows.
    var pageFilter: DeviceFilter {
        var filter = filter(for: view)
        filter.after = after
        filter.limit = Self.pageSize + 1
        return filter
    }

    /// The query pairs that keep the filters (and the sort, when chosen), for `view`.
    func pairs(view: QueueView? = nil, after: String? = nil) -> [(String, String?)] {
        [
            ("view", (view ?? self.view).rawValue), ("stalled_for", stalledFor), ("state", filter.state?.rawValue),
            ("step", filter.step?.rawValue), ("reason", reason), ("model", model), ("os", os), ("from", from),
            ("to", to), ("sort", sortText), ("after", after),
        ]
    }
}

/// One choice of a `<select>`.
struct OptionView {
    var value: String
    var label: String
    var selected: Bool
}

/// One queue's tab: its name, count and link.
struct QueueTab {
    var title: String
    var count: Int
    var path: String
    var current: Bool
}

/// A failure reason of the fleet and how many failed for it, linking to the failed queue filtered by it.
struct ReasonRow {
    var step: String
    var reason: String
    var count: Int
    var path: String
}

/// The queues page: tabs with counts, the filter form, one page of enrollments, the reasons.
struct QueuePage {
    var title = "Queues"
    var signedIn: Bool
    var view: String
    var viewTitle: String
    var tabs: [QueueTab]
    var threshold: String
    var stateOptions: [OptionView]
    var stepOptions: [OptionView]
    var sortOptions: [OptionView]
    var reason, model, os, from, to: String?
    var rows: [EnrollmentRow]
    var total: Int
    var shown: Int
    var nextPath: String?
    var firstPath: String?
    var reasons: [ReasonRow]

    /// Reads the counts, the page and the reasons of `request`.
    init(_ request: QueueRequest, queries: any EnrollmentReadModel, signedIn: Bool) async throws {
        self.signedIn = signedIn
        view = request.view.rawValue
        viewTitle = request.view.title
        var tabs: [QueueTab] = []
        for view in QueueView.allCases {
            tabs.append(
                QueueTab(
                    title: view.title, count: try await queries.deviceCount(request.filter(for: view)),
                    path: ConsoleQuery.link("/console/queues", request.pairs(view: view)),
                    current: view == request.view))
        }
        self.tabs = tabs
        total = tabs.first { $0.current }?.count ?? 0
        threshold = request.stalledFor ?? DurationText.human(request.threshold)
        stateOptions = Self.options(EnrollmentState.allCases, selected: request.filter.state) { $0.rawValue }
        stepOptions = Self.options(EnrollmentStep.allCases, selected: request.filter.step) { $0.title }
        sortOptions = DeviceSort.allCases.map {
            OptionView(value: $0.rawValue, label: Self.sortTitle($0), selected: $0 == request.filter.sort)
        }
        reason = request.reason.map(DisplayText.text)
        model = request.model.map(DisplayText.text)
        os = request.os.map(DisplayText.text)
        from = request.from.map(DisplayText.text)
        to = request.to.map(DisplayText.text)
        let page = try await queries.devices(request.pageFilter)
        rows = page.prefix(QueueRequest.pageSize).map(EnrollmentRow.init)
        shown = rows.count
        if page.count > QueueRequest.pageSize, let last = page.prefix(QueueRequest.pageSize).last {
            nextPath = ConsoleQuery.link("/console/queues", request.pairs(after: last.enrollment))
        }
        if request.after != nil { firstPath = ConsoleQuery.link("/console/queues", request.pairs()) }
        let stats = try await queries.stats(StatsQuery(since: request.filter.since, until: request.filter.until))
        reasons = stats.total.failures.prefix(20).map { failure in
            var failed = request
            failed.reason = failure.reason
            failed.view = .failed
            return ReasonRow(
                step: failure.step.title, reason: DisplayText.text(failure.reason), count: failure.count,
                path: ConsoleQuery.link("/console/queues", failed.pairs()))
        }
    }

    static func options<T: Equatable>(_ all: [T], selected: T?, label: (T) -> String) -> [OptionView]
    where T: RawRepresentable, T.RawValue == String {
        [OptionView(value: "", label: "any", selected: selected == nil)]
            + all.map { OptionView(value: $0.rawValue, label: label($0), selected: $0 == selected) }
    }

    static func sortTitle(_ sort: DeviceSort) -> String {
        switch sort {
        case .firstSeen: "First seen, newest first"
        case .lastSeen: "Last seen, newest first"
        case .lastStep: "Longest without a step first"
        case .user: "User, A to Z"
        }
    }
}
