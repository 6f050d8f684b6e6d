#!/usr/bin/env python3
"""Writes the generated wast scripts of Tests/wast (docs/aarch64-testing.md).

  large_frames.wast     functions whose frames pass 32 KiB: thousands of
                        values live at once, incoming and outgoing stack
                        arguments beyond the reach of a load's immediate
  stack_arguments.wast  calls with 300 arguments (both register classes
                        overflow to the stack) and 16 results, direct,
                        indirect, across instances, and from the host

Every expected value is computed here, in Python, by the same arithmetic
the wasm code does (wrapping integers, IEEE doubles, floats rounded to
binary32 after each operation), so the scripts do not take their answers
from the compiler they test.

Usage: generate.py OUTPUT_DIRECTORY
"""
import os
import struct
import sys

M32 = (1 << 32) - 1
M64 = (1 << 64) - 1
TYPES = ("i32", "i64", "f32", "f64")


def f32(x):
    """x rounded to binary32 (every f32 operation rounds its exact result)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def signed64(x):
    return x - (1 << 64) if x >> 63 else x


def literal(ty, value):
    """A wat constant that denotes exactly `value`."""
    if ty in ("i32", "i64"):
        return f"({ty}.const {value})"
    return f"({ty}.const {value.hex()})"


def wrap(ty, value):
    return value & (M32 if ty == "i32" else M64)


# The per-type arithmetic: `chain` steps v[k] = v[k-1] * C + step(k) keep a
# value dependent on the one before (so none can be computed late), `fold`
# steps acc = x + acc * M weigh every position differently (so values in
# swapped or wrong slots change the answer).
# (The i64 multiplier fits two movz/movk: a constant of three or four
# halfwords costs the AArch64 backend a search of every logical immediate
# at each use, which at thousands of uses is most of the compile time.)
CHAIN = {"i32": 0x9E3779B1, "i64": 0x9E3779B1, "f32": 0.75, "f64": 0.75}
FOLD = {"i32": 31, "i64": 1000003, "f32": 1 + 2 ** -10, "f64": 1 + 2 ** -10}


def step(ty, k):
    return k if ty in ("i32", "i64") else float(k % 7)


def apply_chain(ty, previous, k):
    if ty in ("i32", "i64"):
        return wrap(ty, previous * CHAIN[ty] + k)
    if ty == "f32":
        return f32(f32(previous * CHAIN[ty]) + step(ty, k))
    return previous * CHAIN[ty] + step(ty, k)


def apply_fold(ty, x, acc):
    if ty in ("i32", "i64"):
        return wrap(ty, x + acc * FOLD[ty])
    if ty == "f32":
        return f32(x + f32(acc * FOLD[ty]))
    return x + acc * FOLD[ty]


def constant(ty, value):
    return f"{ty}.const {value if ty in ('i32', 'i64') else float(value).hex()}"


def emit_chain(ty, count, temp):
    """Code that extends the value on the stack to `count` values."""
    return [f"local.tee {temp} local.get {temp} {constant(ty, CHAIN[ty])} {ty}.mul {constant(ty, step(ty, k))} {ty}.add"
            for k in range(1, count)]


def chain_values(ty, seed, count):
    values = [seed]
    for k in range(1, count):
        values.append(apply_chain(ty, values[-1], k))
    return values


def emit_fold_stack(ty, count):
    """Code that folds the top `count` values into one (deepest weighs most)."""
    return [f"{constant(ty, FOLD[ty])} {ty}.mul {ty}.add"] * (count - 1)


def fold_stack(ty, values):
    acc = values[-1]
    for x in reversed(values[:-1]):
        acc = apply_fold(ty, x, acc)
    return acc


def emit_fold_into(ty, local, code):
    """Code that folds the value `code` pushes into local `local`."""
    return [f"{code} local.get {local} {constant(ty, FOLD[ty])} {ty}.mul {ty}.add local.set {local}"]


# Arguments built from a seed s (an i64), the k-th of type ty; exact in
# every type (small integers and halves).
def emit_argument(ty, k, seed="$s"):
    return {
        "i32": f"local.get {seed} i32.wrap_i64 i32.const {k + 1} i32.mul i32.const {k} i32.add",
        "i64": f"local.get {seed} i64.const {2 * k + 3} i64.mul i64.const {k} i64.add",
        "f32": f"local.get {seed} i32.wrap_i64 i32.const 12 i32.shr_u f32.convert_i32_u {constant('f32', k * 0.5)} f32.add",
        "f64": f"local.get {seed} f64.convert_i64_s {constant('f64', 0.5)} f64.mul {constant('f64', float(k))} f64.add",
    }[ty]


def argument(ty, k, s):
    if ty == "i32":
        return wrap("i32", (s & M32) * (k + 1) + k)
    if ty == "i64":
        return wrap("i64", s * (2 * k + 3) + k)
    if ty == "f32":
        return f32(float((s & M32) >> 12) + k * 0.5)
    return float(signed64(s)) * 0.5 + float(k)


def bits_of(ty, value):
    """A value's bits as an unsigned integer (for folding across types)."""
    if ty in ("i32", "i64"):
        return value
    if ty == "f32":
        return struct.unpack("<I", struct.pack("<f", value))[0]
    return struct.unpack("<Q", struct.pack("<d", value))[0]


