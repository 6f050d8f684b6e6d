#!/usr/bin/env python3
"""WASI preview 1 conformance: runs the C programs of this directory under
swasm and under wasmtime (PyPI `wasmtime`, Python API) and compares stdout,
stderr, the exit code and the files left in the sandbox and beside it.

Needs: `pip install ziglang wasmtime` (C → wasm32-wasi with
`python3 -m ziglang cc`), and built swasm tools (`swift build`).
Usage: run.py [--bin DIR] [--build DIR] [CASE...]

swasm runs with a low limit on open descriptors (NOFILE_LIMIT), so that
resolution holding descriptors per directory level fails, and must leave the
flags of the stdio descriptors it shares with this script as they were.
"""
import argparse, difflib, fcntl, hashlib, os, resource, shutil, subprocess, sys, tempfile

SOURCE = [None]  # the module file the current case runs (copied into each run's directory)
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))

# name, program, guest args, env, stdin text, input kind, sandbox?
# The input kind is "object" (swasmc's .o under `swasm run`), "wasm" (compiled
# in-process by `swasm run`) or "exe" (a native executable from `swasmc --exe`;
# no sandbox: it preopens its working directory).
# Cases named in GOLDEN run under swasm only and are compared with
# expected/NAME.stdout: they pass pointers outside memory and invalid enum
# values, for which WASI wants EFAULT/EINVAL but wasmtime traps, or use
# rights, which wasmtime no longer implements.
GOLDEN = {"args-efault", "escape-efault", "misc-extra", "rights"}
NOFILE_LIMIT = 64
CASES = [
    ("args-efault", "args_env", ["efault"], [], None, "object", False),
    ("escape-efault", "escape", ["efault"], [], None, "object", True),
    ("misc-extra", "misc", ["extra"], [], None, "object", True),
    ("rights", "rights", [], [], None, "object", True),
    ("args", "args_env", ["one", "two words", "-x", ""], [("GREETING", "hi"), ("OTHER", "a=b")], None, "wasm", False),
    ("exit-7", "args_env", ["exit", "7"], [], None, "object", False),
    # Statuses past 125 are errors (status 1), never a wrapped-around 0.
    ("exit-125", "args_env", ["exit", "125"], [], None, "object", False),
    ("exit-126", "args_env", ["exit", "126"], [], None, "object", False),
    ("exit-256", "args_env", ["exit", "256"], [], None, "object", False),
    ("exit-minus-1", "args_env", ["exit", "-1"], [], None, "object", False),
    ("exe-exit-7", "args_env", ["exit", "7"], [], None, "exe", False),
    ("exe-exit-256", "args_env", ["exit", "256"], [], None, "exe", False),
    ("return-3", "args_env", ["return", "3"], [], None, "object", False),
    ("trap", "args_env", ["trap"], [], None, "object", False),
    ("stdin", "args_env", ["cat"], [], "line one\nline two\n" * 50, "object", False),
    ("fs", "fs", [], [], None, "object", True),
    ("escape", "escape", [], [], None, "object", True),
    ("misc", "misc", [], [], None, "object", True),
    ("stdio", "stdio", [], [], "a line from stdin\n", "object", False),
    ("limits", "limits", [], [], None, "object", True),
]


def build(program, build_dir, swasmc):
    """Compiles Tests/wasi/PROGRAM.c to .wasm (ziglang), .o and an executable
    (swasmc), the .wasm cached by content."""
    source = os.path.join(HERE, program + ".c")
    digest = hashlib.sha256()
    for path in (source, os.path.join(HERE, "common.h")):
        with open(path, "rb") as f:
            digest.update(f.read())
    wasm = os.path.join(build_dir, program + ".wasm")
    stamp = wasm + ".sha256"
    if not (os.path.exists(wasm) and os.path.exists(stamp) and open(stamp).read() == digest.hexdigest()):
        subprocess.run([sys.executable, "-m", "ziglang", "cc", "--target=wasm32-wasi", "-O2", "-s",
                        "-o", wasm, source], check=True)
        with open(stamp, "w") as f:
            f.write(digest.hexdigest())
    obj = os.path.join(build_dir, program + ".o")
    subprocess.run([swasmc, wasm, "-o", obj], check=True)
    exe = os.path.join(build_dir, program + ".exe")
    subprocess.run([swasmc, wasm, "--exe", "-o", exe], check=True)
    return wasm, obj, exe


