import Foundation
import GantryCore

public struct StaticRuntimeDirectory: ContainerRuntimeDirectory {
    private let runtimes: [String: any ContainerRuntime]

    public init(_ runtimes: [String: any ContainerRuntime]) { self.runtimes = runtimes }

    public func runtime(forNode name: String) -> (any ContainerRuntime)? { runtimes[name] }
}
