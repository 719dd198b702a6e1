import NIOCore
import NIOPosix

/// The address users reach this host on, for instance endpoints.
enum HostAddress {
    /// The first non-loopback IPv4 address of an interface that is up; 127.0.0.1 when none.
    static func detect() -> String {
        let devices = (try? System.enumerateDevices()) ?? []
        for device in devices {
            guard let address = device.address, case .v4 = address, let ip = address.ipAddress,
                !ip.hasPrefix("127."), !device.name.hasPrefix("docker"), !device.name.hasPrefix("br-"),
                !device.name.hasPrefix("veth")
            else { continue }
            return ip
        }
        return "127.0.0.1"
    }
}
