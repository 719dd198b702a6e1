import Foundation
import GantryCore
import GantryOpenAPI
import GantryServices
import OpenAPIRuntime

extension Components.Schemas.Plugin {
    init(_ plugin: Plugin) {
        self.init(
            id: plugin.id.uuidString.lowercased(), name: plugin.name, version: plugin.version,
            description: plugin.description, dockerImageUrl: plugin.imageReference,
            inputSchema: plugin.inputSchema?.openAPIValue, outputSchema: plugin.outputSchema?.openAPIValue,
            resources: .init(
                cpu: plugin.resources.cpu, memoryMb: plugin.resources.memoryMB, gpus: plugin.resources.gpus),
            timeoutSeconds: plugin.timeoutSeconds,
            inputMode: plugin.inputMode == .argv ? .argv : .stdin, network: plugin.network,
            createdAt: plugin.createdAt, updatedAt: plugin.updatedAt)
    }
}

extension PluginManifest {
    init(_ body: Components.Schemas.NewPlugin) {
        self.init(
            name: body.name, version: body.version, description: body.description,
            imageReference: body.dockerImageUrl ?? body.dockerImage,
            inputSchema: Self.schema("input_schema", decoded: body.inputSchema),
            outputSchema: Self.schema("output_schema", decoded: body.outputSchema), cpu: body.resources?.cpu,
            memoryMB: body.resources?.memoryMb, gpus: body.resources?.gpus, timeoutSeconds: body.timeoutSeconds,
            inputMode: body.inputMode?.rawValue, network: body.network)
    }

    /// A schema member as sent (numbers exact) where the body was read whole; null is no schema.
    private static func schema(_ key: String, decoded: OpenAPIValueContainer?) -> JSONValue? {
        guard let decoded else { return nil }
        if let exact = JSONRequestBody.member(key), exact != .null { return exact }
        return JSONValue(decoded)
    }
}

extension Components.Schemas.JobStatus {
    init(_ status: JobStatus) {
        switch status {
        case .queued: self = .queued
        case .processing: self = .processing
        case .completed: self = .completed
        case .failed: self = .failed
        }
    }

    var domain: JobStatus {
        switch self {
        case .queued: .queued
        case .processing: .processing
        case .completed: .completed
        case .failed: .failed
        }
    }
}

extension Components.Schemas.Job {
    /// `withPayloads: false` leaves out input and result, as lists do.
    init(_ job: Job, withPayloads: Bool = true) {
        self.init(
            id: job.id.uuidString.lowercased(), pluginName: job.pluginName, pluginVersion: job.pluginVersion,
            status: .init(job.status), inputData: withPayloads ? job.input.openAPIValue : nil,
            result: withPayloads ? job.result?.openAPIValue : nil, errorMessage: job.errorMessage,
            errorCode: job.errorCode, ownerId: job.ownerID.uuidString.lowercased(), createdAt: job.createdAt,
            startedAt: job.startedAt, completedAt: job.completedAt, updatedAt: job.updatedAt, attempts: job.attempts,
            maxAttempts: job.maxAttempts, nextAttemptAt: job.status == .queued ? job.runAt : nil,
            progress: job.progress, deadLettered: job.deadLettered, cancelRequested: job.cancelRequested,
            attemptHistory: job.history.map {
                .init(
                    attempt: $0.attempt, startedAt: $0.startedAt, endedAt: $0.endedAt, errorCode: $0.errorCode,
                    error: $0.error, exitCode: $0.exitCode)
            })
    }
}

extension Components.Schemas.JobEvent {
    init(_ event: JobEvent) {
        self.init(
            sequence: Int(event.sequence), jobId: event.jobID.uuidString.lowercased(),
            kind: event.kind == .progress ? .progress : .status, status: .init(event.status), attempt: event.attempt,
            progress: event.progress, message: event.message, at: event.at)
    }
}
