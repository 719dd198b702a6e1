import Foundation
import GantryCore

public struct JobFilter: Sendable, Equatable {
    public var ownerID: UUID?
    public var status: JobStatus?
    public var pluginName: String?
    /// Only dead-lettered jobs.
    public var deadLetteredOnly: Bool

    public init(
        ownerID: UUID? = nil, status: JobStatus? = nil, pluginName: String? = nil, deadLetteredOnly: Bool = false
    ) {
        self.ownerID = ownerID
        self.status = status
        self.pluginName = pluginName
        self.deadLetteredOnly = deadLetteredOnly
    }
}
