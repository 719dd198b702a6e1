import Foundation
import GantryCore

/// Runs a compiled schema against one instance. One evaluator serves one `validate`/`isValid`
/// call: it carries the instance and schema paths (for violation locations), the dynamic scope
/// that `$dynamicRef` resolves against, and the reference chain used to stop infinite recursion.
struct JSONSchemaEvaluator {
    /// A subschema's verdict, with the annotations it produced when asked for and valid.
    private typealias Outcome = (valid: Bool, evaluated: JSONSchemaEvaluated)

    private enum InstanceToken {
        case key(String)
        case index(Int)
    }

    private let program: JSONSchemaProgram
    /// When false nothing is recorded and evaluation stops at the first failure (`isValid`, and
    /// subschemas whose failures are expected, such as `not`, `if` and `contains`).
    private var recording: Bool
    private(set) var violations: [JSONSchemaViolation] = []
    private var instancePath: [InstanceToken] = []
    private var schemaPath: [String] = []
    private var dynamicScope: [Int] = []
    private var activeReferences: [(node: Int, depth: Int)] = []
    /// The work and time left to this validation, when it is bounded.
    private var budget: Budget?
    /// Set once the budget ran out: from then on every check fails at once and nothing is recorded.
    private(set) var exceeded: JSONSchemaLimitExceeded?

    private struct Budget {
        let limits: JSONSchemaLimits
        let deadline: ContinuousClock.Instant
        var remaining: Int
        /// Work done since the clock was last read; reading it on every step would cost more than the step.
        var sinceClockCheck = 0
    }

    init(program: JSONSchemaProgram, recording: Bool, limits: JSONSchemaLimits? = nil) {
        self.program = program
        self.recording = recording
        self.budget = limits.map { limits in
            Budget(limits: limits, deadline: .now + limits.timeLimit, remaining: limits.maxEvaluations)
        }
    }

    mutating func evaluateRoot(_ instance: JSONValue) -> Bool {
        let valid = evaluate(node: program.root, instance, annotate: false).valid
        if !valid && recording && violations.isEmpty && exceeded == nil {
            report("$schema", "value does not match the schema")
        }
        return valid
    }

    // MARK: Nodes

    private mutating func evaluate(node index: Int, _ instance: JSONValue, annotate: Bool) -> Outcome {
        guard spend() else { return (false, .none) }
        let node = program.nodes[index]
        switch node.body {
        case .always(let accepts):
            if !accepts { reportFalseSchema() }
            return (accepts, .none)
        case .keywords(let keywords):
            let entersResource = dynamicScope.last != node.resource
            if entersResource { dynamicScope.append(node.resource) }
            defer { if entersResource { dynamicScope.removeLast() } }
            let collect = annotate || node.usesUnevaluated
            var evaluated = JSONSchemaEvaluated()
            var valid = true
            for keyword in keywords where !apply(keyword, to: instance, collect: collect, evaluated: &evaluated) {
                valid = false
                if !recording { break }
            }
            return (valid, valid && annotate ? evaluated : .none)
        }
    }

    /// Evaluates a subschema at the same instance location.
    private mutating func evaluate(_ child: JSONSchemaChild, _ instance: JSONValue, annotate: Bool) -> Outcome {
        schemaPath.append(child.path)
        defer { schemaPath.removeLast() }
        return evaluate(node: child.node, instance, annotate: annotate)
    }

    /// Evaluates a subschema against a member or item of the instance.
    private mutating func evaluate(_ child: JSONSchemaChild, _ instance: JSONValue, at token: InstanceToken) -> Bool {
        instancePath.append(token)
        defer { instancePath.removeLast() }
        return evaluate(child, instance, annotate: false).valid
    }

    /// Evaluates with recording off; the caller reports its own violation if needed.
    private mutating func evaluateQuietly(_ child: JSONSchemaChild, _ instance: JSONValue, annotate: Bool) -> Outcome {
        let saved = recording
        recording = false
        defer { recording = saved }
        return evaluate(child, instance, annotate: annotate)
    }

