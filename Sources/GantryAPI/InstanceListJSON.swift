import Foundation
import GantryCore
import GantryPorts
import NIOCore

/// `GET /api/v1/instances`'s body written by hand: the generated encoding (Foundation's
/// `JSONEncoder` over the generated types) was most of the cost of the hottest read. It writes
/// exactly the bytes the generated encoding writes — same key order, omitted nils, number and
/// date formats, escapes — and `InstanceListJSONTests` holds it to that, byte for byte.
enum InstanceListJSON {
    /// The body, or nil for a page this encoder does not promise to write identically (a number
    /// JSONEncoder would write in exponent form); the caller then uses the generated encoding.
    /// With `fragments`, an instance written before (and unchanged since) is copied from there.
    static func encode(
        _ page: Page<Instance>, fragments: InstanceFragmentCache? = nil,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) -> ByteBuffer? {
        var buffer = allocator.buffer(capacity: 128 + page.items.count * 720)
        buffer.writeStaticString("{\"items\":[")
        if let fragments {
            guard let written = fragments.fragments(for: page.items, allocator: allocator, encode: write) else {
                return nil
            }
            for (index, fragment) in written.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                buffer.writeImmutableBuffer(fragment)
            }
        } else {
            for (index, instance) in page.items.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                guard write(instance, to: &buffer) else { return nil }
            }
        }
        buffer.writeStaticString("],\"total\":")
        integer(page.total, to: &buffer)
        buffer.writeInteger(UInt8(ascii: "}"))
        return buffer
    }

    /// The keys in the order `.sortedKeys` puts them, nils left out as the generated types do.
    static func write(_ instance: Instance, to buffer: inout ByteBuffer) -> Bool {
        guard let cpu = number(instance.cpu) else { return false }
        buffer.writeInteger(UInt8(ascii: "{"))
        if let container = instance.containerID {
            buffer.writeStaticString("\"container_id\":")
            string(container, to: &buffer)
            buffer.writeInteger(UInt8(ascii: ","))
        }
        buffer.writeStaticString("\"cpu\":")
        buffer.writeString(cpu)
        buffer.writeStaticString(",\"created_at\":")
        date(instance.createdAt, to: &buffer)
        buffer.writeStaticString(",\"desired_state\":")
        string(instance.desiredState.rawValue, to: &buffer)
        if let endpoint = instance.endpoint {
            buffer.writeStaticString(",\"endpoint\":")
            string(endpoint, to: &buffer)
        }
        buffer.writeStaticString(",\"gpus\":")
        integer(instance.gpus, to: &buffer)
        buffer.writeStaticString(",\"host_ip\":")
        string(instance.hostIP, to: &buffer)
        if let port = instance.hostPort {
            buffer.writeStaticString(",\"host_port\":")
            integer(port, to: &buffer)
        }
        buffer.writeStaticString(",\"id\":")
        uuid(instance.id, to: &buffer)
        buffer.writeStaticString(",\"image\":")
        string(instance.image, to: &buffer)
        buffer.writeStaticString(",\"image_reference\":")
        string(instance.imageReference, to: &buffer)
        buffer.writeStaticString(",\"memory_mb\":")
        integer(instance.memoryMB, to: &buffer)
        buffer.writeStaticString(",\"name\":")
        string(instance.name, to: &buffer)
        buffer.writeStaticString(",\"node\":")
        string(instance.node, to: &buffer)
        buffer.writeStaticString(",\"owner_id\":")
        uuid(instance.ownerID, to: &buffer)
        buffer.writeStaticString(",\"state\":")
        string(instance.state.rawValue, to: &buffer)
        buffer.writeStaticString(",\"state_changed_at\":")
        date(instance.stateChangedAt, to: &buffer)
        if let reason = instance.stateReason {
            buffer.writeStaticString(",\"state_reason\":")
            string(reason, to: &buffer)
        }
        buffer.writeStaticString(",\"updated_at\":")
        date(instance.updatedAt, to: &buffer)
        buffer.writeInteger(UInt8(ascii: "}"))
        return true
    }

    /// A Double as JSONEncoder writes it: its shortest description, without a trailing `.0`.
    /// nil where that would be an exponent form, a NaN or an infinity.
    static func number(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        var text = value.description
        guard !text.utf8.contains(UInt8(ascii: "e")) else { return nil }
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// A quoted lower-case UUID, as the API writes ids.
    static func uuid(_ id: UUID, to buffer: inout ByteBuffer) {
        withUnsafeBytes(of: id.uuid) { bytes in
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 38) { text in
                text[0] = UInt8(ascii: "\"")
                var position = 1
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    text[position] = hexDigits[Int(byte >> 4)]
                    text[position + 1] = hexDigits[Int(byte & 0x0F)]
                    position += 2
                }
                text[37] = UInt8(ascii: "\"")
                return 38
            }
        }
    }

    static func integer(_ value: Int, to buffer: inout ByteBuffer) {
        guard value >= 0, value < 10 else {
            buffer.writeString(String(value))
            return
        }
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(value))
    }

    /// A quoted `YYYY-MM-DDTHH:MM:SSZ`, as `InternetDateTranscoder` writes dates.
    static func date(_ date: Date, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeString(InternetDateTranscoder().format(date))
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    /// A JSON string as JSONEncoder writes it with `.withoutEscapingSlashes`: quotes, backslashes
    /// and control characters escaped, everything else as UTF-8.
    static func string(_ text: String, to buffer: inout ByteBuffer) {
        var text = text
        text.withUTF8 { bytes in
            buffer.writeInteger(UInt8(ascii: "\""))
            var start = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 else { continue }
                buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                writeEscape(byte, to: &buffer)
                start = index + 1
            }
            buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
            buffer.writeInteger(UInt8(ascii: "\""))
        }
    }

    private static func writeEscape(_ byte: UInt8, to buffer: inout ByteBuffer) {
        switch byte {
        case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
        case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
        case 0x08: buffer.writeStaticString("\\b")
        case 0x0C: buffer.writeStaticString("\\f")
        case 0x0A: buffer.writeStaticString("\\n")
        case 0x0D: buffer.writeStaticString("\\r")
        case 0x09: buffer.writeStaticString("\\t")
        default:
            buffer.writeStaticString("\\u00")
            buffer.writeInteger(hexDigits[Int(byte >> 4)])
            buffer.writeInteger(hexDigits[Int(byte & 0x0F)])
        }
    }
}
