#!/usr/bin/env python3
"""The shared benchmarks through the C spec harness (docs/aarch64-testing.md).

Each benchmark's native build (gcc -O2 with the shared native driver) gives
the checksum; a spec script per benchmark then instantiates its module and
asserts that `run()` returns that checksum, through `swasm-spec run --harness
c`. Natively this checks the harness on real programs; with `--target
aarch64-linux` (which brings aarch64-linux-gnu-gcc and qemu-aarch64 along)
it is the benchmarks-under-qemu check. Extra arguments go to swasm-spec.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

BENCHMARKS = ["fib", "sieve", "matmul", "nbody", "mandelbrot", "fannkuch", "sha256", "crc32", "sort",
              "bintrees", "interp", "lz77", "hashtab", "indirect"]


def native_checksum(source_dir, name, work):
    executable = os.path.join(work, name + ".native")
    subprocess.run(["gcc", "-O2", "-o", executable, os.path.join(source_dir, name + ".c"),
                    os.path.join(source_dir, "native_main.c"), "-lm"], check=True)
    output = subprocess.run([executable], check=True, capture_output=True, text=True).stdout
    for line in output.splitlines():
        if line.startswith("checksum "):
            return int(line.split()[1])
    raise SystemExit(f"{name}: no checksum from the native build")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=".build/debug", help="folder with swasm-spec")
    parser.add_argument("--bench", default="../shared/bench", help="the shared benchmarks (src/, wasm/)")
    parser.add_argument("names", nargs="*", default=BENCHMARKS)
    args, extra = parser.parse_known_args()
    work = tempfile.mkdtemp(prefix="swasm-bench-c-")
    try:
        for name in args.names:
            checksum = native_checksum(os.path.join(args.bench, "src"), name, work)
            shutil.copy(os.path.join(args.bench, "wasm", name + ".wasm"), work)
            script = {"source_filename": name + ".wast", "commands": [
                {"type": "module", "line": 1, "filename": name + ".wasm"},
                {"type": "assert_return", "line": 2, "action": {"type": "invoke", "field": "run", "args": []},
                 "expected": [{"type": "i64", "value": str(checksum % (1 << 64))}]},
            ]}
            with open(os.path.join(work, name + ".json"), "w") as f:
                json.dump(script, f)
            print(f"{name}: native checksum {checksum}")
        result = subprocess.run([os.path.join(args.bin, "swasm-spec"), "run", "--harness", "c",
                                 "--spec-directory", work, "--expected-failures", os.path.join(work, "none"),
                                 "--report", os.path.join(work, "report.txt")] + extra + args.names)
        return result.returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
