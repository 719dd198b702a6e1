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
    static func encode(_ page: Page<Instance>, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer? {
        var buffer = allocator.buffer(capacity: 128 + page.items.count * 640)
        buffer.writeStaticString("{\"total\":")
        buffer.writeString(String(page.total))
        buffer.writeStaticString(",\"items\":[")
        let dates = InternetDateTranscoder()
        for (index, instance) in page.items.enumerated() {
            if index > 0 { buffer.writeStaticString(",") }
            guard write(instance, to: &buffer, dates: dates) else { return nil }
        }
        buffer.writeStaticString("]}")
        return buffer
    }

    private static func write(_ instance: Instance, to buffer: inout ByteBuffer, dates: InternetDateTranscoder) -> Bool
    {
        guard let cpu = number(instance.cpu) else { return false }
        buffer.writeStaticString("{\"id\":")
        string(instance.id.uuidString.lowercased(), to: &buffer)
        buffer.writeStaticString(",\"name\":")
        string(instance.name, to: &buffer)
        buffer.writeStaticString(",\"image\":")
        string(instance.image, to: &buffer)
        buffer.writeStaticString(",\"image_reference\":")
        string(instance.imageReference, to: &buffer)
        buffer.writeStaticString(",\"cpu\":")
        buffer.writeString(cpu)
        buffer.writeStaticString(",\"memory_mb\":")
        buffer.writeString(String(instance.memoryMB))
        buffer.writeStaticString(",\"gpus\":")
        buffer.writeString(String(instance.gpus))
        buffer.writeStaticString(",\"state\":")
        string(instance.state.rawValue, to: &buffer)
        buffer.writeStaticString(",\"desired_state\":")
        string(instance.desiredState.rawValue, to: &buffer)
        if let reason = instance.stateReason {
            buffer.writeStaticString(",\"state_reason\":")
            string(reason, to: &buffer)
        }
        buffer.writeStaticString(",\"node\":")
        string(instance.node, to: &buffer)
        buffer.writeStaticString(",\"host_ip\":")
        string(instance.hostIP, to: &buffer)
        if let port = instance.hostPort {
            buffer.writeStaticString(",\"host_port\":")
            buffer.writeString(String(port))
        }
        if let endpoint = instance.endpoint {
            buffer.writeStaticString(",\"endpoint\":")
            string(endpoint, to: &buffer)
        }
        if let container = instance.containerID {
            buffer.writeStaticString(",\"container_id\":")
            string(container, to: &buffer)
        }
        buffer.writeStaticString(",\"owner_id\":")
        string(instance.ownerID.uuidString.lowercased(), to: &buffer)
        buffer.writeStaticString(",\"created_at\":")
        string(dates.format(instance.createdAt), to: &buffer)
        buffer.writeStaticString(",\"updated_at\":")
        string(dates.format(instance.updatedAt), to: &buffer)
        buffer.writeStaticString(",\"state_changed_at\":")
        string(dates.format(instance.stateChangedAt), to: &buffer)
        buffer.writeStaticString("}")
        return true
    }

    /// A Double as JSONEncoder writes it: its shortest description, without a trailing `.0`.
    /// nil where that would be an exponent form, a NaN or an infinity.
    static func number(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        var text = value.description
        guard !text.contains("e") else { return nil }
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    /// A JSON string as JSONEncoder writes it with `.withoutEscapingSlashes`: quotes, backslashes
    /// and control characters escaped, everything else as UTF-8.
    static func string(_ text: String, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        let utf8 = text.utf8
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 {
                buffer.writeBytes(utf8[start..<index])
                writeEscape(byte, to: &buffer)
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        buffer.writeBytes(utf8[start..<index])
        buffer.writeInteger(UInt8(ascii: "\""))
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
            let hex = Array("0123456789abcdef".utf8)
            buffer.writeStaticString("\\u00")
            buffer.writeInteger(hex[Int(byte >> 4)])
            buffer.writeInteger(hex[Int(byte & 0x0F)])
        }
    }
}