def emit_as_i64(ty):
    """Code turning a value of `ty` on the stack into its bits as an i64."""
    return {"i32": "i64.extend_i32_u", "i64": "", "f32": "i32.reinterpret_f32 i64.extend_i32_u",
            "f64": "i64.reinterpret_f64"}[ty]


def assert_return(invoke, args, results):
    a = " ".join(literal(t, v) for t, v in args)
    r = " ".join(literal(t, v) for t, v in results)
    return f'(assert_return (invoke {invoke} {a}) {r})'


SEEDS = (0, 1, 0x0123456789ABCDEF, 0xFEDCBA9876543210, 0x7FFFFFFFFFFFFFFF)

# MARK: large frames

LIVE = 1300          # values per type live at once in many_live
WIDE_LIVE = 1100     # per type in $wide
CALLER_LIVE = 1000   # i64 values live across the call in wide_caller
WIDE_PARAMS = [TYPES[k % 4] for k in range(48)]
WIDE_ECHOED = range(36, 48)   # parameters $wide returns after its own four results
WIDE_RESULTS = list(TYPES) + [WIDE_PARAMS[k] for k in WIDE_ECHOED]


def four_chains(count, seeds_code):
    """Pushes `count` values of each type, then folds them into locals
    $r32 $r64 $rf32 $rf64 (all four chains live at the peak)."""
    code = []
    for ty, seed in zip(TYPES, seeds_code):
        code.append(seed)
        code += emit_chain(ty, count, {"i32": "$t32", "i64": "$t64", "f32": "$tf32", "f64": "$tf64"}[ty])
    for ty, local in reversed(list(zip(TYPES, ("$r32", "$r64", "$rf32", "$rf64")))):
        code += emit_fold_stack(ty, count)
        code.append(f"local.set {local}")
    return code


def four_chain_results(count, seeds):
    return [fold_stack(ty, chain_values(ty, seed, count)) for ty, seed in zip(TYPES, seeds)]


LOCALS = "(local $t32 i32) (local $t64 i64) (local $tf32 f32) (local $tf64 f64) " \
         "(local $r32 i32) (local $r64 i64) (local $rf32 f32) (local $rf64 f64)"


