"""Instructions spent decoding fixed captured pages into column batches, counted by callgrind.

    python benchmarks/decode_callgrind.py                   # build, measure, compare to baseline
    python benchmarks/decode_callgrind.py --check           # ... and fail on a regression > 5%
    python benchmarks/decode_callgrind.py --write-baseline  # make this run the new baseline

Builds decode_bench (benchmarks/decode/decode_bench.cc; RelWithDebInfo, -O2 -g) in build/bench,
runs it under `valgrind --tool=callgrind` once per page of benchmarks/decode/data/ with collection
switched on only inside its DecodeLoop (the BatchBuilder appending the page and finishing the batch,
after one warm-up pass), and reports instructions (Ir) per row and per payload byte, and the top
functions by inclusive and self Ir. Instruction counts do not depend on the machine's load, so a
change of a few percent is a real change in the code (or in the compiler, Abseil or libc: compare
runs of one toolchain). Results go to benchmarks/decode_callgrind.json; the committed baseline is
benchmarks/decode_callgrind.baseline.json. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "decode" / "data"
DEFAULT_BUILD = ROOT / "build" / "bench"
DEFAULT_OUT = ROOT / "benchmarks" / "decode_callgrind.json"
BASELINE = ROOT / "benchmarks" / "decode_callgrind.baseline.json"
TOGGLE = "ignite_tf::bench::DecodeLoop*"

# name -> decode_bench arguments (paths relative to DATA)
PAGES = {
    "w2_mnist": ["--page", "w2_mnist.page", "--types", "w2_mnist.types"],
    "w3_numeric": ["--page", "w3_numeric.page", "--types", "w3_numeric.types"],
    "w3_numeric_sql": ["--sql", "--page", "w3_numeric.sqlpage", "--types", "w3_numeric.types"],
    "mixed": ["--page", "mixed.page", "--types", "mixed.types"],
}


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, text=True, **kwargs)


def build(build_dir: Path, jobs: int) -> Path:
    if not (build_dir / "CMakeCache.txt").exists():
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        run(
            ["cmake", "-S", str(ROOT), "-B", str(build_dir), *generator]
            + [
                "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g -DNDEBUG",
                "-DIGNITE_TF_BUILD_PYTHON=OFF",
                "-DIGNITE_TF_BUILD_TF_PLUGIN=OFF",
                "-DIGNITE_TF_BUILD_TESTS=OFF",
                "-DIGNITE_TF_BUILD_FUZZERS=OFF",
                "-DIGNITE_TF_BUILD_BENCHMARKS=ON",
            ],
            stdout=subprocess.DEVNULL,
        )
    run(["cmake", "--build", str(build_dir), "--target", "decode_bench", "-j", str(jobs)])
    return build_dir / "decode_bench"


def short_name(function: str) -> str:
    """`ns::Class::F(args) const [clone .isra.0]'2` -> `ns::Class::F'2`: drops the parameters."""
    name, rec = re.match(r"^(.*?)('\d+)?$", function).groups()
    name = re.sub(r" \[clone [^\]]*\]$", "", name)
    depth, cut = 0, None
    for i in range(len(name) - 1, -1, -1):  # the last balanced (...) group is the parameter list
        if name[i] == ")":
            depth += 1
        elif name[i] == "(":
            depth -= 1
            if depth == 0:
                cut = i
                break
    if cut is not None and not name.startswith("("):  # keep "(below main)"
        name = name[:cut]
    return name + (rec or "")


def read_callgrind(out_file: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Self and inclusive Ir per function, read from a callgrind output file.

    A function is known by its name alone: callgrind_annotate keys it by file as well, and
    GCC 12's DWARF 5 line tables give one function both a relative and an absolute file name,
    which splits it in two (and its inlined code under the headers' names), and it adds a
    recursive function's self cost at every level to calls that already hold it. Here, inlined
    code counts for the function it is inlined in, and with --separate-recs each recursion level
    is its own name: level 1's inclusive cost (self + its calls' costs, as callgrind measured them)
    holds the deeper levels once.
    """
    names: dict[str, dict[str, str]] = {"fl": {}, "fn": {}, "ob": {}}
    table = {"fl": "fl", "fi": "fl", "fe": "fl", "cfi": "fl", "cfl": "fl"}
    table.update({"fn": "fn", "cfn": "fn", "ob": "ob", "cob": "ob"})

    def resolve(kind: str, value: str) -> str:
        m = re.match(r"^\((\d+)\)(?: (.*))?$", value)
        if not m:
            return value
        if m.group(2) is not None:
            names[kind][m.group(1)] = m.group(2)
        return names[kind].get(m.group(1), value)

    self_ir: dict[str, int] = {}
    calls_ir: dict[str, int] = {}
    positions = 1
    fn = callee = ""
    in_call = False
    for line in out_file.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        if line[0].isdigit() or line[0] in "+-*":
            fields = line.split()
            cost = int(fields[positions]) if len(fields) > positions else 0
            if in_call:
                if callee != fn:  # past --separate-recs levels a function calls itself
                    calls_ir[fn] = calls_ir.get(fn, 0) + cost
                in_call = False
            else:
                self_ir[fn] = self_ir.get(fn, 0) + cost
            continue
        key, _, value = line.partition("=")
        if key == "calls":
            in_call = True
        elif key in table:
            name = resolve(table[key], value)
            if key == "fn":
                fn = name
            elif key == "cfn":
                callee = name
        elif line.startswith("positions:"):
            positions = len(line.split()) - 1
    inclusive = {f: self_ir.get(f, 0) + calls_ir.get(f, 0) for f in set(self_ir) | set(calls_ir)}
    return self_ir, inclusive


