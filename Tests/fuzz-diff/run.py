#!/usr/bin/env python3
"""Differential testing of swasm against wasmtime on generated modules.

Modules come from `wasm-tools smith` (WebAssembly 2.0 without SIMD, no
imports, every item exported, loops and calls bounded by a fuel global, NaNs
canonicalized). The fuel global is exported too and reset before every call. Every exported function whose parameters and results are
numbers is called with a few argument sets, in order, on one instance per
engine; the results, trap kinds, and afterwards every exported memory (page
count and CRC-32) and global are compared.

swasm runs through `swasm-spec diff` (one process for a batch of modules),
wasmtime in this process through its Python API.

Stack depth is implementation-defined: once either engine exhausts its stack
(or wasmtime its fuel) in a call, the rest of that module is not compared,
since the two runs no longer do the same work.

  run.py --count 300 --seed 1             generate and compare (each batch
                                          compiled with the next of
                                          SWASM_CONFIGURATIONS)
  run.py --replay Tests/fuzz-diff/regressions
                                          replay committed modules: those in
                                          agree/ must agree, those in
                                          known-mismatch/ must still differ
Mismatching modules are copied to --keep (default results/fuzz-diff).
"""
import argparse, json, os, random, shutil, struct, subprocess, sys, tempfile, time, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

FUEL = 5000
# The export added for smith's fuel global, which both engines reset before
# every call: otherwise the first call that spends it (an endless loop)
# makes every later call trap at once.
FUEL_EXPORT = "swasm-fuzz-fuel"


# Proposals beyond 2.0 are off, as are SIMD and imports. Exporting
# everything makes every function callable and every memory and global
# comparable.
SMITH_FLAGS = [
    "--ensure-termination", "--fuel", str(FUEL), "--canonicalize-nans", "true", "--export-everything", "true",
    "--max-imports", "0", "--allow-start-export", "true",
    "--simd-enabled", "false", "--relaxed-simd-enabled", "false",
    "--exceptions-enabled", "false", "--tail-call-enabled", "false", "--gc-enabled", "false",
    "--memory64-enabled", "false", "--threads-enabled", "false", "--shared-everything-threads-enabled", "false",
    "--custom-page-sizes-enabled", "false", "--wide-arithmetic-enabled", "false",
    "--extended-const-enabled", "false", "--custom-descriptors-enabled", "false",
    "--compact-imports-enabled", "false",
    # Memories need a maximum, at most 16 pages: cheap to hash after the calls.
    "--max-memories", "1", "--max-memory32-bytes", str(16 * 65536), "--memory-max-size-required", "true",
    "--min-types", "3", "--min-funcs", "3", "--max-funcs", "30", "--max-instructions", "400",
]

NUMERIC = {"i32", "i64", "f32", "f64"}
# swasm's compile options, one per batch in turn: the optimizer on and off,
# and explicit bounds checks instead of guard pages.
SWASM_CONFIGURATIONS = [["-O", "2"], ["-O", "0"], ["-O", "2", "--bounds-checks", "explicit"], ["-O", "1"]]
ARGUMENT_SETS = 3

# wasmtime's trap codes in the spec's wording, which `swasm-spec diff` prints.
TRAP_NAMES = {
    "MEMORY_OUT_OF_BOUNDS": "out of bounds memory access",
    "TABLE_OUT_OF_BOUNDS": "out of bounds table access",
    "INDIRECT_CALL_TO_NULL": "uninitialized element",
    "BAD_SIGNATURE": "indirect call type mismatch",
    "INTEGER_OVERFLOW": "integer overflow",
    "INTEGER_DIVISION_BY_ZERO": "integer divide by zero",
    "BAD_CONVERSION_TO_INTEGER": "invalid conversion to integer",
    "UNREACHABLE": "unreachable executed",
    "NULL_REFERENCE": "null reference",
    "STACK_OVERFLOW": "call stack exhausted",
    "OUT_OF_FUEL": "out of fuel",
}
# Outcomes whose point of arrival depends on the engine's stack or budget.
IMPLEMENTATION_DEFINED = {"trap:call stack exhausted", "trap:out of fuel"}


