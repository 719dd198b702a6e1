import Foundation
import GantryCore
import NIOCore

/// One piece of what an exec'd process wrote.
public enum ExecOutputChunk: Sendable, Equatable {
    case stdout(ByteBuffer)
    case stderr(ByteBuffer)
}