def top_functions(out_file: Path, total: int, count: int) -> tuple[list[dict], list[dict]]:
    """Top functions by inclusive Ir (the callers of DecodeLoop and the benchmark's own
    functions left out) and by self Ir (recursion levels added up)."""
    self_ir, inclusive_ir = read_callgrind(out_file)

    def rows(costs: dict[str, int]) -> list[dict]:
        ordered = sorted(costs.items(), key=lambda kv: (-kv[1], kv[0]))[:count]
        return [
            {"function": f, "ir": ir, "percent": round(100 * ir / total, 2)} for f, ir in ordered
        ]

    inclusive: dict[str, int] = {}
    for f, ir in inclusive_ir.items():
        name = short_name(f)
        if re.search(r"'\d+$", name) or name.startswith("ignite_tf::bench::") or ir >= total:
            continue  # deeper recursion levels; DecodeLoop, main and libc's start-up
        inclusive[name] = inclusive.get(name, 0) + ir
    merged_self: dict[str, int] = {}
    for f, ir in self_ir.items():
        name = re.sub(r"'\d+$", "", short_name(f))
        merged_self[name] = merged_self.get(name, 0) + ir
    return rows(inclusive), rows(merged_self)


def measure(binary: Path, name: str, args: list[str], repeat: int, out_dir: Path) -> dict:
    out_file = out_dir / f"{name}.callgrind.out"
    argv = [a if not a.endswith((".page", ".types", ".sqlpage")) else str(DATA / a) for a in args]
    proc = run(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out_file}",
            "--collect-atstart=no",
            f"--toggle-collect={TOGGLE}",
            "--separate-recs=20",
            str(binary),
            *argv,
            "--repeat",
            str(repeat),
        ],
        capture_output=True,
    )
    m = re.search(r"rows_decoded=(\d+) payload_bytes=(\d+)", proc.stdout)
    if not m:
        sys.exit(f"{name}: no result line in decode_bench's output:\n{proc.stdout}{proc.stderr}")
    rows, payload = int(m.group(1)), int(m.group(2))
    total = int(re.search(r"^summary: (\d+)$", out_file.read_text(), re.M).group(1))
    columns = re.search(r"^columns: (.*)$", proc.stdout, re.M).group(1)
    inclusive, self_ir = top_functions(out_file, total, 10)
    return {
        "columns": columns,
        "repeat": repeat,
        "rows": rows,
        "payload_bytes": payload,
        "ir": total,
        "ir_per_row": round(total / rows, 1),
        "ir_per_byte": round(total / payload, 3),
        "top_inclusive": inclusive,
        "top_self": self_ir,
        "callgrind_out": str(
            out_file.relative_to(ROOT) if out_file.is_relative_to(ROOT) else out_file
        ),
    }