    private func isFalseSchema(_ child: JSONSchemaChild) -> Bool {
        if case .always(false) = program.nodes[child.node].body { return true }
        return false
    }

    // MARK: Budget

    /// Takes `units` of work from the budget; false once it is spent (or the time is up).
    private mutating func spend(_ units: Int = 1) -> Bool {
        guard var current = budget else { return true }
        guard exceeded == nil else { return false }
        current.remaining -= units
        current.sinceClockCheck += units
        defer { budget = current }
        if current.remaining < 0 {
            stop(.evaluations(current.limits.maxEvaluations))
            return false
        }
        if current.sinceClockCheck >= 1024 {
            current.sinceClockCheck = 0
            if ContinuousClock.now >= current.deadline {
                stop(.time(current.limits.timeLimit))
                return false
            }
        }
        return true
    }

    private mutating func stop(_ limit: JSONSchemaLimitExceeded.Limit) {
        exceeded = JSONSchemaLimitExceeded(limit: limit)
        recording = false
    }

    /// A pattern match within the budget's deadline: a backtracking pattern is stopped, not waited for.
    private mutating func matches(_ pattern: JSONSchemaPattern, _ text: String) -> Bool {
        guard let budget else { return pattern.matches(text) }
        guard exceeded == nil, spend() else { return false }
        guard let matched = pattern.matches(text, until: budget.deadline) else {
            stop(.time(budget.limits.timeLimit))
            return false
        }
        return matched
    }

    private mutating func matchesAny(_ patterns: [JSONSchemaPattern], _ text: String) -> Bool {
        for pattern in patterns where matches(pattern, text) { return true }
        return false
    }

    // MARK: Keywords

    private mutating func apply(
        _ keyword: JSONSchemaKeyword, to instance: JSONValue, collect: Bool, evaluated: inout JSONSchemaEvaluated
    ) -> Bool {
        switch keyword {
        case .ref(let target):
            return follow(target, keyword: "$ref", instance, collect: collect, evaluated: &evaluated)
        case .dynamicRef(let initial, let anchor):
            var target = initial
            if let anchor {
                // The outermost resource in the dynamic scope that declares the anchor wins.
                for resource in dynamicScope {
                    if let node = program.dynamicAnchors[resource][anchor] {
                        target = JSONSchemaChild(node: node, path: initial.path)
                        break
                    }
                }
            }
            return follow(target, keyword: "$dynamicRef", instance, collect: collect, evaluated: &evaluated)
        case .allOf(let children):
            var valid = true
            for child in children {
                let result = evaluate(child, instance, annotate: collect)
                if result.valid {
                    evaluated.formUnion(result.evaluated)
                } else {
                    valid = false
                    if !recording { break }
                }
            }
            return valid
        case .anyOf(let children):
            return applyAnyOf(children, instance, collect: collect, evaluated: &evaluated)
        case .oneOf(let children):
            return applyOneOf(children, instance, collect: collect, evaluated: &evaluated)
        case .not(let child):
            guard evaluateQuietly(child, instance, annotate: false).valid else { return true }
            report("not", "value must not match the schema in \"not\"")
            return false
        case .conditional(let condition, let then, let otherwise):
            let test = evaluateQuietly(condition, instance, annotate: collect)
            if test.valid { evaluated.formUnion(test.evaluated) }
            guard let branch = test.valid ? then : otherwise else { return true }
            let result = evaluate(branch, instance, annotate: collect)
            evaluated.formUnion(result.evaluated)
            return result.valid
        case .dependentSchemas(let dependencies):
            guard case .object(let members) = instance else { return true }
            var valid = true
            for (property, child) in dependencies where members[property] != nil {
                let result = evaluate(child, instance, annotate: collect)
                evaluated.formUnion(result.evaluated)
                if !result.valid {
                    valid = false
                    if !recording { break }
                }
            }
            return valid
        case .unevaluatedItems(let child):
            return applyUnevaluatedItems(child, instance, evaluated: &evaluated)
        case .unevaluatedProperties(let child):
            return applyUnevaluatedProperties(child, instance, evaluated: &evaluated)
        case .prefixItems, .items, .contains:
            return applyArrayKeyword(keyword, instance, collect: collect, evaluated: &evaluated)
        case .properties, .patternProperties, .additionalProperties, .propertyNames:
            return applyObjectKeyword(keyword, instance, collect: collect, evaluated: &evaluated)
        default:
            return check(keyword, instance)
        }
    }