def generate(path, seed):
    """One module from `wasm-tools smith`, fed seeded random bytes."""
    rng = random.Random(seed)
    data = bytes(rng.getrandbits(8) for _ in range(rng.choice([1000, 4000, 8000])))
    # Half the modules avoid trapping instructions, so more calls get as far
    # as returning values.
    no_traps = ["--disallow-traps", "true"] if seed % 2 else []
    module = subprocess.run(["wasm-tools", "smith", *SMITH_FLAGS, *no_traps], input=data, check=True,
                            capture_output=True).stdout
    with open(path, "wb") as f:
        f.write(export_fuel(module))


def leb(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def read_leb(data, offset):
    value = shift = 0
    while True:
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, offset


def export_fuel(module):
    """The module with its last global (smith's fuel counter, added last)
    exported as FUEL_EXPORT; unchanged when it has no globals or exports."""
    sections, offset = [], 8
    while offset < len(module):
        section_id = module[offset]
        size, start = read_leb(module, offset + 1)
        sections.append((section_id, module[start:start + size]))
        offset = start + size
    globals_count = next((read_leb(body, 0)[0] for sid, body in sections if sid == 6), 0)
    if not globals_count or not any(sid == 7 for sid, _ in sections):
        return module
    out = bytearray(module[:8])
    for sid, body in sections:
        if sid == 7:
            count, rest = read_leb(body, 0)
            name = FUEL_EXPORT.encode()
            body = leb(count + 1) + body[rest:] + leb(len(name)) + name + bytes([3]) + leb(globals_count - 1)
        out += bytes([sid]) + leb(len(body)) + body
    return bytes(out)

def random_value(kind, rng):
    """A value as (bits, the Python value wasmtime takes)."""
    width = 32 if kind in ("i32", "f32") else 64
    choice = rng.random()
    if kind in ("i32", "i64"):
        if choice < 0.3:
            bits = rng.choice([0, 1, 2, 7, 8, 16, 31, 32, 63, 64, 255, 65535, 65536])
        elif choice < 0.5:
            bits = rng.choice([(1 << width) - 1, 1 << (width - 1), (1 << (width - 1)) - 1, (1 << width) - 8])
        else:
            bits = rng.getrandbits(width)
        signed = bits - (1 << width) if bits >> (width - 1) else bits
        return bits, signed
    # Floats: special values and random bits, but not NaN (its payload does
    # not survive the Python API).
    pack, unpack = ("<f", "<I") if kind == "f32" else ("<d", "<Q")
    if choice < 0.4:
        value = rng.choice([0.0, -0.0, 1.0, -1.0, 0.5, 2.0 ** 31, -2.0 ** 31, 2.0 ** 63, 4294967296.0, 1e30, -1e-30,
                            float("inf"), float("-inf"), 3.5, -7.25])
    else:
        while True:
            bits = rng.getrandbits(width)
            value = struct.unpack(pack, struct.pack(unpack, bits))[0]
            if value == value:
                break
    bits = struct.unpack(unpack, struct.pack(pack, value))[0]
    return bits, value


def plan_calls(module_bytes, exports):
    """The calls for one module: deterministic in its bytes, so a committed
    module replays the same calls."""
    rng = random.Random(zlib.crc32(module_bytes))
    calls = []
    # Round by round over the exports: a call that spends the module's fuel
    # (an endless loop) then ends the fewest other calls.
    for _ in range(ARGUMENT_SETS):
        for name, params in exports:
            args = [(kind, *random_value(kind, rng)) for kind in params]
            calls.append((name, args))
    return calls


def value_text(kind, value):
    if kind == "i32":
        return f"i32:{value & 0xFFFFFFFF}"
    if kind == "i64":
        return f"i64:{value & 0xFFFFFFFFFFFFFFFF}"
    if value != value:
        return f"{kind}:nan"
    if kind == "f32":
        return f"f32:{struct.unpack('<I', struct.pack('<f', value))[0]}"
    return f"f64:{struct.unpack('<Q', struct.pack('<d', value))[0]}"


def normalize(text):
    """NaN results compare as NaN: the payload is nondeterministic in wasm."""
    kind, _, bits = text.partition(":")
    if kind == "f32" and bits.isdigit() and (int(bits) & 0x7F800000) == 0x7F800000 and int(bits) & 0x7FFFFF:
        return "f32:nan"
    if kind == "f64" and bits.isdigit() and (int(bits) >> 52 & 0x7FF) == 0x7FF and int(bits) & ((1 << 52) - 1):
        return "f64:nan"
    return text


class Wasmtime:
    def __init__(self):
        import wasmtime
        self.wasmtime = wasmtime
        config = wasmtime.Config()
        config.consume_fuel = True
        self.engine = wasmtime.Engine(config)

    def kind(self, valtype):
        return str(valtype)

    def numeric_exports(self, module):
        exports = []
        for export in module.exports:
            if isinstance(export.type, self.wasmtime.FuncType):
                params = [self.kind(t) for t in export.type.params]
                results = [self.kind(t) for t in export.type.results]
                if all(k in NUMERIC for k in params + results):
                    exports.append((export.name, params))
        return exports

    def trap_text(self, error):
        code = getattr(error, "trap_code", None)
        if code is not None:
            return "trap:" + TRAP_NAMES.get(code.name, code.name)
        return "error:" + str(error).splitlines()[0]

    def run(self, module_bytes, calls, reset_fuel=False):
        w = self.wasmtime
        outcome = {}
        try:
            module = w.Module(self.engine, module_bytes)
        except w.WasmtimeError as e:
            return {"error": str(e).splitlines()[0]}
        store = w.Store(self.engine)
        store.set_fuel(50_000_000)
        try:
            instance = w.Instance(store, module, [])
        except w.Trap as e:
            return {"instantiateTrap": self.trap_text(e)[len("trap:"):]}
        except w.WasmtimeError as e:
            return {"instantiateTrap": "error:" + str(e).splitlines()[0]}
        exports = instance.exports(store)
        results = []
        for name, args in calls:
            function = exports[name]
            if reset_fuel:
                exports[FUEL_EXPORT].set_value(store, w.Val.i32(FUEL))
            try:
                value = function(store, *[python for _, _, python in args])
                kinds = [self.kind(t) for t in function.type(store).results]
                values = [] if value is None else (list(value) if isinstance(value, (list, tuple)) else [value])
                results.append([value_text(k, v) for k, v in zip(kinds, values)])
            except w.Trap as e:
                results.append([self.trap_text(e)])
            except w.WasmtimeError as e:
                results.append(["error:" + str(e).splitlines()[0]])
        outcome["calls"] = results
        state = []
        for export in module.exports:
            item = exports[export.name]
            if isinstance(item, w.Memory):
                data = item.read(store, 0, item.data_len(store))
                state.append(f"memory {export.name} {item.size(store)} {zlib.crc32(data)}")
            elif isinstance(item, w.Global):
                kind = self.kind(item.type(store).content)
                if kind in NUMERIC:
                    state.append(f"global {export.name} {value_text(kind, item.value(store))}")
        outcome["state"] = state
        return outcome


def comparable_state(state):
    """Memories, and globals holding numbers (swasm also prints reference
    globals), with NaNs normalized. A name may hold spaces; the value is
    the last field."""
    lines = []
    for line in state:
        if line.startswith("global "):
            head, value = line.rsplit(" ", 1)
            if value.split(":")[0] not in NUMERIC:
                continue
            line = f"{head} {normalize(value)}"
        lines.append(line)
    return lines


def compare(ours, theirs):
    """None when the engines agree, else a description of the first difference."""
    if "error" in theirs:
        return None if "error" in ours else f"wasmtime rejects the module ({theirs['error']}), swasm accepts it"
    if "error" in ours:
        return f"swasm refuses a module wasmtime runs: {ours['error']}"
    if "instantiateTrap" in theirs or ours.get("instantiateTrap"):
        a, b = ours.get("instantiateTrap"), theirs.get("instantiateTrap")
        if a == b or (a and b and "call stack exhausted" in (a, b)):
            return None
        return f"instantiation: swasm {a or 'succeeds'}, wasmtime {b or 'succeeds'}"
    for index, (a, b) in enumerate(zip(ours["calls"], theirs["calls"])):
        a, b = [normalize(x) for x in a], [normalize(x) for x in b]
        if any(x in IMPLEMENTATION_DEFINED for x in a + b):
            return None  # the runs part ways here by design
        if a != b:
            return f"call {index}: swasm {a}, wasmtime {b}"
    if comparable_state(ours.get("state", [])) != comparable_state(theirs.get("state", [])):
        return f"state after the calls: swasm {ours.get('state')}, wasmtime {theirs.get('state')}"
    return None


def check_the_comparison():
    """The comparison must see each kind of difference (a comparison that
    accepts everything would let every run pass)."""
    base = {"calls": [["i32:1"], ["trap:integer overflow"], ["f32:2143289344"]], "state": ["memory m 1 5", "global g i64:3"]}
    def changed(**fields):
        return dict(base, **fields)
    assert compare(base, base) is None
    assert compare(changed(calls=[["i32:2"], *base["calls"][1:]]), base)
    assert compare(changed(calls=[["i32:1"], ["trap:integer divide by zero"], base["calls"][2]]), base)
    assert compare(changed(calls=[["i32:1"], ["i32:0"], base["calls"][2]]), base)
    assert compare(changed(state=["memory m 1 6", "global g i64:3"]), base)
    assert compare(changed(state=["memory m 1 5", "global g i64:4"]), base)
    assert compare(changed(state=["memory m 1 5", "global g i64:3", "global h f32:0"]), base)
    assert compare(changed(state=["memory m 1 5", "global g i64:3", "global r funcref:null"]), base) is None
    assert compare({"error": "not supported"}, base)
    assert compare({"instantiateTrap": "out of bounds memory access"}, base)
    # Any NaN equals any NaN; stack exhaustion ends the comparison.
    assert compare(changed(calls=[["i32:1"], ["trap:integer overflow"], ["f32:4290772992"]]), base) is None
    assert compare(changed(calls=[["trap:call stack exhausted"], ["i32:5"]], state=[]), base) is None


def run_swasm(binary, plan, timeout, options):
    """Runs a plan; returns the outcomes by path. A module that crashes the
    process is reported as such, and the rest of the batch runs again."""
    outcomes = {}
    remaining = list(plan)
    while remaining:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(remaining, f)
            plan_path = f.name
        try:
            process = subprocess.run([binary, "diff", *options, plan_path], capture_output=True, text=True, timeout=timeout)
            stdout, status, stderr = process.stdout, process.returncode, process.stderr
        except subprocess.TimeoutExpired as e:
            stdout, status, stderr = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or ""), "timeout", ""
        finally:
            os.unlink(plan_path)
        for line in stdout.splitlines():
            try:
                outcome = json.loads(line)
            except json.JSONDecodeError:
                continue
            outcomes[outcome["path"]] = outcome
        done = [entry for entry in remaining if entry["path"] in outcomes]
        remaining = remaining[len(done):]
        if remaining and status != 0:
            culprit = remaining.pop(0)
            outcomes[culprit["path"]] = {"error": f"swasm-spec diff died ({status}): {stderr.strip()[-300:]}", "crash": True}
        elif remaining:
            break
    return outcomes


