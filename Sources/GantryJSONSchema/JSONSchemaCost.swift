/// A static bound on how much work a schema can ask for: the number of subschema evaluations one
/// value may trigger when every applicator is followed, counting each path through the schema
/// graph once. Chains of `$ref`s that each fan out (`allOf` of two references to the next step)
/// grow this exponentially, which is how a small document costs seconds per check; such schemas
/// are refused at registration. Recursion is cut where a path returns to a subschema it is
/// already in: it is bounded by the depth of the value, and the runtime budget covers it.
extension JSONSchemaProgram {
    /// The evaluation count described above, saturating at `cap`.
    func worstCaseEvaluations(cap: Int) -> Int {
        var memo = [Int?](repeating: nil, count: nodes.count)
        var onPath = [Bool](repeating: false, count: nodes.count)
        // An explicit stack rather than recursion: schemas may be deeply nested.
        struct Frame {
            let node: Int
            var children: [Int]
            var next = 0
            var total = 1
        }
        var stack = [Frame(node: root, children: children(of: root))]
        onPath[root] = true
        while !stack.isEmpty {
            let top = stack.count - 1
            if stack[top].next < stack[top].children.count {
                let child = stack[top].children[stack[top].next]
                stack[top].next += 1
                if let known = memo[child] {
                    stack[top].total = Self.saturatingSum(stack[top].total, known, cap: cap)
                } else if onPath[child] {
                    stack[top].total = Self.saturatingSum(stack[top].total, 1, cap: cap)
                } else if stack[top].total >= cap {
                    continue
                } else {
                    onPath[child] = true
                    stack.append(Frame(node: child, children: children(of: child)))
                }
                continue
            }
            let finished = stack.removeLast()
            onPath[finished.node] = false
            memo[finished.node] = finished.total
            if let parent = stack.indices.last {
                stack[parent].total = Self.saturatingSum(stack[parent].total, finished.total, cap: cap)
            }
        }
        return memo[root] ?? cap
    }

    private static func saturatingSum(_ left: Int, _ right: Int, cap: Int) -> Int {
        let (sum, overflow) = left.addingReportingOverflow(right)
        return overflow ? cap : min(sum, cap)
    }

    /// Every subschema a node's keywords can apply, once per keyword that names it.
    private func children(of index: Int) -> [Int] {
        guard case .keywords(let keywords) = nodes[index].body else { return [] }
        var children: [Int] = []
        for keyword in keywords {
            switch keyword {
            case .ref(let child), .not(let child), .propertyNames(let child), .unevaluatedItems(let child),
                .unevaluatedProperties(let child), .items(let child, _):
                children.append(child.node)
            case .dynamicRef(let initial, let anchor):
                children.append(initial.node)
                if let anchor {
                    children += dynamicAnchors.compactMap { $0[anchor] }.filter { $0 != initial.node }
                }
            case .allOf(let list), .anyOf(let list), .oneOf(let list), .prefixItems(let list):
                children += list.map(\.node)
            case .conditional(let condition, let then, let otherwise):
                children += [condition, then, otherwise].compactMap { $0?.node }
            case .dependentSchemas(let dependencies):
                children += dependencies.map(\.child.node)
            case .contains(let contains):
                children.append(contains.child.node)
            case .properties(let properties):
                children += properties.map(\.child.node)
            case .patternProperties(let patterns):
                children += patterns.map(\.child.node)
            case .additionalProperties(let additional):
                children.append(additional.child.node)
            default:
                break
            }
        }
        return children
    }
}
