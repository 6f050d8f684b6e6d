#!/usr/bin/env python3
"""Time per instance of a small module with one host import: a store, a
linker defining the host function, instantiation of the precompiled module
and its first call, then freeing it all. swasm's embedding API (the Swift
executable swasm-instantiate-bench) beside wasmtime-py (Module.deserialize
once; then Store, Linker.define_func, instantiate, call), in the same run,
each timed inside its process, median over ROUNDS after a warm-up.

usage: python3 bench/instantiate.py   (after `make release`)
"""
import os, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("SWASM_BIN", os.path.join(ROOT, ".build/release"))
ROUNDS = int(os.environ.get("ROUNDS", "5000"))

# The same modules as bench/instantiate/main.swift.
PLAIN = """
(module
  (import "host" "double" (func $double (param i32) (result i32)))
  (func (export "run") (param i32) (result i32) (call $double (local.get 0))))
"""
MEMORY = """
(module
  (import "host" "double" (func $double (param i32) (result i32)))
  (memory 1)
  (func (export "run") (param i32) (result i32)
    (i32.store (i32.const 0) (call $double (local.get 0)))
    (i32.load (i32.const 0))))
"""


def swasm(memory):
    args = [os.path.join(BIN, "swasm-instantiate-bench"), str(ROUNDS)] + (["--memory"] if memory else [])
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    fields = dict(line.split() for line in out.splitlines())
    return {name[:-3]: float(value) / 1e3 for name, value in fields.items()}


def wasmtime_per_instance(text):
    import wasmtime
    engine = wasmtime.Engine()
    module = wasmtime.Module.deserialize(engine, wasmtime.Module(engine, text).serialize())
    i32 = wasmtime.ValType.i32()
    double_type = wasmtime.FuncType([i32], [i32])
    phases = {name: [] for name in ("store", "linker", "instantiate", "call", "free")}
    totals = []
    for round in range(ROUNDS + ROUNDS // 10):
        start = time.perf_counter()
        store = wasmtime.Store(engine)
        t_store = time.perf_counter()
        linker = wasmtime.Linker(engine)
        linker.define_func("host", "double", double_type, lambda x: x * 2)
        t_linker = time.perf_counter()
        instance = linker.instantiate(store, module)
        t_instance = time.perf_counter()
        result = instance.exports(store)["run"](store, 21)
        t_call = time.perf_counter()
        assert result == 42
        del instance, linker, store
        end = time.perf_counter()
        if round < ROUNDS // 10:
            continue
        totals.append(end - start)
        for name, (a, b) in zip(phases, [(start, t_store), (t_store, t_linker), (t_linker, t_instance),
                                         (t_instance, t_call), (t_call, end)]):
            phases[name].append(b - a)
    result = {name: statistics.median(values) * 1e6 for name, values in phases.items()}
    result["total"] = statistics.median(totals) * 1e6
    return result


def main():
    import wasmtime  # noqa: F401  (fail early when `make deps` was not run)
    print(f"time per instance in µs, median of {ROUNDS} (after {ROUNDS // 10} warm-up rounds), in-process;")
    print("one instance = store + linker with one host function + instantiate + first call + free")
    print("| module | runtime | store | linker | instantiate | first call | free | total | swasm / wasmtime |")
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|")
    for name, text, memory in [("one host import", PLAIN, False), ("one host import + 1-page memory", MEMORY, True)]:
        s = swasm(memory)
        w = wasmtime_per_instance(text)
        for runtime, r in [("swasm", s), ("wasmtime-py", w)]:
            ratio = f"{s['total'] / w['total']:.2f}x" if runtime == "swasm" else ""
            print(f"| {name} | {runtime} | {r['store']:.1f} | {r['linker']:.1f} | {r['instantiate']:.1f} | "
                  f"{r['call']:.1f} | {r['free']:.1f} | {r['total']:.1f} | {ratio} |")


if __name__ == "__main__":
    sys.exit(main())
