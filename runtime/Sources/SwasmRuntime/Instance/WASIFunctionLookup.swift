// WASI preview 1 functions by name, for linkers that resolve imports one by
// one (and may let the embedder's own definitions replace some of them).
import WasmModel

extension WASI {
    /// The names of every preview-1 function, sorted.
    public static var functionNames: [String] { WASIFunctions.table.keys.sorted() }

    /// The preview-1 function `name` as an import, nil when there is none.
    /// It acts on the WASI context of the instance importing it (that
    /// instance's `hostContext`).
    public static func function(named name: String) -> Function? {
        guard let (type, code) = WASIFunctions.table[name] else { return nil }
        return Function(hostCode: code, type: type)
    }
}
