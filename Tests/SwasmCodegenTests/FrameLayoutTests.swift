// Frame layout: outgoing arguments, result area, spill slots at multiples
// of their size, and a stack pointer kept 16-byte aligned below the
// target's save area.
import Testing
@testable import SwasmCodegen

@Suite struct FrameLayoutTests {
    /// Only 8-byte slots: one after another from the end of the result
    /// area, in slot order (the x86-64 layout before slots had sizes).
    @Test func eightByteSlotsFollowTheirNumbers() {
        let frame = FrameLayout(outgoingSize: 16, resultAreaSize: 8, slots: Array(repeating: .eightBytes, count: 3),
                                saveAreaSize: 8)
        #expect(frame.slotOffsets == [24, 32, 40])
        // 8 saved + 48 used = 56, padded to 64.
        #expect(frame.frameSize == 56)
        #expect(frame.incomingArgumentsOffset == 56 + 8 + 16)
    }

    @Test func sixteenByteSlotsAreAlignedAndComeFirst() {
        let frame = FrameLayout(outgoingSize: 8, resultAreaSize: 0, slots: [.eightBytes, .sixteenBytes, .eightBytes, .sixteenBytes],
                                saveAreaSize: 16)
        #expect(frame.slotOffsets == [48, 16, 56, 32])
        for (slot, offset) in zip([SpillSlot.eightBytes, .sixteenBytes, .eightBytes, .sixteenBytes], frame.slotOffsets) {
            #expect(offset % slot.size == 0)
        }
        #expect(frame.frameSize == 64)
        #expect((frame.frameSize + frame.saveAreaSize) % 16 == 0)
    }

    @Test(arguments: 0..<4, 0..<3)
    func theStackStaysAligned(saved: Int, slots: Int) {
        let frame = FrameLayout(outgoingSize: 8 * slots, resultAreaSize: 8, slots: Array(repeating: .eightBytes, count: slots),
                                saveAreaSize: 8 * saved)
        #expect((frame.frameSize + frame.saveAreaSize) % 16 == 0)
        #expect(frame.frameSize >= 8 * slots + 8 + 8 * slots)
        #expect(frame.frameSize < 8 * slots + 8 + 8 * slots + 16)
    }

    @Test func anEmptyFrameNeedsNoSpace() {
        #expect(FrameLayout(outgoingSize: 0, resultAreaSize: 0, slots: [], saveAreaSize: 0).frameSize == 0)
        #expect(FrameLayout(outgoingSize: 0, resultAreaSize: 0, slots: [], saveAreaSize: 8).frameSize == 8)
    }
}