def make_tree(root):
    sandbox = os.path.join(root, "sandbox")
    outside = os.path.join(root, "outside")
    os.makedirs(os.path.join(sandbox, "sub"))
    os.makedirs(outside)
    for path, text in [("sandbox/hello.txt", "hello world\n"), ("sandbox/sub/nested.txt", "nested\n"),
                       ("outside/secret.txt", "secret\n")]:
        with open(os.path.join(root, path), "w") as f:
            f.write(text)
    for link, target in [("sub/up", "../hello.txt"), ("sub/deep_out", "../../outside/secret.txt"),
                         ("link_in", "hello.txt"), ("link_out", "../outside/secret.txt"),
                         ("abs_link", "/etc/passwd"), ("link_dir_out", "../outside"),
                         ("loop1", "loop2"), ("loop2", "loop1")]:
        os.symlink(target, os.path.join(sandbox, link))


def snapshot(root):
    """Every file, directory and symlink under root, with contents and targets."""
    items = []
    for directory, dirs, files in os.walk(root):
        for name in sorted(dirs + files):
            path = os.path.join(directory, name)
            rel = os.path.relpath(path, root)
            if os.path.islink(path):
                items.append(f"{rel} -> {os.readlink(path)}")
            elif os.path.isdir(path):
                items.append(f"{rel}/")
            else:
                with open(path, "rb") as f:
                    items.append(f"{rel}: {f.read()!r}")
    return sorted(items)


def run_wasmtime(wasm, argv0, args, env, stdin, root, sandbox):
    import wasmtime
    engine = wasmtime.Engine()
    module = wasmtime.Module.from_file(engine, os.path.join(root, os.path.basename(wasm)))
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    store = wasmtime.Store(engine)
    config = wasmtime.WasiConfig()
    config.argv = [argv0] + args
    config.env = env
    if sandbox:
        config.preopen_dir(os.path.join(root, "sandbox"), "/sandbox")
    config.stdout_file = os.path.join(root, "stdout")
    config.stderr_file = os.path.join(root, "stderr")
    if stdin is not None:
        config.stdin_file = os.path.join(root, "stdin")
    store.set_wasi(config)
    status, trapped = 0, False
    try:
        instance = linker.instantiate(store, module)
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as e:
        status = e.code
    except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
        status, trapped = 1, True
        with open(os.path.join(root, "trap"), "w") as f:
            f.write(str(e))
    del store
    return status, trapped


def limit_descriptors():
    resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE_LIMIT, NOFILE_LIMIT))


def run_swasm(swasm, module, args, env, stdin, root, sandbox, exe=None):
    if exe:
        # argv[0] as wasmtime gives it (the module's name); only the case's
        # environment, as the executable passes its own on to the guest.
        command, executable, environment = [module] + args, exe, dict(env)
    else:
        command, executable, environment = [swasm, "run", module], None, None
        if sandbox:
            command += ["--dir", "sandbox::/sandbox"]
        for k, v in env:
            command += ["--env", f"{k}={v}"]
        command += ["--"] + args
    with open(os.path.join(root, "stdout"), "wb") as out, open(os.path.join(root, "stderr"), "wb") as err:
        stdin_file = open(os.path.join(root, "stdin"), "rb") if stdin is not None else open(os.devnull, "rb")
        streams = [stdin_file, out, err]
        flags_before = [fcntl.fcntl(f.fileno(), fcntl.F_GETFL) for f in streams]
        p = subprocess.run(command, executable=executable, env=environment, cwd=root, stdout=out, stderr=err,
                           stdin=stdin_file, timeout=60, preexec_fn=limit_descriptors)
        flags_after = [fcntl.fcntl(f.fileno(), fcntl.F_GETFL) for f in streams]
        stdin_file.close()
        if flags_after != flags_before:
            # The guest changed the host's descriptors (O_NONBLOCK, O_APPEND...).
            err.write(f"stdio flags changed: {flags_before} -> {flags_after}\n".encode())
    with open(os.path.join(root, "stderr"), "rb") as f:
        name = os.path.basename(module) if exe else "swasm"
        trapped = p.returncode == 1 and f"{name}: error:".encode() in f.read()
    return p.returncode, trapped


