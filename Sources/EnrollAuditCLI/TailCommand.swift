import ArgumentParser
import EnrollmentDomain
import EventStore
import Export
import Foundation
import PostgresStore

extension EnrollAudit {
    struct Tail: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print events in position order as NDJSON, and with --follow keep printing new ones.",
            discussion: """
                With --follow, events appended by other processes are printed as they commit, each exactly \
                once, in position order. It sleeps on file-change notifications (inotify; on macOS it polls every 200 ms), not a busy loop; \
                on PostgreSQL it wakes on the NOTIFY of each append (LISTEN), and reads every --poll-interval \
                seconds as well, in case a notification is missed or LISTEN fails (a hot standby). \
                Stop it with Ctrl-C.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp("Start after this position (0 is the beginning).", valueName: "n"))
        var after: Int64 = 0

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp("Without --follow, print at most this many events.", valueName: "n"))
        var limit: Int?

        @Flag(help: "Keep running and print events as they are appended.")
        var follow = false

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp(
                "PostgreSQL: with --follow, also read every this many seconds, whatever LISTEN says.",
                valueName: "seconds"))
        var pollInterval: Double = 2

        func validate() throws {
            if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
            if after < 0 { throw ValidationError("--after must not be negative") }
            if !(0.05...3600).contains(pollInterval) {
                throw ValidationError("--poll-interval must be between 0.05 and 3600 seconds")
            }
        }

        func run() throws {
            if try storeOptions.postgresAddress != nil { return try tailLog() }
            let store = try storeOptions.openForReading()
            let sink = try ByteSink(output: Terminal.output, lz4: false)
            var position = after
            var printed = 0
            func drain() throws {
                try store.forEachEvent(after: position) { event in
                    var line: [UInt8] = []
                    event.exportJSON.write(to: &line)
                    line.append(0x0A)
                    try sink.write(line)
                    position = event.position
                    printed += 1
                    return follow || limit.map { printed < $0 } ?? true
                }
                try sink.flush()
            }
            try drain()
            guard follow else { return }
            let watcher = ChangeWatcher(directory: URL(fileURLWithPath: store.path).deletingLastPathComponent().path)
            while true {
                watcher.wait(timeoutMilliseconds: 1_000)
                try drain()
            }
        }

        /// The same on PostgreSQL: pages of events after the last one printed; with --follow, woken by the
        /// NOTIFY of each append and by a poll every --poll-interval (``PostgresEventStore/follow``).
        func tailLog() throws {
            let sink = Unchecked(try ByteSink(output: Terminal.output, lz4: false))
            let (after, limit, follow, poll) = (after, limit, follow, Duration.milliseconds(Int(pollInterval * 1000)))
            try storeOptions.withLog(.read) { log in
                @Sendable func write(_ page: [RecordedEvent]) throws {
                    for event in page {
                        var line: [UInt8] = []
                        event.exportJSON.write(to: &line)
                        line.append(0x0A)
                        try sink.value.write(line)
                    }
                    try sink.value.flush()
                }
                if follow, let store = log as? PostgresEventStore {
                    return try await store.follow(after: after, pollInterval: poll) { try write($0) }
                }
                var position = after
                var printed = 0
                while true {
                    let wanted = min(4096, limit.map { $0 - printed } ?? 4096)
                    guard wanted > 0 else { return }
                    let page = try await log.events(after: position, limit: wanted)
                    guard let last = page.last else { return }
                    try write(page)
                    position = last.position
                    printed += page.count
                }
            }
        }
    }
}

/// Sleeps until a file in a directory changes (inotify on Linux), or a timeout passes. Elsewhere (macOS,
/// which `Package.swift` lists) it polls every 200 ms: `tail --follow` works the same, a little later.
final class ChangeWatcher {
    private let descriptor: Int32

    init(directory: String) {
        #if os(Linux)
            descriptor = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
            if descriptor >= 0 {
                _ = inotify_add_watch(
                    descriptor, directory, UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE))
            }
        #else
            descriptor = -1
        #endif
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Returns after a change or `timeoutMilliseconds`, whichever comes first.
    func wait(timeoutMilliseconds: Int32) {
        guard descriptor >= 0 else {
            usleep(UInt32(min(timeoutMilliseconds, 200)) * 1000)
            return
        }
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        _ = poll(&request, 1, timeoutMilliseconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while read(descriptor, &buffer, buffer.count) > 0 {}
    }
}
