import Foundation
import Ingest
import TestSupport
import Testing

struct LineReaderTests {
    let directory = TemporaryDirectory()

    func lines(_ text: String, limit: Int) throws -> [String] {
        let path = directory.path("lines.txt")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let reader = LineReader(
            handle: try FileHandle(forReadingFrom: URL(fileURLWithPath: path)), maximumLineLength: limit)
        var lines: [String] = []
        while let line = try reader.next() {
            switch line {
            case .text(let bytes): lines.append(String(decoding: bytes, as: UTF8.self))
            case .tooLong(let prefix, let length): lines.append("<\(length) bytes from \(prefix.count)>")
            }
        }
        return lines
    }

    @Test func crlfEmptyAndOverLongLinesAreSeparatedCleanly() throws {
        let long = String(repeating: "x", count: 25)
        #expect(
            try lines("short\r\n\n\(long)\nok\r\n\(long)", limit: 10) == [
                "short", "", "<25 bytes from 25>", "ok", "<25 bytes from 25>",
            ])
        #expect(try lines("", limit: 10) == [])
        #expect(try lines("a\n", limit: 10) == ["a"])
        #expect(try lines("\u{FEFF}{\n}\n", limit: 10) == ["{", "}"])
    }

    @Test func aLineOverTheLimitSpanningManyReadsIsSkippedToItsEnd() throws {
        let long = String(repeating: "y", count: 3 << 20)
        #expect(
            try lines("first\n\(long)\nlast\n", limit: 1 << 20) == ["first", "<\(3 << 20) bytes from 1024>", "last"])
    }
}
