import ArgumentParser

/// Benchmarks for Gantry. Each prints its figure beside a baseline measured in the same run.
@main
struct GantryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gantry-bench",
        abstract: "Gantry benchmarks (run them all with scripts/bench.sh).",
        subcommands: [
            PlacementBenchmark.self, LaunchBenchmark.self, SeedInstances.self, CleanupInstances.self,
            SchemaValidationBenchmark.self, JobQueueBenchmark.self, JobEndToEndBenchmark.self,
            JobSubmitBenchmark.self, DashboardRenderBenchmark.self, HostileLoadBenchmark.self,
        ]
    )
}
