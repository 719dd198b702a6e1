import Foundation
import GantryCore
import GantryEdge
import GantryPorts
import GantryServices
import HTTPTypes
import Hummingbird

struct WizardStep: Sendable {
    var label: String
    var href: String?
    var isDone: Bool
    var isCurrent: Bool
}

struct ImageChoiceView: Sendable {
    var name: String
    var displayName: String
    var reference: String
    var port: Int
    var description: String?
    var checked: Bool
}

/// What the wizard carries from step to step (hidden fields and query parameters).
struct LaunchDraft: Sendable {
    var image: String
    var name: String
    var cpu: String
    var memoryMB: String
    var gpus: String

    init(image: String = "", name: String = "", cpu: String = "1", memoryMB: String = "1024", gpus: String = "0") {
        self.image = image
        self.name = name
        self.cpu = cpu
        self.memoryMB = memoryMB
        self.gpus = gpus
    }

    init(query request: Request) {
        func value(_ key: String) -> String? {
            request.uri.queryParameters[Substring(key)].map { String($0).trimmingCharacters(in: .whitespaces) }
        }
        self.init(
            image: value("image") ?? "", name: value("name") ?? "", cpu: value("cpu") ?? "1",
            memoryMB: value("memory_mb") ?? "1024", gpus: value("gpus") ?? "0")
    }

    init(form: FormFields) {
        self.init(
            image: form.trimmed("image") ?? "", name: form.trimmed("name") ?? "", cpu: form.trimmed("cpu") ?? "",
            memoryMB: form.trimmed("memory_mb") ?? "", gpus: form.trimmed("gpus") ?? "0")
    }

    var query: String {
        [("image", image), ("name", name), ("cpu", cpu), ("memory_mb", memoryMB), ("gpus", gpus)]
            .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? "")" }
            .joined(separator: "&")
    }

    /// The launch request, or the first problem with the numbers and name, per field.
    func request() -> (LaunchRequest?, [String: String]) {
        var errors: [String: String] = [:]
        let cpuValue = Double(cpu)
        let memoryValue = Int(memoryMB)
        let gpuValue = Int(gpus.isEmpty ? "0" : gpus)
        if !Identifiers.isValidInstanceName(name) {
            errors["name"] = "Use 1–63 lowercase letters, digits and hyphens, starting with a letter or digit."
        }
        if let cpuValue, cpuValue.isFinite, cpuValue >= 0.1 {} else { errors["cpu"] = "Enter at least 0.1 CPU." }
        if let memoryValue, memoryValue >= 16 {} else { errors["memory_mb"] = "Enter at least 16 MB." }
        if let gpuValue, gpuValue >= 0 {} else { errors["gpus"] = "Enter a whole number of GPUs (0 or more)." }
        guard errors.isEmpty, let cpuValue, let memoryValue, let gpuValue else { return (nil, errors) }
        return (LaunchRequest(name: name, image: image, cpu: cpuValue, memoryMB: memoryValue, gpus: gpuValue), errors)
    }
}

struct RemainingQuota: Sendable {
    var instances: Int
    var cpu: String
    var memoryMB: Int
    var gpus: Int
    var cpuText: String
    var memoryText: String
    var summary: String

    init(_ report: QuotaReport) {
        instances = max(0, report.limits.instances - report.usage.instances)
        let cpuLeft = max(0, report.limits.cpu - report.usage.cpu)
        cpu = DisplayFormat.cpu(cpuLeft)
        memoryMB = max(0, report.limits.memoryMB - report.usage.memoryMB)
        gpus = max(0, report.limits.gpus - report.usage.gpus)
        cpuText = "\(DisplayFormat.cpu(cpuLeft)) CPU left"
        memoryText = "\(DisplayFormat.memory(mb: memoryMB)) left"
        summary =
            "\(instances) of \(report.limits.instances) instances, \(DisplayFormat.cpu(cpuLeft)) CPU, "
            + "\(DisplayFormat.memory(mb: memoryMB)) memory and \(gpus) GPUs left in your quota."
    }
}

struct WizardBody: Sendable {
    var steps: [WizardStep]
    var isStep1: Bool
    var isStep2: Bool
    var isStep3: Bool
    var images: [ImageChoiceView]
    var draft: LaunchDraft
    var draftQuery: String
    var selected: ImageChoiceView?
    var remaining: RemainingQuota
    var error: String?
    var nameError: String?
    var cpuError: String?
    var memoryError: String?
    var gpusError: String?
    var noInstancesLeft: Bool
    var backHref: String
    var cpuDisplay: String
    var memoryDisplay: String
}

extension Dashboard {
    func registerLaunchWizard<Context: RequestContext>(on router: Router<Context>) {
        router.get("/dashboard/instances/new") { request, _ in
            try await self.signedIn(request) { request, viewer in try await self.launchWizard(request, viewer: viewer) }
        }
        router.post("/dashboard/instances") { request, context in
            try await self.signedInForm(request, context: context) { request, viewer, form in
                try await self.launch(request, viewer: viewer, form: form)
            }
        }
    }