def large_frames():
    seeds_code = ["local.get $x i32.wrap_i64", "local.get $x",
                  "local.get $x i32.wrap_i64 i32.const 0xFFFF i32.and f32.convert_i32_u", "local.get $x f64.convert_i64_s"]

    def seeds(x):
        return [x & M32, x, float(x & 0xFFFF), float(signed64(x))]

    lines = [";; Generated by Tests/wast/generate.py: frames beyond 32 KiB.", "(module"]
    wide_results = " ".join(WIDE_RESULTS)
    lines.append(f'  (type $wide_type (func (param {" ".join(WIDE_PARAMS)}) (result {wide_results})))')
    lines.append("  (table funcref (elem $wide))")
    # many_live: four chains of LIVE values, all live at once.
    lines.append(f'  (func (export "many_live") (param $x i64) (result i32 i64 f32 f64) {LOCALS}')
    lines += ["    " + c for c in four_chains(LIVE, seeds_code)]
    lines.append("    local.get $r32 local.get $r64 local.get $rf32 local.get $rf64)")
    # $wide: 48 parameters (stack arguments in both classes) read after a
    # frame of four chains is set up; 16 results (through the result area,
    # whose address the frame keeps), the last 12 its last 12 parameters.
    params = " ".join(f"(param $p{k} {ty})" for k, ty in enumerate(WIDE_PARAMS))
    lines.append(f'  (func $wide (export "wide") (type $wide_type) {params} (result {wide_results}) {LOCALS}')
    wide_seeds = ["local.get $p0", "local.get $p1", "local.get $p2", "local.get $p3"]
    lines += ["    " + c for c in four_chains(WIDE_LIVE, wide_seeds)]
    for k, ty in enumerate(WIDE_PARAMS):
        local = {"i32": "$r32", "i64": "$r64", "f32": "$rf32", "f64": "$rf64"}[ty]
        lines += ["    " + c for c in emit_fold_into(ty, local, f"local.get $p{k}")]
    lines.append("    local.get $r32 local.get $r64 local.get $rf32 local.get $rf64 "
                 + " ".join(f"local.get $p{k}" for k in WIDE_ECHOED) + ")")
    # wide_caller(_indirect): CALLER_LIVE i64 values live across a call of
    # $wide with 48 arguments; its 12 echoed results folded into $h.
    for name, call in (("wide_caller", "call $wide"), ("wide_caller_indirect", "i32.const 0 call_indirect (type $wide_type)")):
        lines.append(f'  (func (export "{name}") (param $s i64) (result i32 i64 f32 f64 i64) {LOCALS} (local $h i64)')
        lines.append("    local.get $s")
        lines += ["    " + c for c in emit_chain("i64", CALLER_LIVE, "$t64")]
        lines += ["    " + emit_argument(ty, k) for k, ty in enumerate(WIDE_PARAMS)]
        lines.append(f"    {call}")
        for ty in reversed(WIDE_RESULTS[4:]):
            lines.append(f"    {emit_as_i64(ty)} local.get $h i64.const {FOLD['i64']} i64.mul i64.add local.set $h")
        lines.append("    local.set $rf64 local.set $rf32 local.set $r64 local.set $r32")
        lines += ["    " + c for c in emit_fold_stack("i64", CALLER_LIVE)]
        lines.append("    local.get $r64 i64.xor local.set $r64")
        lines.append("    local.get $r32 local.get $r64 local.get $rf32 local.get $rf64 local.get $h)")
    lines.append(")")

    def wide(args):
        r = four_chain_results(WIDE_LIVE, args[:4])
        index = {"i32": 0, "i64": 1, "f32": 2, "f64": 3}
        for ty, value in zip(WIDE_PARAMS, args):
            r[index[ty]] = apply_fold(ty, value, r[index[ty]])
        return r + [args[k] for k in WIDE_ECHOED]

    for x in SEEDS:
        lines.append(assert_return('"many_live"', [("i64", x)], list(zip(TYPES, four_chain_results(LIVE, seeds(x))))))
    for x in SEEDS[1:4]:
        args = [argument(ty, k, x) for k, ty in enumerate(WIDE_PARAMS)]
        lines.append(assert_return('"wide"', list(zip(WIDE_PARAMS, args)), list(zip(WIDE_RESULTS, wide(args)))))
        r = wide(args)
        h = 0
        for ty, value in zip(reversed(WIDE_RESULTS[4:]), reversed(r[4:])):
            h = apply_fold("i64", bits_of(ty, value), h)
        r = r[:4] + [h]
        r[1] ^= fold_stack("i64", chain_values("i64", x, CALLER_LIVE))
        for name in ('"wide_caller"', '"wide_caller_indirect"'):
            lines.append(assert_return(name, [("i64", x)], list(zip(list(TYPES) + ["i64"], r))))
    return "\n".join(lines) + "\n"


# MARK: stack arguments and multiple results

