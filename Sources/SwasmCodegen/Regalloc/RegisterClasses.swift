// Register classes: the banks a value can live in. Both targets have two
// banks, general registers and the float/vector registers (x86-64 xmm,
// AArch64 v), and floats and vectors share the second one, so a class is a
// bank, not a type: f32, f64 and v128 values compete for the same
// registers. What differs by type within a bank is what a call preserves
// (AAPCS64 keeps only the low 64 bits of v8-v15), which `RegisterClass`
// records per register.
import SwasmIR

public enum RegClass: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Integers and references.
    case general
    /// Floats and vectors.
    case vector

    public var description: String { self == .general ? "general" : "vector" }
}

extension IRType {
    /// The bank values of this type live in.
    public var regClass: RegClass { self == .f32 || self == .f64 || self == .v128 ? .vector : .general }

    /// Bytes of a spill slot for this type (also its alignment).
    public var slotSize: Int { self == .v128 ? 16 : 8 }
}

/// One value per register class.
public struct PerClass<Element> {
    public var general: Element
    public var vector: Element

    public init(general: Element, vector: Element) {
        self.general = general
        self.vector = vector
    }

    public subscript(_ regClass: RegClass) -> Element {
        get { regClass == .general ? general : vector }
        set { if regClass == .general { general = newValue } else { vector = newValue } }
    }
}

extension PerClass: Sendable where Element: Sendable {}
extension PerClass: Equatable where Element: Equatable {}

public struct RegisterClass: Sendable {
    /// Registers in preference order.
    public var allocatable: [UInt8]
    /// The order temporaries take free registers in (by default
    /// `allocatable`'s). A target may send them to the other end, so that
    /// they keep clear of where values like to live (AArch64: x0, where
    /// results arrive and leave).
    public var temporaryOrder: [UInt8]
    /// Registers a call preserves, with how many low bytes of each it
    /// preserves: a value crossing a call may live in one only if it is no
    /// wider.
    public var preservedBytes: [UInt8: Int]

    public init(allocatable: [UInt8], preservedBytes: [UInt8: Int], temporaryOrder: [UInt8]? = nil) {
        self.allocatable = allocatable
        self.preservedBytes = preservedBytes
        self.temporaryOrder = temporaryOrder ?? allocatable
    }

    /// A class whose callee-saved registers are preserved whole.
    public init(allocatable: [UInt8], calleeSaved: Set<UInt8>, temporaryOrder: [UInt8]? = nil) {
        self.init(allocatable: allocatable, preservedBytes: Dictionary(uniqueKeysWithValues: calleeSaved.map { ($0, 16) }),
                  temporaryOrder: temporaryOrder)
    }

    /// Every register a call preserves at least in part: what a function
    /// that writes it must save.
    public var calleeSaved: Set<UInt8> { Set(preservedBytes.keys) }

    /// Bit r set: register r survives a call with all `bytes` bytes of a value.
    public func preservedMask(forBytes bytes: Int) -> UInt64 {
        preservedBytes.reduce(UInt64(0)) { $1.value >= bytes ? $0 | 1 << UInt64($1.key) : $0 }
    }
}

/// A target's registers as the machine layer sees them.
public struct RegisterFile: Sendable {
    public var classes: PerClass<RegisterClass>

    public init(classes: PerClass<RegisterClass>) {
        self.classes = classes
    }
}
