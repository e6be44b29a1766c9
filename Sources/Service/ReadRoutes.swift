import EnrollmentDomain
import EventStore
import Foundation
import Hummingbird
import Projections

/// The read API, in the CLI's JSON shapes: enrollments (the `devices` filters, keyset paging), one
/// enrollment, a timeline, fleet statistics.
struct ReadRoutes: ServiceRoutes {
    /// The page size when `limit` is not given, and the largest allowed.
    static let defaultLimit: Int64 = 100
    static let maximumLimit: Int64 = 1_000

    /// The `{id}` of the path, percent-decoded (`tom%40contoso.com`).
    static func pathID(_ context: ServiceRequestContext) throws -> String {
        let raw = try context.parameters.require("id")
        return raw.removingPercentEncoding ?? raw
    }

    func register(on router: Router<ServiceRequestContext>, environment: ServiceEnvironment) {
        let group = router.group("/v1").add(middleware: environment.access.require(.read))
        group.get("/enrollments") { request, _ -> Response in
            let query = QueryParameters(request)
            let limit = try query.integer("limit", in: 1...Self.maximumLimit) ?? Self.defaultLimit
            var pageFilter = DeviceFilter(
                user: query.string("user"), state: try query.value("state", as: EnrollmentState.self),
                stalledFor: try query.seconds("stalled_for"), asOf: try query.time("as_of"),
                since: try query.time("since"), until: try query.time("until"), limit: Int(limit) + 1)
            pageFilter.after = try query.string("cursor").map(PageCursor.decode)
            pageFilter.model = query.string("model")
            pageFilter.osVersion = query.string("os_version")
            pageFilter.reason = query.string("reason")
            pageFilter.step = try query.value("step", as: EnrollmentStep.self)
            pageFilter.domain = query.string("domain")
            pageFilter.conflicted = try query.flag("conflicted") ?? false
            pageFilter.sort = try query.value("sort", as: DeviceSort.self) ?? .firstSeen
            let page: [DeviceStatus]
            do {
                page = try await environment.readModel.devices(pageFilter)
            } catch let error as DeviceQueryError {
                throw Problem.badRequest(error.description)
            }
            let shown = page.prefix(Int(limit))
            let next: JSONValue =
                page.count > Int(limit) ? .string(PageCursor.encode(shown.last!.enrollment)) : .null
            return JSONResponse.make(.object(["enrollments": .array(shown.map(\.json)), "next_cursor": next]))
        }
        group.get("/enrollments/{id}") { request, context -> Response in
            let id = try Self.pathID(context)
            let asOf = try QueryParameters(request).time("as_of")
            let statuses = try await environment.readModel.enrollments(matching: id, asOf: asOf)
            guard !statuses.isEmpty else { throw Problem.notFound("no enrollment is known by this id") }
            return JSONResponse.make(.array(statuses.map(\.json)))
        }
        group.get("/timeline/{id}") { request, context -> Response in
            let id = try Self.pathID(context)
            let asOf = try QueryParameters(request).time("as_of")
            let queries = environment.readModel
            let statuses = try await queries.enrollments(matching: id, asOf: asOf)
            let entries = try await queries.timeline(of: statuses, asOf: nil)
            guard !statuses.isEmpty else { throw Problem.notFound("no enrollment is known by this id") }
            return JSONResponse.make(TimelineEntry.document(subject: id, statuses: statuses, entries: entries))
        }
        group.get("/stats") { request, _ -> Response in
            let query = QueryParameters(request)
            let grouping = query.string("by")
            guard grouping == nil || grouping == "day" else { throw Problem.badRequest("by must be day") }
            let statsQuery = StatsQuery(
                since: try query.time("since"), until: try query.time("until"), byDay: grouping == "day")
            let stats = try await environment.readModel.stats(statsQuery)
            return JSONResponse.make(stats.json)
        }
    }
}

/// The opaque `cursor` of enrollment pages: base64url of the last enrollment of the page before (the
/// keyset of ``DeviceFilter/after``, in the page's sort order).
enum PageCursor {
    static func encode(_ enrollment: String) -> String {
        Data(enrollment.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) throws -> String {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let decoded = String(data: data, encoding: .utf8),
            !decoded.isEmpty
        else { throw Problem.badRequest("cursor is not a cursor this service gave") }
        return decoded
    }
}
