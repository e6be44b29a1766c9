import EnrollmentDomain
import EventStore
import Foundation
import TestSupport
import Testing

@testable import Ingest

/// The ingest with its worker thread ahead of the writer: a bad record still fails the ingest where it is,
/// naming its file, line and field, and the batches before it are all that is stored.
struct PipelineIngestTests {
    @Test(arguments: [1, 16, 4_096])
    func aBadRecordAtLineNNamesItAndOnlyTheBatchesBeforeItsBatchAreStored(readAhead: Int) throws {
        let directory = TemporaryDirectory()
        var lines = EventFactory.ndjsonLines(count: 2_500)
        // Line 2,345: a known type whose field has the wrong type.
        lines[2_344] = lines[2_344].replacingOccurrences(of: #""name":"Outlook""#, with: #""name":17"#)
        let store = try SQLiteEventStore(path: directory.path("pipeline.sqlite"))
        var options = IngestOptions()
        options.commitEvery = 1_000
        options.readAhead = readAhead
        let error = #expect(throws: IngestError.self) {
            try Ingesting.run(
                text: lines.joined(separator: "\n") + "\n", named: "bulk.ndjson", in: directory, into: store,
                options: options)
        }
        let failure = try #require(error)
        #expect(failure.totalRejected == 1)
        let rejected = try #require(failure.rejected.first)
        #expect(rejected.file.hasSuffix("bulk.ndjson"))
        #expect(rejected.line == 2_345)
        #expect(rejected.reason.contains("name"))
        #expect(failure.committed.appended == 2_000)
        #expect(try store.head().position == 2_000)
        #expect(try store.verify().ok)
    }

    @Test func theSameInputIngestedTwiceStoresEachEventOnceWithTheSameHeadAndTree() throws {
        let directory = TemporaryDirectory()
        let text = EventFactory.ndjsonLines(count: 3_000).joined(separator: "\n") + "\n"
        let store = try SQLiteEventStore(path: directory.path("twice.sqlite"))
        var options = IngestOptions()
        options.readAhead = 8
        let first = try Ingesting.run(text: text, in: directory, into: store, options: options)
        let head = try store.head()
        let tree = try store.treeHead()
        let second = try Ingesting.run(text: text, in: directory, into: store, options: options)
        #expect(first.total.appended == 3_000)
        #expect(second.total.duplicates == 3_000)
        #expect(try store.head() == head)
        #expect(try store.treeHead() == tree)
        #expect(try store.verify().ok)
    }
}
