import Foundation
import Synchronization

/// Ports for tests that run in parallel, each on its own.
public enum FreePorts {
    /// A port the kernel says is free right now on 127.0.0.1 (bound to port 0, read back,
    /// released): for a server a test starts itself.
    public static func ephemeral() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket() failed") }
        defer { close(descriptor) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw TestFailure("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static let handedOut = Mutex<Set<Int>>([])

    /// A port in `range` that nothing is bound to now and no other test of this process got: for
    /// ports a container publishes, which must not come from the kernel's ephemeral range.
    public static func unbound(in range: ClosedRange<Int> = 20_000...40_000) throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: range)
            guard handedOut.withLock({ $0.insert(port).inserted }) else { continue }
            if canBind(port) { return port }
        }
        throw TestFailure("no free port found in \(range)")
    }

    private static let nextBlock = Atomic<Int>(0)

    /// A block of `size` consecutive ports for one test's server to hand out (its port range),
    /// distinct per test in this process and, by process id, likely across processes.
    public static func block(size: Int = 40) -> ClosedRange<Int> {
        let block = nextBlock.add(1, ordering: .relaxed).oldValue
        let base = 40_000 + (Int(ProcessInfo.processInfo.processIdentifier) % 50) * 200 + block * size
        let start = 40_000 + (base - 40_000) % 20_000
        return start...(start + size - 1)
    }

    private static func canBind(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = INADDR_ANY
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
