#!/usr/bin/env python3
"""Compile time of two or more swasmc builds, measured against a ruler.

On a shared machine a compile's CPU time moves by 20-30% from one run to
the next, more than most changes to the compiler. Within one run, though,
a slowdown of the whole machine slows every stage alike, since each
function goes through all of them in turn. So each build compiles the
module under `perf record`, and what is compared is the run's samples
divided by the samples in the stages the builds share (lowering to IR and
the IR optimizer, which a code generator change leaves alone): a ratio
that noise scales on both sides. Check that the shared stages are the
same code (`git diff --stat OLD -- Sources/SwasmCompiler Sources/SwasmOpt
Sources/SwasmIR`) before trusting it.

Compare builds made the same way only: a build without run-time
exclusivity checks (`make release`) runs the shared stages faster, which
moves its ruler. Also prints the CPU seconds of each run (min and median), and the shares
of code generation and register allocation. Needs `perf` (Debian
`linux-perf`); builds are alternated, `--rounds` times.

    bench/compile_share.py --module yosys.wasm OLD/swasmc NEW/swasmc
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

SHARED = ("FunctionLoweringV5lower_", "SwasmOpt8PipelineO3run_")
CODEGEN = "CodeGenV7compile_7listing"
REGALLOC = "LinearScanV8allocateAA10AllocationVyF"


def inclusive_shares(data):
    """Percent of samples under each symbol (children included)."""
    report = subprocess.run(["perf", "report", "-i", data, "--children", "--sort", "symbol", "-g", "none"],
                            capture_output=True, text=True, check=True).stdout
    shares = {}
    for line in report.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+[\d.]+%\s+\[\.\]\s+(\S+)", line)
        if m:
            shares[m.group(2)] = max(shares.get(m.group(2), 0.0), float(m.group(1)))
    return shares


def share(shares, marker, exact_end=False):
    return max((v for k, v in shares.items() if marker in k and (not exact_end or k.endswith(marker))), default=0.0)


def measure(compiler, module, options, work):
    data = os.path.join(work, "perf.data")
    times = os.path.join(work, "time")
    subprocess.run(["perf", "record", "-q", "-F", "2500", "-g", "-o", data,
                    "/usr/bin/time", "-o", times, "-f", "%U",
                    compiler, *options, module, "-o", os.path.join(work, "out.o")],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shares = inclusive_shares(data)
    shared = sum(share(shares, marker) for marker in SHARED)
    if shared == 0:
        sys.exit(f"{compiler}: no samples in the shared stages (a build without symbols?)")
    with open(times) as f:
        seconds = float(f.read().split()[-1])
    return {"ruler": 100 / shared, "codegen": share(shares, CODEGEN) / shared,
            "regalloc": share(shares, REGALLOC, exact_end=True) / shared, "seconds": seconds}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("compilers", nargs="+", help="swasmc binaries; the first is the baseline")
    parser.add_argument("--module", required=True, help="a large .wasm module")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--options", default="-O2 -j1", help="swasmc options (default: -O2 -j1)")
    args = parser.parse_args()
    results = {c: [] for c in args.compilers}
    with tempfile.TemporaryDirectory() as work:
        for _ in range(args.rounds):
            for compiler in args.compilers:
                results[compiler].append(measure(compiler, args.module, args.options.split(), work))
    base = statistics.median(r["ruler"] for r in results[args.compilers[0]])
    print("| swasmc | whole / shared stages (median) | vs first | codegen / shared | regalloc / shared "
          "| CPU s, fastest | CPU s, median |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    for compiler, runs in results.items():
        ruler = statistics.median(r["ruler"] for r in runs)
        seconds = sorted(r["seconds"] for r in runs)
        print(f"| {compiler} | {ruler:.3f} | {ruler / base - 1:+.1%} "
              f"| {statistics.median(r['codegen'] for r in runs):.3f} "
              f"| {statistics.median(r['regalloc'] for r in runs):.3f} "
              f"| {seconds[0]:.2f} | {statistics.median(seconds):.2f} |")


if __name__ == "__main__":
    main()
