import GantryCore
import GantryPorts

/// Turns adapter failures into the one error type the edges understand.
func mapStoreError(_ error: any Error, duplicate: (String) -> GantryError) -> any Error {
    switch error {
    case let error as GantryError: return error
    case StoreError.duplicate(let field): return duplicate(field)
    case StoreError.notFound: return GantryError.notFound("record")
    case StoreError.unavailable(let detail): return GantryError.unavailable("database unavailable: \(detail)")
    default: return error
    }
}
