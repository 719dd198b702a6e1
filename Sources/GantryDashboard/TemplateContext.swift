import Foundation
import Mustache

/// Turns a view model into dictionaries and arrays before rendering. swift-mustache resolves
/// every `{{name}}` on a struct through `Mirror`, walking the fields for each lookup; a page of
/// a hundred table rows made that most of the render time. Reflecting each value once here and
/// handing Mustache dictionaries (which it looks up directly) keeps the same semantics: a nil
/// optional is left out, so the name resolves in the enclosing context as before.
enum TemplateContext {
    static func make(_ value: Any) -> Any {
        switch value {
        case is String, is Bool, is Int, is Double, is Substring, is any MustacheParent:
            // Hot view models (table rows) answer lookups themselves, without reflection.
            return value
        default:
            break
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            guard let wrapped = mirror.children.first?.value else { return value }
            return make(wrapped)
        case .collection, .set:
            return mirror.children.map { make($0.value) }
        case .struct, .class:
            var fields: [String: Any] = [:]
            fields.reserveCapacity(Int(mirror.children.count))
            for child in mirror.children {
                guard let label = child.label else { continue }
                let field = Mirror(reflecting: child.value)
                if field.displayStyle == .optional {
                    guard let wrapped = field.children.first?.value else { continue }
                    fields[label] = make(wrapped)
                } else {
                    fields[label] = make(child.value)
                }
            }
            return fields
        default:
            return value
        }
    }
}
