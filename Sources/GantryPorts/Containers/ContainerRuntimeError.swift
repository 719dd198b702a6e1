import Foundation
import GantryCore

public enum ContainerRuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The engine could not be reached at all (socket missing, daemon down).
    case unreachable(String)
    case notFound(String)
    /// The host port is already bound by something else on the node.
    case portInUse(String)
    case imagePullFailed(reference: String, detail: String)
    /// Any other answer the engine gave, with its status and message.
    case engine(status: Int, message: String)

    public var description: String {
        switch self {
        case .unreachable(let detail): "container engine unreachable: \(detail)"
        case .notFound(let what): "\(what) not found in the engine"
        case .portInUse(let detail): "host port already in use: \(detail)"
        case .imagePullFailed(let reference, let detail): "pulling image \(reference) failed: \(detail)"
        case .engine(let status, let message): "engine answered \(status): \(message)"
        }
    }
}
