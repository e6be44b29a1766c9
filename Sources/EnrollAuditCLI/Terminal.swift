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

    /// Writes one line to standard error.
    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// A progress reporter for long work, or `nil` when stderr is not a terminal.
    static func progress(_ label: String) -> ((Int64) -> Void)? {
        guard decoratesStandardError else { return nil }
        return { count in
            FileHandle.standardError.write(Data("\r\(label): \(count)…\u{1B}[K".utf8))
        }
    }

    /// Clears a progress line.
    static func endProgress() {
        if decoratesStandardError { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// Writes text to standard output as is.
    static func standardOutput(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
