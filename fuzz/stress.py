#!/usr/bin/env python3
"""Large inputs for the complexity and resource problems fuzzing at small
sizes cannot show: each is a file seaworthy would read (under the 4 MiB
limit) that is built to hit one super-linear path, a recursion without a
bound, or an expansion without a bound. `scripts/fuzz.sh --stress` writes
them to fuzz/stress/<target>/<name> and runs each through its fuzz target
once, with the usual timeout and memory limit.

Usage: python3 fuzz/stress.py [size-in-KiB]   (default 1024)
"""
import os
import re
import sys

FUZZ = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(FUZZ, "stress")


def fit(unit, size):
    """`unit` repeated to about `size` bytes."""
    return unit * max(1, size // len(unit))


def audit_tree(files):
    """An audit_tree input: NUL-separated chunks, first byte = FILES index."""
    src = open(os.path.join(FUZZ, "fuzz_targets", "audit_tree.rs")).read()
    block = src.split("const FILES: &[&str] = &[", 1)[1].split("];", 1)[0]
    names = re.findall(r'"([^"]+)"', block)
    return b"\0".join(bytes([names.index(n)]) + c.encode() for n, c in files)


def inputs(size):
    half = size // 2
    laughs = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [
        f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]" for i in range(1, 9)
    ]
    laughs = "\n".join(laughs) + "\n"
    next_app = '{"name":"web","scripts":{"start":"next start"},"dependencies":{"next":"15.0.0"}}'
    return {
        # facts::database::literals: each literal looks back over its whole line.
        ("code", "db-literals-one-line"): "x = [" + fit("'sqlite:x', ", size) + "]\n",
        # facts::database::in_test_block: each literal walks back to its block's start.
        ("code", "python-test-block-lookback"): "if x:\n" + fit("    'sqlite:x'\n", size),
        # facts::code::string_properties: each property copies the whole object path.
        ("code", "js-nested-object-properties"): fit("a:{", half) + fit("a:'',", half),
        # facts::manifest::gemfile: each `group` scans forward for its `do`.
        ("manifest", "gemfile-group-without-do"): fit("group ", size),
        # facts::shell::command: `words.remove(0)` per wrapper/option.
        ("shell", "sudo-many-options"): "sudo " + fit("-x ", size) + "ls\n",
        ("shell", "nested-sudo"): fit("sudo ", size) + "ls\n",
        # facts::shell::collect: each pipeline stage searches all commands.
        ("shell", "long-pipeline"): fit("a | ", size) + "b\n",
        # facts::shell::command: each nested command copies its argument's text.
        ("shell", "nested-command-substitution"): "echo " + "$(" * (size // 4) + ")" * (size // 4),
        # facts::compose: each service's line is searched from the `services:` line.
        ("yaml_compose", "many-services"): "services:\n" + "".join(f"  s{i}:\n    image: x\n" for i in range(size // 24)),
        # facts::rails: each environment's line is searched from line 1.
        ("rails_database", "many-environments"): "".join(f"e{i}:\n  adapter: sqlite3\n" for i in range(size // 24)),
        # facts::spring::yaml: each property's line is searched with a format! per line.
        ("spring", "many-properties"): "".join(f"k{i}: v{i}\n" for i in range(size // 14)),
        ("spring", "unfindable-dotted-keys"): "".join(f'"a.k{i}": v\n' for i in range(size // 14)),
        # yaml-rust2's loader recurses per nesting level: stack overflow.
        ("yaml_compose", "deep-block-sequence"): "- " * 20000 + "x\n",
        # yaml-rust2 copies a node per alias: exponential memory.
        ("yaml_compose", "billion-laughs"): laughs,
        # The same two through the audit (parsed on a rayon thread, 2 MiB stack).
        ("audit_tree", "k8s-deep-block-sequence"): audit_tree([("package.json", next_app), ("k8s/deployment.yaml", "- " * 6000 + "x\n")]),
        ("audit_tree", "k8s-billion-laughs"): audit_tree([("package.json", next_app), ("k8s/deployment.yaml", laughs)]),
    }


def main():
    size = int(sys.argv[1]) * 1024 if len(sys.argv) > 1 else 1024 * 1024
    for (target, name), data in inputs(size).items():
        d = os.path.join(OUT, target)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())


if __name__ == "__main__":
    main()
