import ArgumentParser
import Foundation
import GantryCore
import GantryJSONSchema

/// Seed 003's job input checked against its input schema, in memory: `JSONSchema.validate` on the
/// parsed input, the full report an HTTP 400 would carry. Baseline: the same input bytes decoded
/// with `JSONDecoder` into a hand-written `Codable` struct, the check a service would write
/// without schemas.
struct SchemaValidationBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema-validation", abstract: "Job input validation against a plugin schema, in memory.")

    @Option(help: "Validations to run.") var iterations = 200_000

    func run() async throws {
        let result = runSchemaValidationBenchmark(iterations: iterations)
        print(
            String(
                format:
                    "schema-validation: %.0f validations/s (target >= 100000)   baseline JSONDecoder: %.0f/s   ratio %.2fx",
                result.perSecond, result.baselinePerSecond, result.baselinePerSecond / result.perSecond))
    }
}

/// Seed 003 (the inference plugin): its input schema and example input.
private enum SeedSchema003 {
    static let inputSchema = """
        {"type":"object","properties":{"features":{"type":"array","items":{"type":"number"}},\
        "model_params":{"type":"object"}},"required":["features"]}
        """
    static let exampleInput = #"{"features":[1.0,2.0,3.0,4.0],"model_params":{"threshold":0.5}}"#
}

/// The baseline's hand-written shape of the same input.
private struct SeedInput003: Decodable {
    var features: [Double]
    var modelParams: [String: Double]?

    enum CodingKeys: String, CodingKey {
        case features
        case modelParams = "model_params"
    }
}

/// Validates seed 003's example input against its input schema `iterations` times (the schema is
/// compiled and the input parsed once, outside the timing), then decodes the same bytes as many
/// times with `JSONDecoder`. Returns both rates per second; a rate is 0 when its check rejected
/// the input (so a broken validator cannot look fast).
public func runSchemaValidationBenchmark(iterations: Int) -> (perSecond: Double, baselinePerSecond: Double) {
    let rounds = max(1, iterations)
    let body = Data(SeedSchema003.exampleInput.utf8)
    guard let schemaDocument = try? JSONValue(parsing: SeedSchema003.inputSchema),
        let schema = try? JSONSchema(schemaDocument), let input = try? JSONValue(parsing: body)
    else { return (0, 0) }

    var accepted = 0
    let start = ContinuousClock.now
    for _ in 0..<rounds where schema.validate(input).isEmpty {
        accepted += 1
    }
    let elapsed = ContinuousClock.now - start

    let decoder = JSONDecoder()
    var decoded = 0
    let baselineStart = ContinuousClock.now
    for _ in 0..<rounds {
        if let input = try? decoder.decode(SeedInput003.self, from: body), !input.features.isEmpty { decoded += 1 }
    }
    let baselineElapsed = ContinuousClock.now - baselineStart

    func rate(_ count: Int, _ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        let total = Double(seconds) + Double(attoseconds) / 1e18
        return count == rounds && total > 0 ? Double(rounds) / total : 0
    }
    return (rate(accepted, elapsed), rate(decoded, baselineElapsed))
}