def toolchain(build_dir: Path) -> dict:
    cache = (build_dir / "CMakeCache.txt").read_text()

    def cached(key: str) -> str:
        m = re.search(rf"^{key}:\w+=(.*)$", cache, re.M)
        return m.group(1) if m else ""

    compiler = cached("CMAKE_CXX_COMPILER")
    version = run([compiler, "--version"], capture_output=True).stdout.splitlines()[0]
    build_type = cached("CMAKE_BUILD_TYPE")
    return {
        "compiler": version,
        "build_type": build_type,
        "flags": cached(f"CMAKE_CXX_FLAGS_{build_type.upper()}"),
        "valgrind": run(["valgrind", "--version"], capture_output=True).stdout.strip(),
        "libc": " ".join(platform.libc_ver()),
        "machine": platform.machine(),
    }


def commit() -> str:
    proc = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return proc.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", type=Path, default=DEFAULT_BUILD)
    parser.add_argument(
        "--no-build", action="store_true", help="use the decode_bench already built"
    )
    parser.add_argument("--jobs", type=int, default=2, help="build jobs (default 2)")
    parser.add_argument("--repeat", type=int, default=10, help="passes over each page (default 10)")
    parser.add_argument("--pages", nargs="+", choices=sorted(PAGES), default=list(PAGES))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--baseline", type=Path, default=BASELINE)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a page's Ir/row grew past --threshold"
    )
    parser.add_argument("--threshold", type=float, default=5.0, help="percent (default 5)")
    parser.add_argument(
        "--write-baseline", action="store_true", help="also write the results as the baseline"
    )
    opts = parser.parse_args()

    for tool in ("valgrind",):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: install valgrind (apt-get install valgrind)")
    build_dir = opts.build_dir.resolve()
    binary = build_dir / "decode_bench" if opts.no_build else build(build_dir, opts.jobs)
    out_dir = build_dir / "callgrind"
    out_dir.mkdir(parents=True, exist_ok=True)

    base = json.loads(opts.baseline.read_text()) if opts.baseline.exists() else {}
    baseline = base.get("pages", {})
    tools = toolchain(build_dir)
    for key in ("compiler", "flags", "libc"):
        if base and base["toolchain"].get(key) != tools[key]:
            print(
                f"note: the baseline's {key} was {base['toolchain'].get(key)!r}, this run's is "
                f"{tools[key]!r}: instruction counts of different toolchains differ",
                file=sys.stderr,
            )
    results = {}
    regressions = []
    print(f"{'page':<16} {'rows':>6} {'bytes/row':>9} {'Ir/row':>10} {'Ir/byte':>8}  vs baseline")
    for name in opts.pages:
        r = measure(binary, name, PAGES[name], opts.repeat, out_dir)
        results[name] = r
        change = ""
        if name in baseline:
            pct = 100 * (r["ir_per_row"] / baseline[name]["ir_per_row"] - 1)
            r["change_percent"] = round(pct, 2)
            change = f"{pct:+.2f}%"
            if pct > opts.threshold:
                regressions.append(f"{name}: Ir/row {pct:+.2f}% (threshold {opts.threshold}%)")
        bytes_per_row = r["payload_bytes"] / r["rows"]
        print(
            f"{name:<16} {r['rows'] // r['repeat']:>6} {bytes_per_row:>9.1f} "
            f"{r['ir_per_row']:>10,.1f} {r['ir_per_byte']:>8.3f}  {change or '(none)'}"
        )
    for name, r in results.items():
        print(f"\n{name} ({r['columns']})\n  top functions by inclusive Ir (% of the decode loop):")
        for f in r["top_inclusive"]:
            print(f"  {f['ir'] / r['rows']:>9,.1f} Ir/row {f['percent']:>6.2f}%  {f['function']}")
        print("  top functions by self Ir:")
        for f in r["top_self"]:
            print(f"  {f['ir'] / r['rows']:>9,.1f} Ir/row {f['percent']:>6.2f}%  {f['function']}")

    report = {
        "commit": commit(),
        "toolchain": tools,
        "toggle_collect": TOGGLE,
        "pages": results,
    }
    opts.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {opts.out}")
    if opts.write_baseline:
        opts.baseline.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {opts.baseline}")
    if regressions:
        print("\nregressions:\n  " + "\n  ".join(regressions))
        if opts.check:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
