// Process-wide canonical signature ids: `call_indirect` compares the id in a
// function reference with the id of the expected type, so equal function
// types must get equal ids whatever module declared them.
import Synchronization
import WasmModel

public enum SignatureRegistry {
    private static let ids = Mutex<[FunctionType: UInt64]>([:])

    /// The canonical id of `type`: non-zero, equal for equal types, stable
    /// for the life of the process (ids are never reused). Thread-safe.
    public static func id(of type: FunctionType) -> UInt64 {
        ids.withLock { table in
            if let id = table[type] { return id }
            let id = UInt64(table.count + 1)
            table[type] = id
            return id
        }
    }
}
