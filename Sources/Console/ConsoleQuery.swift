import EnrollmentDomain
import Foundation
import Hummingbird
import Service

/// The query string of a console page (its filter forms are `GET`, so a filtered queue is a link): typed
/// values, and a 400 page naming the parameter for a malformed one.
struct ConsoleQuery {
    let values: [String: String]

    init(_ request: Request) {
        var values: [String: String] = [:]
        for (name, value) in request.uri.queryParameters {
            let text = String(value).trimmingCharacters(in: .whitespaces)
            if !text.isEmpty { values[String(name)] = text }
        }
        self.values = values
    }

    func string(_ name: String) -> String? { values[name] }

    /// A vocabulary value (`state=failed`).
    func value<T: RawRepresentable & CaseIterable>(_ name: String, as type: T.Type) throws -> T?
    where T.RawValue == String {
        guard let text = values[name] else { return nil }
        guard let value = T(rawValue: text) else {
            throw Self.bad(name, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// A duration (`2h`, `90m`), in seconds.
    func seconds(_ name: String) throws -> Double? {
        guard let text = values[name] else { return nil }
        guard let milliseconds = DurationText.milliseconds(text), milliseconds > 0 else {
            throw Self.bad(name, DurationText.forms)
        }
        return Double(milliseconds) / 1000
    }

    /// A day (`2026-10-05`, what `<input type="date">` sends), as its first instant in UTC; `endOfDay`
    /// gives the first instant of the next day instead (an inclusive "to" date).
    func day(_ name: String, endOfDay: Bool = false) throws -> Timestamp? {
        guard let text = values[name] else { return nil }
        guard text.count == 10, let start = Timestamp(iso8601: text + "T00:00:00Z") else {
            throw Self.bad(name, "must be a day such as 2026-10-05")
        }
        return endOfDay ? Timestamp(milliseconds: start.milliseconds + 86_400_000) : start
    }

    static func bad(_ name: String, _ detail: String) -> Problem {
        Problem(.badRequest, kind: "bad-request", title: "The filter '\(name)' could not be read", detail: detail)
    }

    /// `path?name=value&…` with every value percent-encoded (only unreserved characters kept), `nil`
    /// values left out.
    static func link(_ path: String, _ pairs: [(String, String?)]) -> String {
        let query = pairs.compactMap { name, value in value.map { "\(name)=\(DisplayText.urlComponent($0))" } }
        return query.isEmpty ? path : path + "?" + query.joined(separator: "&")
    }
}
