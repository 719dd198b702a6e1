import Foundation
import GantryCore

/// A JSON number as the schema keywords compare it: integers that fit `Int` stay exact so that
/// bounds and `multipleOf` on large integers are not rounded through `Double`.
enum JSONSchemaNumber: Sendable, Hashable, CustomStringConvertible {
    case integer(Int)
    case double(Double)

    init?(_ value: JSONValue) {
        guard case .number(let number) = value else { return nil }
        self.init(number)
    }

    /// Whole numbers that fit `Int` exactly (however they are spelled); others as the nearest double.
    init(_ number: JSONNumber) {
        if let integer = number.intValue { self = .integer(integer) } else { self = .double(number.doubleValue) }
    }

    var doubleValue: Double {
        switch self {
        case .integer(let integer): Double(integer)
        case .double(let double): double
        }
    }

    var description: String {
        switch self {
        case .integer(let integer): String(integer)
        case .double(let double):
            double.rounded(.towardZero) == double && abs(double) < 1e15 ? String(Int(double)) : "\(double)"
        }
    }

    /// -1, 0 or 1 as `left` is below, equal to or above `right`; NaN compares as 1 (never equal).
    static func compare(_ left: JSONSchemaNumber, _ right: JSONSchemaNumber) -> Int {
        switch (left, right) {
        case (.integer(let a), .integer(let b)):
            return a < b ? -1 : (a > b ? 1 : 0)
        case (.double(let a), .double(let b)):
            return a < b ? -1 : (a > b ? 1 : (a == b ? 0 : 1))
        case (.integer(let a), .double(let b)):
            return compare(integer: a, double: b)
        case (.double(let a), .integer(let b)):
            return -compare(integer: b, double: a)
        }
    }

    private static func compare(integer: Int, double: Double) -> Int {
        guard !double.isNaN else { return 1 }
        // 2^63 is exactly representable; everything at or above it exceeds every Int.
        if double >= 9_223_372_036_854_775_808.0 { return -1 }
        if double < -9_223_372_036_854_775_808.0 { return 1 }
        let floor = double.rounded(.down)
        let whole = Int(floor)
        if integer < whole { return -1 }
        if integer > whole { return 1 }
        return double > floor ? -1 : 0
    }
}

/// `multipleOf`, robust against binary floating point: 0.0075 is a multiple of 0.0001 even
/// though neither is exact in binary, so non-integers are divided as decimals.
struct JSONSchemaMultipleOf: Sendable {
    let divisor: JSONSchemaNumber
    private let decimalDivisor: Decimal?
    /// Set when the divisor's reciprocal is a whole number (0.5, 0.25…): then every integer is a
    /// multiple, including integers far beyond what a decimal division can represent.
    private let dividesEveryInteger: Bool

    init(_ divisor: JSONSchemaNumber) {
        self.divisor = divisor
        self.decimalDivisor = Self.decimal(divisor)
        let reciprocal = 1 / divisor.doubleValue
        self.dividesEveryInteger = reciprocal.isFinite && reciprocal.rounded() == reciprocal
    }

    func isMultiple(_ value: JSONSchemaNumber) -> Bool {
        if case .integer(let integer) = value, case .integer(let step) = divisor {
            guard step != 0 else { return false }
            let (remainder, overflow) = integer.remainderReportingOverflow(dividingBy: step)
            return overflow || remainder == 0
        }
        let double = value.doubleValue
        guard double.isFinite else { return false }
        if dividesEveryInteger && double.rounded() == double { return true }
        if let dividend = Self.decimal(value), let decimalDivisor, !decimalDivisor.isZero {
            var quotient = dividend / decimalDivisor
            if !quotient.isNaN {
                var whole = Decimal()
                NSDecimalRound(&whole, &quotient, 0, .plain)
                return whole == quotient
            }
        }
        // Outside Decimal's range: fall back to binary division; an overflowing quotient cannot be
        // shown to be whole, so it is not a multiple.
        let quotient = double / divisor.doubleValue
        guard quotient.isFinite else { return false }
        return quotient.rounded() == quotient
    }

    /// The decimal the number was written as (its shortest round-trip representation).
    private static func decimal(_ number: JSONSchemaNumber) -> Decimal? {
        switch number {
        case .integer(let integer): Decimal(integer)
        case .double(let double): double.isFinite ? Decimal(string: "\(double)") : nil
        }
    }
}
