import Foundation
import HTTPTypes
import Hummingbird

/// `Server-Timing` on dashboard pages: how long the template took (`render`) and the whole page
/// on the server (`total`), visible in a browser's developer tools and read by the render benchmark.
enum ServerTiming {
    static let header = HTTPField.Name("Server-Timing")

    static func append(_ metric: String, since start: ContinuousClock.Instant, to response: inout Response) {
        guard let header else { return }
        let elapsed = ContinuousClock.now - start
        let milliseconds =
            Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let entry = "\(metric);dur=\(String(format: "%.3f", milliseconds))"
        if let existing = response.headers[header] {
            response.headers[header] = existing + ", " + entry
        } else {
            response.headers[header] = entry
        }
    }
}
