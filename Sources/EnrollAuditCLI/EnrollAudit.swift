import ArgumentParser
import Foundation

/// `enroll-audit`: the event-sourced audit store for account-driven User Enrollment.
@main
struct EnrollAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll-audit",
        abstract: "An append-only, tamper-evident audit store of Apple account-driven User Enrollment.",
        discussion: """
            Exit status: 0 ok, 1 usage error, 2 bad input, 3 not found, 4 integrity failure,
            5 the store could not be written (disk full, read-only, locked).
            """,
        version: "0.1.0",
        subcommands: [
            Ingest.self, Append.self, Devices.self, Show.self, Timeline.self, Stats.self, Export.self, Verify.self,
            Rebuild.self, Tail.self, Serve.self, Demo.self,
        ]
    )

    /// Parses, runs, and maps every failure to the documented exit status with one clear message.
    static func main() {
        // A parent may start us with signals blocked (threads of Dispatch block them, and children inherit
        // the mask): unblock them so Ctrl-C and SIGTERM end `tail --follow` and long ingests as expected.
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch let error as CLIFailure {
            Terminal.standardError(error.message)
            Foundation.exit(error.status.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            if code.rawValue == ExitCode.validationFailure.rawValue || error is ValidationError
                || code.rawValue == 64
            {
                Terminal.standardError(fullMessage(for: error))
                Foundation.exit(Status.usage.rawValue)
            }
            let failure = CLIFailure(error)
            Terminal.standardError(failure.message)
            Foundation.exit(failure.status.rawValue)
        }
    }
}