def check(paths, binary, keep, timeout, options):
    wasmtime = Wasmtime()
    plan, expected = [], {}
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        has_fuel = False
        try:
            module = wasmtime.wasmtime.Module(wasmtime.engine, data)
            exports = wasmtime.numeric_exports(module)
            has_fuel = any(export.name == FUEL_EXPORT for export in module.exports)
        except wasmtime.wasmtime.WasmtimeError as e:
            exports = []
        calls = plan_calls(data, exports)
        entry = {"path": path, "calls": [[name] + [f"{kind}:{bits}" for kind, bits, _ in args] for name, args in calls]}
        if has_fuel:
            entry["resetBeforeEachCall"] = [[FUEL_EXPORT, f"i32:{FUEL}"]]
        plan.append(entry)
        expected[path] = wasmtime.run(data, calls, reset_fuel=has_fuel)
    outcomes = run_swasm(binary, plan, timeout, options)
    mismatches = {}
    counts = {"calls": 0, "traps": 0, "implementation-defined": 0, "refused": 0}
    for path in paths:
        ours = outcomes.get(path, {"error": "no output from swasm-spec diff", "crash": True})
        theirs = expected[path]
        if ours.get("crash"):
            difference = ours["error"]
        else:
            difference = compare(ours, theirs)
        counts["calls"] += len(theirs.get("calls", []))
        counts["traps"] += sum(1 for c in theirs.get("calls", []) if c and c[0].startswith("trap:"))
        counts["implementation-defined"] += any(x in IMPLEMENTATION_DEFINED for c in ours.get("calls", []) + theirs.get("calls", []) for x in c)
        counts["refused"] += "error" in theirs
        if difference:
            mismatches[path] = difference
            if keep:
                os.makedirs(keep, exist_ok=True)
                shutil.copy(path, keep)
    return mismatches, counts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/debug"), help="folder holding swasm-spec")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=50, help="modules per swasm-spec process")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per swasm-spec process")
    parser.add_argument("--keep", default=os.path.join(ROOT, "results/fuzz-diff"), help="where mismatching modules go")
    parser.add_argument("--replay", help="folder with agree/ and known-mismatch/ modules")
    args = parser.parse_args()
    binary = os.path.join(args.bin, "swasm-spec")
    started = time.time()
    check_the_comparison()

    if args.replay:
        failures = 0
        for group in ("agree", "known-mismatch"):
            folder = os.path.join(args.replay, group)
            paths = sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".wasm")) if os.path.isdir(folder) else []
            mismatches = {}
            for options in SWASM_CONFIGURATIONS:
                found, _ = check(paths, binary, None, args.timeout, options)
                for path, difference in found.items():
                    mismatches.setdefault(path, f"swasm-spec diff {' '.join(options)}: {difference}")
            for path in paths:
                if group == "agree" and path in mismatches:
                    print(f"fuzz-diff: {path}: {mismatches[path]}")
                    failures += 1
                elif group == "known-mismatch" and path not in mismatches:
                    print(f"fuzz-diff: {path} now agrees with wasmtime: move it to agree/")
                    failures += 1
                elif group == "known-mismatch":
                    print(f"fuzz-diff: {path}: still differs as known: {mismatches[path]}")
            print(f"fuzz-diff: replayed {len(paths)} {group} modules")
        return 1 if failures else 0

    mismatches, totals = {}, {}
    with tempfile.TemporaryDirectory(prefix="swasm-fuzz-diff-") as work:
        for start in range(0, args.count, args.batch):
            paths = []
            for i in range(start, min(args.count, start + args.batch)):
                path = os.path.join(work, f"s{args.seed}-{i}.wasm")
                generate(path, (args.seed << 32) + i)
                paths.append(path)
            options = SWASM_CONFIGURATIONS[(start // args.batch) % len(SWASM_CONFIGURATIONS)]
            found, counts = check(paths, binary, args.keep, args.timeout, options)
            found = {path: f"swasm-spec diff {' '.join(options)}: {difference}" for path, difference in found.items()}
            mismatches.update(found)
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
            print(f"fuzz-diff: {start + len(paths)}/{args.count} modules, {len(mismatches)} mismatches", flush=True)
    for path, difference in sorted(mismatches.items()):
        print(f"fuzz-diff: MISMATCH {os.path.basename(path)} (kept in {args.keep}): {difference}")
    print(f"fuzz-diff: {args.count} modules (seed {args.seed}), {totals.get('calls', 0)} calls, "
          f"{totals.get('traps', 0)} traps, {totals.get('implementation-defined', 0)} modules cut short by stack depth or fuel, "
          f"{totals.get('refused', 0)} refused by wasmtime; {len(mismatches)} mismatches; {time.time() - started:.0f} s")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
