#!/usr/bin/env python3
"""Real files read by seaworthy and by their own kind's reference parser.

    scripts/parse-sweep.py ROOT... [--out DIR] [--list N]

Walks the given folders (checkouts of real repositories; nothing is fetched
here) for compose files, Kubernetes manifests, CI workflows, other YAML,
pyproject.toml, Cargo.toml, Gemfile, pom.xml, package.json and composer.json.
Each file is read by the reference parser of its kind:

    YAML  PyYAML (libyaml-compatible, like Compose's and kubectl's Go parser),
          syntax only: yaml.compose_all, no tag is constructed
    TOML  tomllib          JSON  json          XML  xml.etree.ElementTree
    Gemfile  `ruby -c` when ruby is installed (else no reference)

and by seaworthy's own parsers (the ignored test `parse_sweep` in
tests/parsers.rs). For YAML both sides also give the tree (scalars as text,
merge keys applied), and the trees are compared. Prints per kind: files,
accepted by the reference, accepted by seaworthy, accepted by the
reference but rejected by seaworthy (each listed), and trees that differ.
Exits 1 when seaworthy rejects a file its reference accepts.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import xml.etree.ElementTree as ET
from collections import defaultdict

import yaml

SKIP_DIRS = {".git", "node_modules", ".hg", ".svn"}
KUBE_RE = re.compile(rb"^apiVersion:\s*\S", re.M)
KIND_RE = re.compile(rb"^kind:\s*\S", re.M)
MAX_SIZE = 4 << 20


def classify(path):
    name = os.path.basename(path)
    lower = name.lower()
    if name == "pyproject.toml":
        return "pyproject"
    if name == "Cargo.toml":
        return "cargo"
    if name == "Gemfile":
        return "gemfile"
    if name == "pom.xml":
        return "pom"
    if name == "package.json":
        return "package-json"
    if name == "composer.json":
        return "composer"
    if not lower.endswith((".yml", ".yaml")):
        return None
    if "compose" in lower:
        return "compose"
    parts = path.replace(os.sep, "/")
    if "/.github/workflows/" in parts or lower == ".gitlab-ci.yml":
        return "ci"
    try:
        with open(path, "rb") as f:
            head = f.read(MAX_SIZE)
    except OSError:
        return None
    if KUBE_RE.search(head) and KIND_RE.search(head):
        return "kube"
    return "yaml"


def canon(node, depth=0):
    """A PyYAML node as seaworthy's raw tree: scalars as text, mappings as
    [key, value] pairs in file order, merge keys applied (own entries first,
    then merged ones whose key is not set)."""
    if depth > 200:
        return "<recursive>"
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [canon(n, depth + 1) for n in node.value]
    own, merged = [], []
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.tag == "tag:yaml.org,2002:merge":
            sources = v.value if isinstance(v, yaml.SequenceNode) else [v]
            for s in sources:
                if isinstance(s, yaml.MappingNode):
                    merged.extend(canon(s, depth + 1)["map"])
        else:
            own.append([canon(k, depth + 1), canon(v, depth + 1)])
    for k, v in merged:
        if not any(o == k for o, _ in own):
            own.append([k, v])
    return {"map": own}


def reference(kind, path, ruby):
    """(accepted, tree or None, message)."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        if kind in ("compose", "kube", "ci", "yaml"):
            docs = list(yaml.compose_all(data, Loader=yaml.CSafeLoader))
            return True, [canon(d) for d in docs if d is not None], ""
        if kind in ("pyproject", "cargo"):
            tomllib.loads(data.decode("utf-8-sig"))
        elif kind in ("package-json", "composer"):
            json.loads(data.decode("utf-8-sig"))
        elif kind == "pom":
            ET.fromstring(data)
        elif kind == "gemfile":
            if not ruby:
                return None, None, "no ruby"
            r = subprocess.run([ruby, "-c", path], capture_output=True)
            if r.returncode != 0:
                return False, None, r.stderr.decode(errors="replace")[:200]
        return True, None, ""
    except Exception as e:  # noqa: BLE001 - any failure is a rejection
        return False, None, str(e).splitlines()[0][:200] if str(e) else type(e).__name__


def main():
    args = sys.argv[1:]
    out_dir, list_n = None, 20
    roots = []
    while args:
        a = args.pop(0)
        if a == "--out":
            out_dir = args.pop(0)
        elif a == "--list":
            list_n = int(args.pop(0))
        else:
            roots.append(a)
    if not roots:
        print(__doc__, file=sys.stderr)
        return 2
    out_dir = out_dir or tempfile.mkdtemp(prefix="parse-sweep-")
    os.makedirs(out_dir, exist_ok=True)

    files = []
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                if os.path.getsize(path) > MAX_SIZE:
                    continue
                kind = classify(path)
                if kind:
                    files.append((kind, os.path.abspath(path)))

    list_path = os.path.join(out_dir, "files.tsv")
    with open(list_path, "w") as f:
        for kind, path in files:
            f.write(f"{kind}\t{path}\n")
    result_path = os.path.join(out_dir, "seaworthy.jsonl")
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, SEAWORTHY_SWEEP_LIST=list_path, SEAWORTHY_SWEEP_OUT=result_path)
    subprocess.run(
        ["cargo", "test", "--quiet", "--test", "parsers", "--", "--ignored", "--exact", "parse_sweep"],
        cwd=repo, env=env, check=True, stdout=subprocess.DEVNULL,
    )
    ours = {}
    with open(result_path) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                ours[r["path"]] = r

    ruby = shutil.which("ruby")
    stats = defaultdict(lambda: defaultdict(int))
    rejected, tree_diffs = defaultdict(list), defaultdict(list)
    for kind, path in files:
        ok_ref, tree_ref, msg = reference(kind, path, ruby)
        mine = ours.get(path, {"error": "not read"})
        ok_ours = "error" not in mine
        s = stats[kind]
        s["files"] += 1
        s["seaworthy accepts"] += ok_ours
        if ok_ref is None:
            s["no reference"] += 1
            continue
        s["reference accepts"] += ok_ref
        if ok_ref and not ok_ours:
            s["REJECTED"] += 1
            rejected[kind].append((path, mine["error"]))
        if ok_ours and not ok_ref:
            s["only seaworthy accepts"] += 1
        if ok_ref and ok_ours and tree_ref is not None and mine.get("tree") is not None:
            if json.dumps(tree_ref, sort_keys=True) != json.dumps(mine["tree"], sort_keys=True):
                s["TREE DIFFERS"] += 1
                tree_diffs[kind].append(path)

    cols = ["files", "reference accepts", "seaworthy accepts", "REJECTED",
            "only seaworthy accepts", "TREE DIFFERS", "no reference"]
    print(f"{'kind':<14}" + "".join(f"{c:>24}" for c in cols))
    total = defaultdict(int)
    for kind in sorted(stats):
        print(f"{kind:<14}" + "".join(f"{stats[kind][c]:>24}" for c in cols))
        for c in cols:
            total[c] += stats[kind][c]
    print(f"{'all':<14}" + "".join(f"{total[c]:>24}" for c in cols))
    for kind, items in sorted(rejected.items()):
        for path, err in items[:list_n]:
            print(f"rejected  {kind:<12} {path}: {err}")
    for kind, items in sorted(tree_diffs.items()):
        for path in items[:list_n]:
            print(f"differs   {kind:<12} {path}")
    print(f"(file list and seaworthy's results in {out_dir})")
    return 1 if total["REJECTED"] else 0


if __name__ == "__main__":
    sys.exit(main())