    private mutating func follow(
        _ target: JSONSchemaChild, keyword: String, _ instance: JSONValue, collect: Bool,
        evaluated: inout JSONSchemaEvaluated
    ) -> Bool {
        // Reaching the same subschema again at the same instance location can only recurse
        // forever, so the chain is cut there.
        let depth = instancePath.count
        for active in activeReferences.reversed() {
            guard active.depth == depth else { break }
            if active.node == target.node {
                report(keyword, "reference cycle: the schema refers to itself without consuming input")
                return false
            }
        }
        activeReferences.append((target.node, depth))
        defer { activeReferences.removeLast() }
        let result = evaluate(target, instance, annotate: collect)
        evaluated.formUnion(result.evaluated)
        return result.valid
    }

    private mutating func applyAnyOf(
        _ children: [JSONSchemaChild], _ instance: JSONValue, collect: Bool, evaluated: inout JSONSchemaEvaluated
    ) -> Bool {
        let mark = violations.count
        var branches: [Range<Int>] = []
        var matched = false
        for child in children {
            let start = violations.count
            let result = evaluate(child, instance, annotate: collect)
            branches.append(start..<violations.count)
            if result.valid {
                matched = true
                evaluated.formUnion(result.evaluated)
                // Every matching branch contributes annotations, so keep going only if they count.
                if !collect { break }
            }
        }
        if matched {
            violations.removeSubrange(mark...)
            return true
        }
        reportNoBranch("anyOf", count: children.count, branches: branches, from: mark)
        return false
    }

    private mutating func applyOneOf(
        _ children: [JSONSchemaChild], _ instance: JSONValue, collect: Bool, evaluated: inout JSONSchemaEvaluated
    ) -> Bool {
        let mark = violations.count
        var branches: [Range<Int>] = []
        var matches: [Int] = []
        var matchedEvaluation = JSONSchemaEvaluated.none
        for (offset, child) in children.enumerated() {
            let start = violations.count
            let result = evaluate(child, instance, annotate: collect)
            branches.append(start..<violations.count)
            if result.valid {
                matches.append(offset)
                if matches.count == 1 { matchedEvaluation = result.evaluated } else { break }
            }
        }
        switch matches.count {
        case 1:
            violations.removeSubrange(mark...)
            evaluated.formUnion(matchedEvaluation)
            return true
        case 0:
            reportNoBranch("oneOf", count: children.count, branches: branches, from: mark)
            return false
        default:
            violations.removeSubrange(mark...)
            report("oneOf", "value matches more than one schema in \"oneOf\" (\(matches[0]) and \(matches[1]))")
            return false
        }
    }

    private mutating func applyArrayKeyword(
        _ keyword: JSONSchemaKeyword, _ instance: JSONValue, collect: Bool, evaluated: inout JSONSchemaEvaluated
    ) -> Bool {
        guard case .array(let items) = instance else { return true }
        var valid = true
        switch keyword {
        case .prefixItems(let children):
            for (offset, child) in zip(items.indices, children)
            where !evaluate(child, items[offset], at: .index(offset)) {
                valid = false
                if !recording { break }
            }
            evaluated.itemPrefix = max(evaluated.itemPrefix, min(items.count, children.count))
        case .items(let child, let start):
            if start < items.count {
                for offset in start..<items.count where !evaluate(child, items[offset], at: .index(offset)) {
                    valid = false
                    if !recording { break }
                }
            }
            evaluated.allItems = true
        case .contains(let contains):
            valid = applyContains(contains, items, collect: collect, evaluated: &evaluated)
        default:
            break
        }
        return valid
    }

