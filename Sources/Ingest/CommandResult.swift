import EnrollmentDomain
import Foundation

/// What a failed MDM command result says: its `ErrorChain` (Apple's `ErrorChainItem`s: `ErrorCode`,
/// `ErrorDomain`, `LocalizedDescription`, `USEnglishDescription`).
enum CommandResult {
    /// The statuses of a command result that mean the command failed.
    static let failureStatuses: Set<String> = ["Error", "CommandFormatError"]

    /// The `ErrorChain` of a command result plist, as `[{code, domain, description}]`; empty when the plist
    /// has none.
    ///
    /// - Throws: ``RecordFailure`` when `ErrorChain` is there but not an array of dictionaries.
    static func errorChain(base64: String, field: String) throws(RecordFailure) -> [JSONValue] {
        guard let bytes = Data(base64Encoded: base64),
            let plist = try? PropertyListSerialization.propertyList(from: bytes, options: [], format: nil),
            let root = plist as? [String: Any], let chain = root["ErrorChain"]
        else { return [] }
        guard let items = chain as? [Any] else { throw RecordFailure("\(field) ErrorChain must be an array") }
        var result: [JSONValue] = []
        for (index, item) in items.enumerated() {
            guard let item = item as? [String: Any] else {
                throw RecordFailure("\(field) ErrorChain[\(index)] must be a dictionary")
            }
            var members: [String: JSONValue] = [:]
            if let code = item["ErrorCode"] as? Int { members["code"] = .int(Int64(code)) }
            if let domain = item["ErrorDomain"] as? String { members["domain"] = .string(domain) }
            let description = item["USEnglishDescription"] as? String ?? item["LocalizedDescription"] as? String
            if let description { members["description"] = .string(description) }
            result.append(.object(members))
        }
        return result
    }

    /// `Domain code` of the first error of a chain, e.g. `MCInstallationErrorDomain 4001`, else `status`.
    static func reason(_ chain: [JSONValue], status: String) -> String {
        guard let first = chain.first?.objectValue else { return status }
        let parts = [first["domain"]?.stringValue, first["code"]?.intValue.map { String($0) }].compactMap { $0 }
        return parts.isEmpty ? status : parts.joined(separator: " ")
    }
}
