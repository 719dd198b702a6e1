import Foundation
import GantryCore

/// The `container_template` column: a workload's `ContainerTemplate` as JSON. Strict both ways:
/// a row whose template is missing or does not decode is an error, never a guessed container.
enum StoredTemplate {
    static func encode(_ template: ContainerTemplate) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(template), as: UTF8.self)
    }

    static func decode(_ text: String?, column: String) throws -> ContainerTemplate {
        guard let text else { throw StoreMappingError.missing(column) }
        do {
            return try JSONDecoder().decode(ContainerTemplate.self, from: Data(text.utf8))
        } catch {
            throw StoreMappingError.invalid(column, text)
        }
    }
}
