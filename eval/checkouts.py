#!/usr/bin/env python3
"""Recreate the evaluation checkouts from fetched repository snapshots.

Usage:
  checkouts.py list                      every set and how many repositories it has
  checkouts.py restore SET... [--root R] [--mirror M]
  checkouts.py restore all [--root R]

A *set* is a seed-rule label file (`labels`, `heldout2` … `heldout10`,
`heldout-apm`: eval/seed-rules/NAME.json) or a catalog judgement group
(`catalog`, `held-out-2` … : the `group` field of eval/catalog/judgements.json).
Each repository of a set is written to `ROOT/SET/owner__name` at the commit
that was labelled, with no `.git` (seaworthy reads the work tree only).

The snapshots come from the search tool's `fetch` (they land in
`/work/.mirror/owner+name`); this script cannot fetch, so it prints one
`FETCH owner/name` line per missing snapshot and exits 3: fetch those, then
run it again. Checkouts already present (a `.seaworthy-eval-commit` file
naming the commit) are left as they are.

Why not `git archive`: it applies the repository's `export-ignore`
attributes, and some projects mark their Dockerfile or `.dockerignore` that
way, which changes what seaworthy sees. Partial snapshots can miss blobs;
those files are skipped and counted, never invented.

Python 3 standard library and git only.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MARK = ".seaworthy-eval-commit"


def sets():
    """{set name: [(repo, commit)]} from the committed label files."""
    out = {}
    for path in sorted(glob.glob(os.path.join(HERE, "seed-rules", "*.json"))):
        name = os.path.splitext(os.path.basename(path))[0]
        out[name] = sorted({(r["repo"], r["commit"]) for r in json.load(open(path))["repos"]})
    groups = {}
    for j in json.load(open(os.path.join(HERE, "catalog", "judgements.json")))["judgements"]:
        groups.setdefault(j.get("group", "catalog"), set()).add((j["repo"], j["commit"]))
    for name, repos in groups.items():
        out[name] = sorted(repos)
    return out


def git_dir(mirror, repo):
    base = os.path.join(mirror, repo.replace("/", "+", 1))
    for cand in (os.path.join(base, "repo", ".git"), os.path.join(base, "repo")):
        if os.path.isfile(os.path.join(cand, "HEAD")):
            return cand
    return None


def git(gd, *args, **kw):
    return subprocess.run(["git", "--git-dir", gd, *args], capture_output=True, **kw)


def extract(gd, commit, dest):
    """Write the tree of `commit` into dest; returns (files written, blobs missing)."""
    if git(gd, "cat-file", "-e", commit + "^{commit}").returncode != 0:
        head = git(gd, "rev-parse", "HEAD", text=True).stdout.strip()
        print(f"  commit {commit[:12]} not in snapshot (HEAD {head[:12]})", file=sys.stderr)
        return None
    tmp = dest + ".part"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    listing = git(gd, "ls-tree", "-r", "-z", commit).stdout.split(b"\0")
    written = missing = 0
    for entry in listing:
        if not entry:
            continue
        meta, path = entry.split(b"\t", 1)
        mode, kind, sha = meta.split(b" ")
        if kind != b"blob":
            continue  # submodules: the snapshot has no work tree for them
        target = os.path.join(tmp.encode(), path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        blob = git(gd, "cat-file", "blob", sha.decode())
        if blob.returncode != 0:
            missing += 1
            continue
        if mode == b"120000":
            try:
                os.symlink(blob.stdout, target)
            except OSError:
                pass
        else:
            with open(target, "wb") as f:
                f.write(blob.stdout)
            if mode == b"100755":
                os.chmod(target, 0o755)
        written += 1
    with open(os.path.join(tmp, MARK), "w") as f:
        f.write(commit + "\n")
    shutil.rmtree(dest, ignore_errors=True)
    os.rename(tmp, dest)
    return written, missing


def restore(names, root, mirror):
    table = sets()
    if names == ["all"]:
        names = list(table)
    unknown = [n for n in names if n not in table]
    if unknown:
        sys.exit(f"unknown set(s): {', '.join(unknown)}; see `checkouts.py list`")
    to_fetch = set()
    for name in names:
        for repo, commit in table[name]:
            dest = os.path.join(root, name, repo.replace("/", "__", 1))
            try:
                if open(os.path.join(dest, MARK)).read().strip() == commit:
                    continue
            except OSError:
                pass
            gd = git_dir(mirror, repo)
            if gd is None:
                to_fetch.add(repo)
                continue
            done = extract(gd, commit, dest)
            if done is None:
                to_fetch.add(repo)
            else:
                note = f", {done[1]} blobs missing from the snapshot" if done[1] else ""
                print(f"{name}/{repo}: {done[0]} files{note}", file=sys.stderr)
    for repo in sorted(to_fetch):
        print(f"FETCH {repo}")
    sys.exit(3 if to_fetch else 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list")
    r = sub.add_parser("restore")
    r.add_argument("sets", nargs="+")
    r.add_argument("--root", default="/work/eval-checkouts")
    r.add_argument("--mirror", default="/work/.mirror")
    args = ap.parse_args()
    if args.cmd == "list":
        for name, repos in sets().items():
            print(f"{name}\t{len(repos)}")
    else:
        restore(args.sets, args.root, args.mirror)


if __name__ == "__main__":
    main()
