// The Swift embedding API (module Swasm), after wasmtime's classic examples:
//   hello    a host function defined in Swift, imported and called by wasm
//   memory   a host function reading a string from the caller's memory
//   wasi     a WASI command run through the Linker
//   threads  one module instantiated per request on many threads
//   linking  a library registered with Linker.module, tuple results, a host error's backtrace
// `swift run swasm-embedding-sample [NAME...]` runs the named ones (default: all).
#if canImport(Glibc)
import Glibc
#endif
import Swasm

let examples: [(String, () throws -> Void)] = [
    ("hello", helloExample), ("memory", callerMemoryExample), ("wasi", wasiExample), ("threads", threadsExample),
    ("linking", linkingExample),
]
let chosen = CommandLine.arguments.dropFirst()
for (name, example) in examples where chosen.isEmpty || chosen.contains(name) {
    print("== \(name)")
    fflush(nil)  // Swift buffers stdout; the WASI guest writes to fd 1 directly
    do {
        try example()
    } catch {
        print("error: \(error)")
        exit(1)
    }
}
