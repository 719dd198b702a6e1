import Foundation
import GantryCore

/// The engines of all nodes, by node name.
public protocol ContainerRuntimeDirectory: Sendable {
    func runtime(forNode name: String) -> (any ContainerRuntime)?
}
