import Foundation
import GantryCore
import NIOCore

/// Engines that can run attached processes in their containers.
public protocol ContainerExecutor: Sendable {
    func exec(_ command: ExecCommand) async throws(ContainerRuntimeError) -> any ContainerExecSession
}
