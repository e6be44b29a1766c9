import EnrollmentDomain
import EventStore

/// Checks an export whose lines carry proofs, offline: every leaf is rebuilt from its line (RFC 8785 of
/// the object without `proof`), every inclusion proof is checked against the one signed checkpoint all
/// lines share, and the lines must be the checkpoint's export set, in order.
struct ExportProofVerifier {
    let key: NoteVerifier

    func verify(lines next: () throws -> [UInt8]?) throws -> ExportVerifier.Report {
        var report = ExportVerifier.Report()
        report.carriesProofs = true
        var lineNumber = 0
        var signed: SignedCheckpoint?
        var previousIndex: Int64 = -1
        var contiguous = true
        var set = ExportSet.Accumulator()
        func fail(_ position: Int64?, _ problem: String) -> ExportVerifier.Report {
            report.firstBadLine = lineNumber
            report.firstBadPosition = position
            report.problem = problem
            return report
        }
        while let line = try next() {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            guard let object = try? JSONParser.parse(line), var members = object.objectValue else {
                return fail(nil, "line \(lineNumber) is not a JSON object (a damaged or truncated line)")
            }
            let position = members["position"]?.intValue
            guard let proofText = members.removeValue(forKey: "proof")?.stringValue else {
                return fail(position, "line \(lineNumber) carries no proof: it was added to the export")
            }
            guard let position else { return fail(nil, "line \(lineNumber) has no position") }
            let proof: TlogProof
            do {
                proof = try TlogProof(parsing: proofText)
            } catch {
                return fail(position, "line \(lineNumber): \(error)")
            }
            if let signed {
                guard proof.checkpoint == signed.note else {
                    return fail(position, "line \(lineNumber) is proven against another checkpoint than line 1's")
                }
            } else {
                do {
                    signed = try SignedCheckpoint(verifying: proof.checkpoint, with: key)
                } catch {
                    return fail(position, "line \(lineNumber): the checkpoint: \(error)")
                }
            }
            let checkpoint = signed!.checkpoint
            guard proof.index == position - 1 else {
                return fail(
                    position,
                    "line \(lineNumber): the proof is for leaf \(proof.index), but the line says position \(position)")
            }
            guard proof.index > previousIndex else {
                return fail(position, "line \(lineNumber) (position \(position)) is repeated or out of order")
            }
            let leafHash = MerkleHash.leaf(JSONValue.object(members).jcsBytes)
            guard
                MerkleHash.verifyInclusion(
                    index: proof.index, size: checkpoint.size, leafHash: leafHash, path: proof.path,
                    root: checkpoint.root)
            else {
                return fail(
                    position,
                    "line \(lineNumber) (position \(position)) is not in the signed tree: the event was altered or made up, "
                        + "or its proof was damaged")
            }
            contiguous = contiguous && proof.index == previousIndex + 1
            previousIndex = proof.index
            set.add(index: proof.index)
            report.events += 1
            report.firstPosition = report.firstPosition ?? position
            report.headPosition = position
        }
        guard let signed else {
            lineNumber += 1
            return fail(nil, "the export holds no events")
        }
        report.checkpoint = signed
        let checkpoint = signed.checkpoint
        if let stated = ExportSet(checkpoint: checkpoint) {
            let actual = set.set
            guard actual == stated else {
                lineNumber += 1
                return fail(
                    nil,
                    actual.count == stated.count
                        ? "the export's lines are not the events its checkpoint lists: a line was replaced"
                        : "the export holds \(actual.count) events, but its checkpoint lists \(stated.count): "
                            + "lines were removed or added, or the file was truncated")
            }
            report.provenComplete = true
        } else {
            report.provenComplete = contiguous && previousIndex == checkpoint.size - 1
        }
        report.complete = report.firstPosition == 1
        report.headHash = ""
        return report
    }
}
