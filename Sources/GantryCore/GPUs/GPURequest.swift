import Foundation

/// What a session asks for in `mig_profile`.
public enum GPURequest: Sendable, Equatable, CustomStringConvertible {
    case none
    /// A whole GPU.
    case full
    case mig(profile: String)

    /// Parses `none`, `full` or a MIG profile name; throws `invalid_request` otherwise.
    public static func parse(_ text: String) throws(GantryError) -> GPURequest {
        let value = text.trimmingCharacters(in: .whitespaces).lowercased()
        switch value {
        case "none", "": return .none
        case "full", "whole": return .full
        default:
            guard MIGProfile.parse(name: value) != nil else {
                throw .invalid(
                    "mig_profile must be a MIG profile such as 1g.5gb, 3g.20gb or 7g.40gb, \"full\" or \"none\"; got \"\(text)\""
                )
            }
            return .mig(profile: value)
        }
    }

    public var description: String {
        switch self {
        case .none: "none"
        case .full: "full"
        case .mig(let profile): profile
        }
    }

    public var wantsGPU: Bool { self != .none }
}
