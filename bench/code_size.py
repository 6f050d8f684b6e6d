#!/usr/bin/env python3
"""Code size per benchmark: swasmc's .text against clang -O2 of the same C.

For each shared benchmark, the size of `.text` in the object swasmc writes
for --target (functions and trampolines) next to the size of the `.text`
sections clang -O2 writes for the same C source compiled for that machine
(clang from PyPI's ziglang: `python3 -m ziglang cc -target ...`). Under
qemu, times say nothing about the generated code; sizes and their ratio do.
Prints a Markdown table and the geometric mean of the ratios.
"""
import argparse
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile

from c_harness_checksums import BENCHMARKS

CLANG_TARGETS = {"aarch64-linux": "aarch64-linux-gnu", "x86_64-linux": "x86_64-linux-gnu"}


def text_size(path):
    """Total size of the sections named .text or .text.* in an ELF64 object."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise SystemExit(f"{path}: not an ELF64 file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    def section(i):
        name, _, _, _, offset, size = struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
        return name, offset, size
    _, names_offset, _ = section(shstrndx)
    total = 0
    for i in range(shnum):
        name_index, _, size = section(i)
        end = data.index(b"\0", names_offset + name_index)
        name = data[names_offset + name_index:end].decode()
        if name == ".text" or name.startswith(".text."):
            total += size
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=".build/debug", help="folder with swasmc")
    parser.add_argument("--bench", default="../shared/bench", help="the shared benchmarks (src/, wasm/)")
    parser.add_argument("--target", default="aarch64-linux", choices=sorted(CLANG_TARGETS))
    parser.add_argument("names", nargs="*", default=BENCHMARKS)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="swasm-code-size-")
    print(f"| benchmark | swasmc --target {args.target} | clang -O2 | ratio |")
    print("|---|---:|---:|---:|")
    ratios = []
    try:
        sizes = [measure(args, name, work) for name in args.names]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for name, (a, b) in zip(args.names, sizes):
        ratios.append(a / b)
        print(f"| {name} | {a} | {b} | {a / b:.2f} |")
    print(f"| geomean | | | {math.exp(sum(map(math.log, ratios)) / len(ratios)):.2f} |")


def measure(args, name, work):
    """(swasmc's .text bytes, clang's) for one benchmark."""
    ours = os.path.join(work, name + ".swasm.o")
    theirs = os.path.join(work, name + ".clang.o")
    subprocess.run([os.path.join(args.bin, "swasmc"), "--target", args.target,
                    os.path.join(args.bench, "wasm", name + ".wasm"), "-o", ours], check=True)
    subprocess.run([sys.executable, "-m", "ziglang", "cc", "-target", CLANG_TARGETS[args.target], "-O2",
                    "-c", os.path.join(args.bench, "src", name + ".c"), "-o", theirs], check=True)
    return text_size(ours), text_size(theirs)


if __name__ == "__main__":
    sys.exit(main())