    func launchWizard(_ request: Request, viewer: Viewer) async throws -> Response {
        let draft = LaunchDraft(query: request)
        var step = request.uri.queryParameters["step"].flatMap { Int(String($0)) } ?? 1
        let images = try await services.images.list(skip: 0, limit: PageWindow.maximumLimit).items
        let report = try await services.users.quota(of: viewer.principal.id, by: viewer.principal)
        var errors: [String: String] = [:]
        var message: String?
        var status = HTTPResponse.Status.ok
        if step >= 2, !images.contains(where: { $0.name == draft.image }) {
            step = 1
            if !draft.image.isEmpty || request.uri.queryParameters["step"] != nil {
                message = draft.image.isEmpty ? "Choose an image first." : "There is no image named \(draft.image)."
                status = .badRequest
            }
        }
        if step == 3 {
            let (launchRequest, fieldErrors) = draft.request()
            errors = fieldErrors
            if let launchRequest {
                do {
                    try QuotaPolicy.check(
                        request: ResourceAmount(
                            instances: 1, cpu: launchRequest.cpu, memoryMB: launchRequest.memoryMB,
                            gpus: launchRequest.gpus),
                        usage: report.usage, limits: report.limits)
                } catch {
                    message = error.detail.capitalizedFirst
                    errors[error.resource == "memory_mb" ? "memory_mb" : (error.resource ?? "cpu")] =
                        error.detail.capitalizedFirst
                }
            }
            if !errors.isEmpty || message != nil {
                step = 2
                status = .badRequest
            }
        }
        return try page(
            "launch", title: "Launch an instance", section: .instances, viewer: viewer, request: request,
            body: wizardBody(
                step: step, draft: draft, images: images, report: report, errors: errors, message: message),
            status: status)
    }

    func wizardBody(
        step: Int, draft: LaunchDraft, images: [CatalogImage], report: QuotaReport, errors: [String: String],
        message: String?
    ) -> WizardBody {
        let choices = images.map {
            ImageChoiceView(
                name: $0.name, displayName: $0.displayName, reference: $0.reference, port: $0.port,
                description: $0.description.isEmpty ? nil : $0.description, checked: $0.name == draft.image)
        }
        let labels = ["Image", "Size", "Review"]
        let hrefs: [String?] = [
            "/dashboard/instances/new?step=1&\(draft.query)", "/dashboard/instances/new?step=2&\(draft.query)", nil,
        ]
        let remaining = RemainingQuota(report)
        return WizardBody(
            steps: labels.indices.map { index in
                WizardStep(
                    label: labels[index], href: index + 1 < step ? hrefs[index] : nil, isDone: index + 1 < step,
                    isCurrent: index + 1 == step)
            },
            isStep1: step <= 1, isStep2: step == 2, isStep3: step >= 3, images: choices, draft: draft,
            draftQuery: draft.query,
            selected: choices.first { $0.checked }, remaining: remaining, error: message,
            nameError: errors["name"], cpuError: errors["cpu"], memoryError: errors["memory_mb"],
            gpusError: errors["gpus"], noInstancesLeft: remaining.instances == 0,
            backHref: "/dashboard/instances/new?step=\(max(1, step - 1))&\(draft.query)",
            cpuDisplay: Double(draft.cpu).map(DisplayFormat.cpu) ?? draft.cpu,
            memoryDisplay: Int(draft.memoryMB).map { DisplayFormat.memory(mb: $0) } ?? draft.memoryMB)
    }

    func launch(_ request: Request, viewer: Viewer, form: FormFields) async throws -> Response {
        let draft = LaunchDraft(form: form)
        let (launchRequest, errors) = draft.request()
        do {
            guard let launchRequest else { throw GantryError.invalid("check the highlighted fields") }
            let instance = try await services.instances.launch(launchRequest, by: viewer.principal)
            return redirect(
                to: "/dashboard/instances/\(instance.id.uuidString.lowercased())",
                flash: Flash(kind: .success, message: "Launching \(instance.name) on \(instance.node)."))
        } catch let error as GantryError {
            let images = try await services.images.list(skip: 0, limit: PageWindow.maximumLimit).items
            let report = try await services.users.quota(of: viewer.principal.id, by: viewer.principal)
            var fieldErrors = errors
            if error.code.hasPrefix("duplicate") || error.detail.contains("name") {
                fieldErrors["name"] = error.detail.capitalizedFirst
            }
            let known = images.contains { $0.name == draft.image }
            return try page(
                "launch", title: "Launch an instance", section: .instances, viewer: viewer, request: request,
                body: wizardBody(
                    step: known ? 2 : 1, draft: draft, images: images, report: report, errors: fieldErrors,
                    message: error.detail.capitalizedFirst),
                status: ErrorMapping.status(for: error.kind))
        }
    }
}
