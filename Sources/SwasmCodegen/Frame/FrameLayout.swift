// The frame of a compiled function, from the stack pointer up:
//
//   [sp, +outgoing)          stack arguments of the calls it makes
//   result area              results 2.. of its multi-result calls
//   spill slots              each at a multiple of its size (8 or 16)
//   padding                  to keep sp 16-byte aligned
//   save area                callee-saved registers, in the target's shape
//                            (x86-64: pushes; AArch64: stp pairs)
//   frame link               caller's frame pointer, return address (16 bytes)
//   incoming stack arguments
//
// The frame pointer points at the frame link on both targets, so the
// runtime walks the stack the same way everywhere.

/// A spill slot's size, which is also its alignment.
public struct SpillSlot: Sendable, Hashable {
    public var size: Int

    public init(size: Int) {
        precondition(size == 8 || size == 16, "spill slots are 8 or 16 bytes")
        self.size = size
    }

    public static let eightBytes = SpillSlot(size: 8)
    public static let sixteenBytes = SpillSlot(size: 16)
}

public struct FrameLayout: Sendable, Equatable {
    /// Bytes of the frame link (saved frame pointer and return address).
    public static let frameLinkSize = 16
    public static let stackAlignment = 16

    public let outgoingSize: Int
    public let resultAreaSize: Int
    /// Offset of each spill slot from the stack pointer, by slot number.
    public let slotOffsets: [Int]
    /// Bytes the target's save area takes between the frame and the frame link.
    public let saveAreaSize: Int
    /// Bytes the prologue subtracts from the stack pointer below the save
    /// area: the frame above without the save area and the frame link.
    public let frameSize: Int

    /// - Parameter saveAreaSize: a multiple of 8; the frame is padded so
    ///   that the stack pointer stays 16-byte aligned below it.
    public init(outgoingSize: Int, resultAreaSize: Int, slots: [SpillSlot], saveAreaSize: Int) {
        precondition(outgoingSize % 8 == 0 && resultAreaSize % 8 == 0 && saveAreaSize % 8 == 0)
        self.outgoingSize = outgoingSize
        self.resultAreaSize = resultAreaSize
        self.saveAreaSize = saveAreaSize
        var end = outgoingSize + resultAreaSize
        var offsets = [Int](repeating: 0, count: slots.count)
        // Wider slots first, each group in slot order: no padding between
        // slots, and with only 8-byte slots offsets follow slot numbers.
        for size in [16, 8] {
            for (i, slot) in slots.enumerated() where slot.size == size {
                end = (end + size - 1) / size * size
                offsets[i] = end
                end += size
            }
        }
        slotOffsets = offsets
        let alignment = Self.stackAlignment
        frameSize = (saveAreaSize + end + alignment - 1) / alignment * alignment - saveAreaSize
    }

    public func slotOffset(_ slot: Int) -> Int { slotOffsets[slot] }

    /// Offset from the stack pointer (after the prologue) of the caller's
    /// stack arguments.
    public var incomingArgumentsOffset: Int { frameSize + saveAreaSize + Self.frameLinkSize }
}
