import Foundation
import GantryCore

/// What the engine says about its host, read at start to register the node.
public struct EngineInfo: Sendable, Equatable {
    public var hostname: String
    public var cpus: Int
    public var memoryBytes: Int64
    public var serverVersion: String
    public var operatingSystem: String

    public init(hostname: String, cpus: Int, memoryBytes: Int64, serverVersion: String, operatingSystem: String) {
        self.hostname = hostname
        self.cpus = cpus
        self.memoryBytes = memoryBytes
        self.serverVersion = serverVersion
        self.operatingSystem = operatingSystem
    }
}
