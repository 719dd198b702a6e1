import Foundation
import GantryCore

/// One Docker Engine (one node). Implemented by the DockerEngine adapter.
public protocol ContainerRuntime: Sendable {
    /// Exec and attach, where this engine offers them.
    var capabilities: ContainerRuntimeCapabilities { get }
    func ping() async throws(ContainerRuntimeError)
    func info() async throws(ContainerRuntimeError) -> EngineInfo
    func imageExists(_ reference: String) async throws(ContainerRuntimeError) -> Bool
    /// Pulls `reference`, waiting until the pull has finished; throws `imagePullFailed`.
    func pullImage(_ reference: String) async throws(ContainerRuntimeError)
    /// Creates (does not start) a container; returns its id.
    func createContainer(_ spec: ContainerSpec) async throws(ContainerRuntimeError) -> String
    /// Starts a created or stopped container; throws `portInUse` when its host port is taken.
    func startContainer(id: String) async throws(ContainerRuntimeError)
    func stopContainer(id: String, timeoutSeconds: Int) async throws(ContainerRuntimeError)
    /// Removes a container (and its anonymous volumes); succeeds if it is already gone.
    func removeContainer(id: String) async throws(ContainerRuntimeError)
    /// `nil` when no such container exists.
    func inspectContainer(id: String) async throws(ContainerRuntimeError) -> ContainerObservation?
    /// All containers, running or not, that carry every label in `labels`.
    func listContainers(labels: [String: String]) async throws(ContainerRuntimeError) -> [ContainerObservation]
    /// The last `tail` lines of stdout and stderr, interleaved as text.
    func logs(id: String, tail: Int) async throws(ContainerRuntimeError) -> String
    /// Creates the bridge network `name` unless it exists. `isolated` turns off traffic between
    /// its containers (inter-container communication), leaving their way out. Returns its id.
    func ensureNetwork(
        _ name: String, isolated: Bool, labels: [String: String]
    ) async throws(ContainerRuntimeError) -> String
    /// The container's address on `network`, if attached.
    func containerAddress(id: String, network: String) async throws(ContainerRuntimeError) -> String?
}
