import EnrollmentDomain
import Foundation
import Ingest

// A libFuzzer target for the input decoders (`make fuzz`). Each input is fed, line by line, to the
// decoder of every format; any crash, hang or unbounded growth is a bug. A decoder must turn every
// input into records that are events, skipped or rejected with a reason.
//
// Built normally (`swift build`, no FUZZING flag), it replays files given as arguments through the same function, so
// a crash found by the fuzzer can be reproduced and debugged without the sanitizer.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
    for format in InputFormat.allCases {
        let decoder = IngestRunner().decoder(for: format)
        var records: [DecodedRecord] = []
        var lineNumber = 0
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            records += decoder.feed(Array(line), lineNumber: lineNumber)
        }
        records += decoder.finish()
        for record in records {
            if case .rejected(let reason) = record.outcome, reason.isEmpty {
                fatalError("a rejection without a reason")
            }
            if record.line < 1 || record.line > max(lineNumber, 1) { fatalError("a record outside the input's lines") }
        }
    }
    _ = FormatDetector.detect(bytes)
    return 0
}

#if !FUZZING
/// Replays the inputs named on the command line through ``fuzzOneInput(_:_:)``.
@main
enum Replay {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                exit(1)
            }
            _ = data.withUnsafeBytes { fuzzOneInput($0.baseAddress, $0.count) }
            print("\(path): ok")
        }
    }
}
#endif
