import Foundation

/// The sample inputs kept under `Tests/Fixtures` (copies of `shared/samples`).
public enum Fixtures {
    /// The `Tests/Fixtures` directory.
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The package's root directory.
    public static let packageRoot: URL = directory.deletingLastPathComponent().deletingLastPathComponent()

    /// The path of a fixture file.
    public static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// The lines of a fixture file (without line endings).
    public static func lines(_ name: String) throws -> [String] {
        let text = try String(contentsOfFile: path(name), encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
