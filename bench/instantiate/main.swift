// Time per instance through the embedding API: a store, a linker with one
// host function, instantiation of a small precompiled module and its first
// call, then freeing it all; median over many rounds, with each phase's
// median beside the total so that a slow one shows. bench/instantiate.py
// runs it beside wasmtime-py.
//
// usage: swasm-instantiate-bench [rounds] [--memory]
import Foundation
import Swasm

let arguments = CommandLine.arguments.dropFirst()
let rounds = arguments.first.flatMap { Int($0) } ?? 2000
let withMemory = arguments.contains("--memory")

/// The module: `run` calls the host's `double`; with `--memory`, it also
/// defines a memory of one page and stores the result in it.
let text = withMemory ? """
    (module
      (import "host" "double" (func $double (param i32) (result i32)))
      (memory 1)
      (func (export "run") (param i32) (result i32)
        (i32.store (i32.const 0) (call $double (local.get 0)))
        (i32.load (i32.const 0))))
    """ : """
    (module
      (import "host" "double" (func $double (param i32) (result i32)))
      (func (export "run") (param i32) (result i32) (call $double (local.get 0))))
    """

let engine = Engine()
// Precompiled and loaded again, as a program shipping objects would.
let module = try Module.deserialize(engine: engine, trustedObject: Module(engine: engine, text: text).serialize())

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

var phases: [String: [UInt64]] = [:]
var totals: [UInt64] = []
for round in 0..<(rounds + rounds / 10) {
    let start = now()
    var marks: [(String, UInt64)] = []
    do {
        let store = Store(engine: engine)
        marks.append(("store", now()))
        let linker = Linker<Void>(engine: engine)
        try linker.defineFunc(module: "host", name: "double") { (x: Int32) -> Int32 in x &* 2 }
        marks.append(("linker", now()))
        let instance = try linker.instantiate(store, module)
        marks.append(("instantiate", now()))
        let run = try instance.typedFunc("run", Int32.self, Int32.self)
        let result = try run(21)
        precondition(result == 42)
        marks.append(("call", now()))
    }
    let end = now()
    marks.append(("free", end))
    // The first tenth warms up caches and allocators.
    guard round >= rounds / 10 else { continue }
    totals.append(end - start)
    var previous = start
    for (name, time) in marks {
        phases[name, default: []].append(time - previous)
        previous = time
    }
}

func median(_ values: [UInt64]) -> Double {
    let sorted = values.sorted()
    return Double(sorted[sorted.count / 2])
}

print("total_ns \(median(totals))")
for name in ["store", "linker", "instantiate", "call", "free"] {
    print("\(name)_ns \(median(phases[name]!))")
}
