import EnrollmentDomain
import Hummingbird

/// Typed query parameters: a malformed value is a 400 naming the parameter.
struct QueryParameters {
    let request: Request

    init(_ request: Request) { self.request = request }

    func string(_ name: String) -> String? {
        request.uri.queryParameters[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }

    func time(_ name: String) throws -> Timestamp? {
        guard let text = string(name) else { return nil }
        guard let time = Timestamp(iso8601: text) else {
            throw Problem.badRequest("\(name) must be an ISO 8601 date-time such as 2026-10-01T16:35:20Z")
        }
        return time
    }

    func seconds(_ name: String) throws -> Double? {
        guard let text = string(name) else { return nil }
        guard let milliseconds = DurationText.milliseconds(text) else {
            throw Problem.badRequest("\(name): \(DurationText.forms)")
        }
        return Double(milliseconds) / 1000
    }

    func integer(_ name: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let text = string(name) else { return nil }
        guard let value = Int64(text), range.contains(value) else {
            throw Problem.badRequest("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func flag(_ name: String) throws -> Bool? {
        guard let text = string(name) else { return nil }
        switch text {
        case "true", "1": return true
        case "false", "0": return false
        default: throw Problem.badRequest("\(name) must be true or false")
        }
    }

    func value<T: RawRepresentable & CaseIterable>(_ name: String, as type: T.Type) throws -> T?
    where T.RawValue == String {
        guard let text = string(name) else { return nil }
        guard let value = T(rawValue: text) else {
            throw Problem.badRequest(
                "\(name) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
