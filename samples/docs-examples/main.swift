// The programs of the Swasm documentation's articles (Sources/Swasm/Swasm.docc):
// each article shows code from the file of its name, and check-articles.py
// fails `make samples` when an article's code is not in that file word for
// word. Every example checks its own results and stops the program (non-zero
// exit) when one is wrong.
// `swasm-docs-examples [NAME...]` runs the named ones (default: all).
#if canImport(Glibc)
import Glibc
#endif

let examples: [(String, () async throws -> Void)] = [
    ("overview", overviewExample),
    ("hello", helloExample),
    ("memory", memoryExample),
    ("caller-memory", callerMemoryExample),
    ("wasi", wasiExample),
    ("linking", linkingExample),
    ("interrupts", interruptsExample),
    ("serialization", serializationExample),
    ("multithreading", multithreadingExample),
    ("multithreading-async", multithreadingAsyncExample),
    ("fuel", fuelExample),
    ("epochs", epochsExample),
    ("epoch-callback", epochCallbackExample),
]

let chosen = Set(CommandLine.arguments.dropFirst())
let unknown = chosen.subtracting(examples.map(\.0))
if !unknown.isEmpty {
    print("unknown example: \(unknown.sorted().joined(separator: ", ")); examples: \(examples.map(\.0).joined(separator: ", "))")
    exit(2)
}
for (name, example) in examples where chosen.isEmpty || chosen.contains(name) {
    print("== \(name)")
    fflush(nil)  // WASI guests write to file descriptor 1 directly, past Swift's buffer
    do {
        try await example()
    } catch {
        print("\(name): error: \(error)")
        exit(1)
    }
    fflush(nil)
}
