/// A row of the read models (projections) does not make sense: edited by hand, or damaged. The log is
/// the truth; `rebuild` recomputes the read models from it.
public struct ReadModelError: Error, Sendable, CustomStringConvertible {
    /// The enrollment whose row is wrong.
    public var enrollment: String
    /// What is wrong with it, naming the column.
    public var problem: String

    public init(enrollment: String, problem: String) {
        self.enrollment = enrollment
        self.problem = problem
    }

    public var description: String {
        "the store's read models are damaged (enrollment \(enrollment): \(problem)); run `enroll-audit rebuild` "
            + "to recompute them from the log, then `enroll-audit verify`"
    }
}
