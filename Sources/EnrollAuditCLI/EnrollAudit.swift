import ArgumentParser
import EventStore
import Foundation

/// `enroll-audit`: the event-sourced audit store for account-driven User Enrollment.
@main
struct EnrollAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll-audit",
        abstract: "An append-only, tamper-evident audit store of Apple account-driven User Enrollment.",
        usage: "enroll-audit [--store <path>] <subcommand> [<options>]",
        discussion: """
            --store PATH (or $ENROLL_AUDIT_STORE) may come before the subcommand as well as after it.

            Exit status: 0 ok (also when the reader of a pipe stops early, as `| head` does), 1 usage error,
            2 bad input, 3 not found, 4 integrity failure, 5 the store could not be written (disk full,
            read-only, locked), 6 an output could not be written (standard output, -o, --reject-file),
            7 an unexpected failure of the tool.
            """,
        version: "0.1.0",
        subcommands: [
            Ingest.self, Append.self, Devices.self, Show.self, Timeline.self, Stats.self, Export.self, Verify.self,
            Rebuild.self, Tail.self, Serve.self, Demo.self, Keygen.self, Checkpoint.self, Backup.self, Import.self,
            Copy.self,
        ]
    )

    /// Parses, runs, and maps every failure to the documented exit status with one clear message.
    static func main() {
        // A parent may start us with signals blocked (threads of Dispatch block them, and children inherit
        // the mask): unblock them so Ctrl-C and SIGTERM end `tail --follow` and long ingests as expected.
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
        // A closed pipe is a write error (EPIPE) to end quietly on, not a signal that kills mid-write.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot(GlobalOptions.moved(Array(CommandLine.arguments.dropFirst())))
            try command.run()
            try flushStandardOutput()
        } catch let code as ExitCode {
            exit(code)
        } catch let error as OutputError where error.code == .closedPipe {
            Foundation.exit(Status.ok.rawValue)
        } catch let error as CLIFailure {
            fail(error)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help, --version.
                try? Terminal.standardOutput(fullMessage(for: error) + "\n")
                Foundation.exit(0)
            }
            if code.rawValue == ExitCode.validationFailure.rawValue || error is ValidationError
                || code.rawValue == 64
            {
                fail(CLIFailure(.usage, usageMessage(for: error)))
            }
            fail(CLIFailure(error))
        }
    }

    /// Reports `failure` on stderr and exits with its status (after what `print` buffered, if it can).
    static func fail(_ failure: CLIFailure) -> Never {
        if case .failure(let error as OutputError) = Result(catching: flushStandardOutput), error.code != .closedPipe {
            Terminal.standardError("error: \(error)")
        }
        Terminal.standardError(lines: failure.lines)
        Foundation.exit(failure.status.rawValue)
    }

    /// Exits with `code`, unless what `print` buffered cannot be written.
    static func exit(_ code: ExitCode) -> Never {
        do {
            try flushStandardOutput()
        } catch let error as OutputError where error.code == .closedPipe {
            Foundation.exit(code.rawValue)
        } catch {
            fail(CLIFailure(error))
        }
        Foundation.exit(code.rawValue)
    }

    /// Flushes what `print` buffered in the C library's standard output (the command's own output is
    /// written through ``Terminal/output``, unbuffered).
    ///
    /// - Throws: ``OutputError`` when it cannot be written (a full disk, a closed pipe).
    static func flushStandardOutput() throws {
        if fflush(nil) != 0 {
            let code = errno
            throw OutputError(code == EPIPE ? .closedPipe : .writeFailed, destination: "standard output", errno: code)
        }
    }

    /// A parser error in one line: `error: MESSAGE (see 'enroll-audit COMMAND --help')`.
    static func usageMessage(for error: any Error) -> String {
        var message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
        let help = fullMessage(for: error).split(separator: "\n").compactMap { line -> String? in
            guard let start = line.range(of: "See '"), let end = line[start.upperBound...].firstIndex(of: "'") else {
                return nil
            }
            return String(line[start.upperBound..<end])
        }.first
        return "error: \(message)" + (help.map { " (see '\($0)')" } ?? "")
    }
}