    private mutating func applyContains(
        _ contains: JSONSchemaContains, _ items: [JSONValue], collect: Bool, evaluated: inout JSONSchemaEvaluated
    ) -> Bool {
        let saved = recording
        recording = false
        var found = 0
        for (offset, item) in items.enumerated() where evaluate(contains.child, item, at: .index(offset)) {
            found += 1
            if collect {
                evaluated.items.insert(offset)
            } else if let maximum = contains.maximum {
                if found > maximum { break }
            } else if found >= contains.minimum {
                break
            }
        }
        recording = saved
        if found < contains.minimum {
            let keyword = contains.hasMinContains ? "minContains" : "contains"
            report(
                keyword,
                "array must contain at least \(contains.minimum) item\(contains.minimum == 1 ? "" : "s") "
                    + "matching \"contains\", found \(found)")
            return false
        }
        if let maximum = contains.maximum, found > maximum {
            report(
                "maxContains",
                "array must contain at most \(maximum) item\(maximum == 1 ? "" : "s") matching \"contains\"")
            return false
        }
        return true
    }

    private mutating func applyObjectKeyword(
        _ keyword: JSONSchemaKeyword, _ instance: JSONValue, collect: Bool, evaluated: inout JSONSchemaEvaluated
    ) -> Bool {
        guard case .object(let members) = instance else { return true }
        var valid = true
        switch keyword {
        case .properties(let properties):
            for (name, child) in properties {
                guard let value = members[name] else { continue }
                if collect { evaluated.properties.insert(name) }
                if !evaluate(child, value, at: .key(name)) {
                    valid = false
                    if !recording { break }
                }
            }
        case .patternProperties(let patterns):
            for name in keys(of: members) {
                for (pattern, child) in patterns where matches(pattern, name) {
                    if collect { evaluated.properties.insert(name) }
                    if let value = members[name], !evaluate(child, value, at: .key(name)) {
                        valid = false
                        if !recording { return false }
                    }
                }
            }
        case .additionalProperties(let additional):
            for name in keys(of: members)
            where !additional.declared.contains(name) && !matchesAny(additional.patterns, name) {
                if collect { evaluated.properties.insert(name) }
                guard let value = members[name], !checkMember(additional.child, "additionalProperties", name, value)
                else { continue }
                valid = false
                if !recording { break }
            }
        case .propertyNames(let child):
            for name in keys(of: members) where !checkPropertyName(child, name) {
                valid = false
                if !recording { break }
            }
        default:
            break
        }
        return valid
    }

    /// Evaluates one member against the schema of `additionalProperties` or
    /// `unevaluatedProperties`; `false` there reports the property by name. Returns validity.
    private mutating func checkMember(
        _ child: JSONSchemaChild, _ keyword: String, _ name: String, _ value: JSONValue
    )
        -> Bool
    {
        if isFalseSchema(child) {
            report(keyword, "property \"\(name)\" is not allowed")
            return false
        }
        return evaluate(child, value, at: .key(name))
    }

    private mutating func checkPropertyName(_ child: JSONSchemaChild, _ name: String) -> Bool {
        if isFalseSchema(child) {
            report("propertyNames", "property name \"\(name)\" is not allowed")
            return false
        }
        let start = violations.count
        let valid = evaluate(child, .string(name), annotate: false).valid
        // The name is not a location in the instance, so say which name the failures are about.
        for offset in start..<violations.count {
            violations[offset].message = "property name \"\(name)\": " + violations[offset].message
        }
        return valid
    }

    private mutating func applyUnevaluatedProperties(
        _ child: JSONSchemaChild, _ instance: JSONValue, evaluated: inout JSONSchemaEvaluated
    ) -> Bool {
        guard case .object(let members) = instance else { return true }
        var valid = true
        for name in keys(of: members) where !evaluated.covers(property: name) {
            if let value = members[name], !checkMember(child, "unevaluatedProperties", name, value) {
                valid = false
                if !recording { break }
            }
        }
        evaluated.allProperties = true
        return valid
    }