ARGS = [TYPES[(k * 3 + k // 4) % 4] for k in range(300)]   # mixed, not in a fixed rotation
RESULTS = [TYPES[k % 4] for k in range(16)]
FOLD_ALL = (9, 13)   # i64 results that fold every argument's bits
assert all(RESULTS[j] == "i64" for j in FOLD_ALL)


def callee_results(args):
    """What $callee returns: result j folds the arguments of its type
    (starting from j + 1); those of FOLD_ALL fold every argument's bits,
    so an argument in the wrong place of any class shows."""
    out = []
    for j, ty in enumerate(RESULTS):
        acc = wrap(ty, j + 1) if ty in ("i32", "i64") else float(j + 1)
        if ty == "f32":
            acc = f32(acc)
        if j in FOLD_ALL:
            for aty, value in zip(ARGS, args):
                acc = apply_fold("i64", bits_of(aty, value), acc)
        else:
            for aty, value in zip(ARGS, args):
                if aty == ty:
                    acc = apply_fold(ty, value, acc)
        out.append(acc)
    return out


def emit_callee_body():
    code = []
    for j, ty in enumerate(RESULTS):
        code.append(constant(ty, j + 1 if ty in ("i32", "i64") else float(j + 1)))
        if j in FOLD_ALL:
            for k, aty in enumerate(ARGS):
                code.append(f"local.set $acc local.get $p{k} {emit_as_i64(aty)} local.get $acc "
                            f"{constant('i64', FOLD['i64'])} i64.mul i64.add")
        else:
            for k, aty in enumerate(ARGS):
                if aty == ty:
                    temp = {"i32": "$t32", "i64": "$acc", "f32": "$tf32", "f64": "$tf64"}[ty]
                    code.append(f"local.set {temp} local.get $p{k} local.get {temp} {constant(ty, FOLD[ty])} {ty}.mul {ty}.add")
    return code


def stack_arguments():
    params = " ".join(f"(param $p{k} {ty})" for k, ty in enumerate(ARGS))
    results = " ".join(RESULTS)
    lines = [";; Generated by Tests/wast/generate.py: 300 arguments, 16 results.", "(module $callee_module"]
    lines.append(f"  (type $callee_type (func (param {' '.join(ARGS)}) (result {results})))")
    lines.append("  (table funcref (elem $callee))")
    lines.append(f'  (func $callee (export "callee") (type $callee_type) {params} (result {results}) '
                 "(local $acc i64) (local $t32 i32) (local $tf32 f32) (local $tf64 f64)")
    lines += ["    " + c for c in emit_callee_body()]
    lines.append("  )")
    # Callers: arguments from a seed, then every result folded into one i64
    # per result (in order), so that results in wrong slots show.
    fold_results = []
    for ty in reversed(RESULTS):
        fold_results.append(f"{emit_as_i64(ty)} local.get $h i64.const {FOLD['i64']} i64.mul i64.add local.set $h")
    for name, call in (("direct", "call $callee"), ("indirect", "local.get $i call_indirect (type $callee_type)")):
        lines.append(f'  (func (export "{name}") (param $s i64) (param $i i32) (result {results})')
        lines += ["    " + emit_argument(ty, k) for k, ty in enumerate(ARGS)]
        lines.append(f"    {call})")
        lines.append(f'  (func (export "{name}_folded") (param $s i64) (param $i i32) (result i64) (local $h i64)')
        lines += ["    " + emit_argument(ty, k) for k, ty in enumerate(ARGS)]
        lines.append(f"    {call}")
        lines += ["    " + c for c in fold_results]
        lines.append("    local.get $h)")
    lines.append(")")
    lines.append('(register "callee_module" $callee_module)')
    # Another instance calls the callee through an import, and passes the
    # results on to its own caller.
    lines.append("(module $importer")
    lines.append(f'  (import "callee_module" "callee" (func $callee (param {" ".join(ARGS)}) (result {results})))')
    lines.append(f'  (func (export "imported") (param $s i64) (result {results})')
    lines += ["    " + emit_argument(ty, k) for k, ty in enumerate(ARGS)]
    lines.append("    call $callee))")

    def folded(values):
        h = 0
        for ty, value in zip(reversed(RESULTS), reversed(values)):
            h = apply_fold("i64", bits_of(ty, value), h)
        return h

    for s in SEEDS:
        args = [argument(ty, k, s) for k, ty in enumerate(ARGS)]
        expected = callee_results(args)
        lines.append(assert_return('$callee_module "callee"', list(zip(ARGS, args)), list(zip(RESULTS, expected))))
        lines.append(assert_return('$callee_module "direct"', [("i64", s), ("i32", 0)], list(zip(RESULTS, expected))))
        lines.append(assert_return('$callee_module "indirect"', [("i64", s), ("i32", 0)], list(zip(RESULTS, expected))))
        lines.append(assert_return('$callee_module "direct_folded"', [("i64", s), ("i32", 0)], [("i64", folded(expected))]))
        lines.append(assert_return('$callee_module "indirect_folded"', [("i64", s), ("i32", 0)], [("i64", folded(expected))]))
        lines.append(assert_return('$importer "imported"', [("i64", s)], list(zip(RESULTS, expected))))
    lines.append('(assert_trap (invoke $callee_module "indirect" (i64.const 1) (i32.const 1)) "undefined element")')
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, text in (("large_frames", large_frames()), ("stack_arguments", stack_arguments())):
        with open(os.path.join(out, name + ".wast"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