def outcome(runner, root, *arguments):
    make_tree(root)
    shutil.copy(SOURCE[0], root)
    stdin = arguments[2]
    if stdin is not None:
        with open(os.path.join(root, "stdin"), "w") as f:
            f.write(stdin)
    status, trapped = runner(*arguments)
    with open(os.path.join(root, "stdout"), "rb") as f:
        stdout = f.read().decode(errors="replace")
    with open(os.path.join(root, "stderr"), "rb") as f:
        stderr = f.read().decode(errors="replace")
    if trapped:
        stderr = "(trap)"
        if os.path.exists(os.path.join(root, "trap")):
            print(f"  (wasmtime: {open(os.path.join(root, 'trap')).read().strip().splitlines()[-1]})")
    files = snapshot(os.path.join(root, "sandbox")) + ["outside:"] + snapshot(os.path.join(root, "outside"))
    return {"status": status, "stdout": stdout, "stderr": stderr, "files": "\n".join(files)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "debug"))
    parser.add_argument("--build", default=os.path.join(ROOT, ".build", "wasi-tests"))
    parser.add_argument("--bless", action="store_true", help="rewrite expected/ from swasm's output")
    parser.add_argument("cases", nargs="*")
    options = parser.parse_args()
    os.makedirs(options.build, exist_ok=True)
    swasm = os.path.join(options.bin, "swasm")
    swasmc = os.path.join(options.bin, "swasmc")
    built = {}
    global SOURCE
    passed = failed = 0
    for name, program, args, env, stdin, kind, sandbox in CASES:
        if options.cases and name not in options.cases:
            continue
        if program not in built:
            built[program] = build(program, options.build, swasmc)
        wasm, obj, exe = built[program]
        # Run a copy named as the program, from the run's directory: argv[0]
        # (the module's path as given, as wasmtime does) is then the same everywhere.
        source = wasm if kind == "wasm" else obj
        module = os.path.basename(source)
        SOURCE[0] = source
        if kind == "exe":
            module = os.path.basename(wasm)
            SOURCE[0] = wasm
        executable = exe if kind == "exe" else None
        if name in GOLDEN:
            with tempfile.TemporaryDirectory(prefix="swasm-wasi-") as tmp:
                make_tree(os.path.join(tmp, "fresh"))
                untouched = snapshot(os.path.join(tmp, "fresh", "outside"))
                got = outcome(lambda *x: run_swasm(swasm, module, *x, exe=executable), os.path.join(tmp, "swasm"),
                              args, env, stdin, os.path.join(tmp, "swasm"), sandbox)
            golden = os.path.join(HERE, "expected", name + ".stdout")
            if options.bless:
                os.makedirs(os.path.dirname(golden), exist_ok=True)
                with open(golden, "w") as f:
                    f.write(got["stdout"])
            expected_stdout = open(golden).read() if os.path.exists(golden) else "(missing expected file)"
            problems = []
            if got["status"] != 0:
                problems.append(f"exit status {got['status']}, stderr: {got['stderr']}")
            if got["stdout"] != expected_stdout:
                diff = difflib.unified_diff(expected_stdout.splitlines(), got["stdout"].splitlines(),
                                            "expected", "swasm", lineterm="")
                problems.append("\n".join(diff))
            if got["files"].split("outside:\n")[-1] != "\n".join(untouched):
                problems.append("files outside the sandbox changed:\n" + got["files"])
            if problems:
                failed += 1
                print(f"FAIL {name}\n" + "\n".join(problems))
            else:
                passed += 1
                print(f"ok   {name} (swasm, expected/{name}.stdout)")
            continue
        with tempfile.TemporaryDirectory(prefix="swasm-wasi-") as tmp:
            a, b = os.path.join(tmp, "wasmtime"), os.path.join(tmp, "swasm")
            os.makedirs(a)
            os.makedirs(b)
            shutil.copy(wasm, a)
            expected = outcome(lambda *x: run_wasmtime(wasm, module, *x), a, args, env, stdin, a, sandbox)
            got = outcome(lambda *x: run_swasm(swasm, module, *x, exe=executable), b, args, env, stdin, b, sandbox)
        differences = [key for key in expected if expected[key] != got[key]]
        if differences:
            failed += 1
            print(f"FAIL {name}")
            for key in differences:
                diff = difflib.unified_diff(str(expected[key]).splitlines(), str(got[key]).splitlines(),
                                            f"wasmtime {key}", f"swasm {key}", lineterm="")
                print("\n".join(diff))
        else:
            passed += 1
            print(f"ok   {name} (exit {got['status']})")
    print(f"wasi: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