    private mutating func applyUnevaluatedItems(
        _ child: JSONSchemaChild, _ instance: JSONValue, evaluated: inout JSONSchemaEvaluated
    ) -> Bool {
        guard case .array(let items) = instance else { return true }
        var valid = true
        for offset in items.indices where !evaluated.covers(item: offset) {
            if isFalseSchema(child) {
                report("unevaluatedItems", "item at index \(offset) is not allowed")
                valid = false
            } else if !evaluate(child, items[offset], at: .index(offset)) {
                valid = false
            }
            if !valid && !recording { break }
        }
        evaluated.allItems = true
        return valid
    }

    /// Member names in a stable order when violations are recorded, so reports are reproducible.
    private func keys(of members: [String: JSONValue]) -> [String] {
        recording ? members.keys.sorted() : Array(members.keys)
    }

    // MARK: Assertions

    private mutating func check(_ keyword: JSONSchemaKeyword, _ instance: JSONValue) -> Bool {
        switch keyword {
        case .type(let types):
            guard types.matches(instance) else {
                report("type", "expected \(types.description), got \(instance.typeName)")
                return false
            }
        case .const(let expected):
            guard instance.isJSONEqual(expected) else {
                report("const", "value must be \(Self.excerpt(expected))")
                return false
            }
        case .enumeration(let options):
            guard options.contains(where: { instance.isJSONEqual($0) }) else {
                report("enum", "value must be one of \(Self.excerpt(.array(options)))")
                return false
            }
        case .multipleOf, .maximum, .exclusiveMaximum, .minimum, .exclusiveMinimum:
            return checkNumber(keyword, instance)
        case .maxLength, .minLength, .pattern:
            return checkString(keyword, instance)
        case .maxItems, .minItems, .uniqueItems:
            return checkArray(keyword, instance)
        case .maxProperties, .minProperties, .required, .dependentRequired:
            return checkObject(keyword, instance)
        default:
            break
        }
        return true
    }

    private mutating func checkNumber(_ keyword: JSONSchemaKeyword, _ instance: JSONValue) -> Bool {
        guard let value = JSONSchemaNumber(instance) else { return true }
        switch keyword {
        case .multipleOf(let rule) where !rule.isMultiple(value):
            report("multipleOf", "\(value) is not a multiple of \(rule.divisor)")
        case .maximum(let limit) where JSONSchemaNumber.compare(value, limit) > 0:
            report("maximum", "\(value) is greater than the maximum \(limit)")
        case .exclusiveMaximum(let limit) where JSONSchemaNumber.compare(value, limit) >= 0:
            report("exclusiveMaximum", "\(value) must be less than \(limit)")
        case .minimum(let limit) where JSONSchemaNumber.compare(value, limit) < 0:
            report("minimum", "\(value) is less than the minimum \(limit)")
        case .exclusiveMinimum(let limit) where JSONSchemaNumber.compare(value, limit) <= 0:
            report("exclusiveMinimum", "\(value) must be greater than \(limit)")
        default:
            return true
        }
        return false
    }

    private mutating func checkString(_ keyword: JSONSchemaKeyword, _ instance: JSONValue) -> Bool {
        guard case .string(let text) = instance else { return true }
        switch keyword {
        case .maxLength(let limit):
            // UTF-8 length bounds the code point count from above, which settles most strings.
            if text.utf8.count <= limit { return true }
            let length = text.unicodeScalars.count
            if length > limit {
                report("maxLength", "string is \(length) characters long, longer than the maximum \(limit)")
                return false
            }
        case .minLength(let limit):
            // A code point takes at most 4 UTF-8 bytes, so long enough strings need no counting.
            if text.utf8.count >= limit * 4 { return true }
            let length = text.unicodeScalars.count
            if length < limit {
                report("minLength", "string is \(length) characters long, shorter than the minimum \(limit)")
                return false
            }
        case .pattern(let pattern):
            guard matches(pattern, text) else {
                report("pattern", "string does not match the pattern \"\(pattern.source)\"")
                return false
            }
        default:
            break
        }
        return true
    }

