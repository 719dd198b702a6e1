import Foundation
import GantryCore
import Synchronization

/// What one attempt's process did, before Gantry judges it.
public struct JobRunOutput: Sendable, Equatable {
    public var exitCode: Int?
    public var stdout: String
    /// The end of stderr without progress lines.
    public var stderrTail: String
    public var outOfMemory: Bool

    public init(exitCode: Int?, stdout: String, stderrTail: String, outOfMemory: Bool = false) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderrTail = stderrTail
        self.outOfMemory = outOfMemory
    }
}
