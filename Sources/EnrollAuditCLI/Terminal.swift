import EventStore
import Export
import Foundation

/// Where human output goes, and whether it may be decorated.
enum Terminal {
    /// Whether standard error is a terminal and colour/progress are allowed.
    static var decoratesStandardError: Bool { isatty(STDERR_FILENO) == 1 && decorationAllowed }

    /// Whether standard output is a terminal and colour is allowed.
    static var decoratesStandardOutput: Bool { isatty(STDOUT_FILENO) == 1 && decorationAllowed }

    /// No `NO_COLOR` (set and not empty, as no-color.org defines it) and not a dumb terminal.
    private static var decorationAllowed: Bool {
        let environment = ProcessInfo.processInfo.environment
        return (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }

    /// Whether standard output is a terminal (colour aside).
    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Standard output, written with `write(2)` so that a full disk or a closed pipe is an error to report.
    nonisolated(unsafe) static let output = OutputFile.standardOutput()

    /// Writes one line to standard error, escaped: a message may quote a file name, an id or a value, and
    /// none of it reaches the terminal raw (a newline in it shows as `\u{a}`). A failure to write to
    /// standard error has nowhere to be reported and is ignored.
    static func standardError(_ line: String) {
        standardError(lines: [line])
    }

    /// Writes lines to standard error, each escaped as ``standardError(_:)`` does.
    static func standardError(lines: [String]) {
        writeError(lines.map { TerminalText.escaped($0) + "\n" }.joined())
    }

    /// Writes text to standard error as is (progress lines with their own escape sequences).
    private static func writeError(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeMutableBytes {
                write(STDERR_FILENO, $0.baseAddress! + offset, $0.count - offset)
            }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
            offset += count
        }
        bytes.removeAll()
    }

    /// A progress reporter for long work, or `nil` when stderr is not a terminal.
    static func progress(_ label: String) -> (@Sendable (Int64) -> Void)? {
        guard decoratesStandardError else { return nil }
        return { count in writeError("\r\(label): \(count)…\u{1B}[K") }
    }

    /// Clears a progress line.
    static func endProgress() {
        if decoratesStandardError { writeError("\r\u{1B}[K") }
    }

    /// Writes text to standard output as is: renderers have escaped the values of human formats.
    ///
    /// - Throws: ``OutputError`` when standard output cannot be written (a full disk, a closed pipe).
    static func standardOutput(_ text: String) throws {
        try output.write(text)
    }
}