    private mutating func checkArray(_ keyword: JSONSchemaKeyword, _ instance: JSONValue) -> Bool {
        guard case .array(let items) = instance else { return true }
        switch keyword {
        case .maxItems(let limit) where items.count > limit:
            report("maxItems", "array has \(items.count) items, more than the maximum \(limit)")
        case .minItems(let limit) where items.count < limit:
            report("minItems", "array has \(items.count) items, fewer than the minimum \(limit)")
        case .uniqueItems:
            for later in items.indices {
                guard spend(later) else { return false }
                for earlier in 0..<later where items[earlier].isJSONEqual(items[later]) {
                    report("uniqueItems", "items at index \(earlier) and \(later) are equal")
                    return false
                }
            }
            return true
        default:
            return true
        }
        return false
    }

    private mutating func checkObject(_ keyword: JSONSchemaKeyword, _ instance: JSONValue) -> Bool {
        guard case .object(let members) = instance else { return true }
        switch keyword {
        case .maxProperties(let limit) where members.count > limit:
            report("maxProperties", "object has \(members.count) properties, more than the maximum \(limit)")
        case .minProperties(let limit) where members.count < limit:
            report("minProperties", "object has \(members.count) properties, fewer than the minimum \(limit)")
        case .required(let names):
            var valid = true
            for name in names where members[name] == nil {
                report("required", "missing required property \"\(name)\"")
                valid = false
                if !recording { break }
            }
            return valid
        case .dependentRequired(let dependencies):
            var valid = true
            for (property, names) in dependencies where members[property] != nil {
                for name in names where members[name] == nil {
                    report("dependentRequired", "property \"\(name)\" is required when \"\(property)\" is present")
                    valid = false
                    if !recording { return false }
                }
            }
            return valid
        default:
            return true
        }
        return false
    }

    // MARK: Reporting

    private mutating func report(_ keyword: String, _ message: @autoclosure () -> String) {
        guard recording, exceeded == nil else { return }
        violations.append(
            JSONSchemaViolation(
                instanceLocation: instanceLocation(), keywordLocation: schemaPath.joined() + "/" + keyword,
                keyword: keyword, message: message()))
    }

    private mutating func reportFalseSchema() {
        guard recording else { return }
        violations.append(
            JSONSchemaViolation(
                instanceLocation: instanceLocation(), keywordLocation: schemaPath.joined(), keyword: "false",
                message: "no value is allowed here (the schema is false)"))
    }

    /// No branch of `anyOf`/`oneOf` matched: one summary violation, followed by the failures of
    /// the branch that came closest (the fewest failures, preferring branches of the right type),
    /// which is usually the one the author meant.
    private mutating func reportNoBranch(_ keyword: String, count: Int, branches: [Range<Int>], from mark: Int) {
        guard recording else { return }
        let here = instanceLocation()
        let best = branches.min { left, right in
            let leftScore = score(left, here)
            let rightScore = score(right, here)
            return leftScore.wrongType != rightScore.wrongType
                ? !leftScore.wrongType : leftScore.failures < rightScore.failures
        }
        let kept = best.map { Array(violations[$0]) } ?? []
        violations.removeSubrange(mark...)
        report(keyword, "value does not match any of the \(count) schemas in \"\(keyword)\"")
        violations.append(contentsOf: kept)
    }

    private func score(_ branch: Range<Int>, _ here: String) -> (wrongType: Bool, failures: Int) {
        let failures = violations[branch]
        let wrongType = failures.contains {
            ($0.keyword == "type" || $0.keyword == "false") && $0.instanceLocation == here
        }
        return (wrongType, failures.count)
    }

    private func instanceLocation() -> String {
        var text = ""
        for token in instancePath {
            switch token {
            case .key(let key): text += "/" + JSONPointer.escape(key)
            case .index(let index): text += "/" + String(index)
            }
        }
        return text
    }

    private static func excerpt(_ value: JSONValue) -> String {
        let text = value.serializedString()
        return text.count <= 80 ? text : String(text.prefix(77)) + "..."
    }
}
