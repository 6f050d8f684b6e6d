/// The validator's operand stack: type bytes in a manually grown buffer.
/// Arrays would check uniqueness on every push and pop, which shows in
/// profiles of the instruction loop. The owner calls `deallocate()`.
struct TypeStack {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    func deallocate() { base.deallocate() }

    @inline(__always) mutating func append(_ type: UInt8) {
        if count == capacity { grow() }
        base[count] = type
        count += 1
    }

    @inline(__always) mutating func removeLast() -> UInt8 {
        count -= 1
        return base[count]
    }

    @inline(__always) mutating func truncate(to newCount: Int) {
        count = newCount
    }

    @inline(__always) mutating func removeAll() { count = 0 }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
    }
}
