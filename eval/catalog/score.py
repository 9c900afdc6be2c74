#!/usr/bin/env python3
"""Re-score the judged catalog findings (issue 14).

Usage: score.py CHECKOUTS [--seaworthy PATH] [--judgements PATH] [--group NAME]

CHECKOUTS is a folder holding one checkout per judged repository, named
`owner__name` (see README.md for the commits). The script runs
`seaworthy check <checkout> --format json` on each, matches every non-seed
finding to the judgements and prints, per rule, how many judged-true and
judged-false findings are still reported (precision), the judged-true ones
that are no longer reported (lost), and every finding nobody has judged.

env-example-drift is judged per variable: each location it lists (but the
env example's own) is one unit, its fingerprint `var:NAME`.

Python 3 standard library only; it downloads nothing.
"""

import argparse
import collections
import hashlib
import json
import os
import re
import subprocess
import sys

SEED_RULES = {
    "missing-container-config",
    "manual-server-deployment",
    "apm-sdk-missing",
    "missing-health-endpoint",
    "backups-not-offsite",
    "sqlite-in-production",
}
HERE = os.path.dirname(os.path.abspath(__file__))


def fingerprint(message):
    """The message with digit runs blanked, hashed: stable across line shifts."""
    return hashlib.sha1(re.sub(r"\d+", "#", message).encode()).hexdigest()[:12]


def env_units(finding):
    """(path, line, variable-or-None) for each variable an env-example-drift
    finding lists. The message names the first eight as `NAME` (path:line);
    the others are read from the source line."""
    named = {}
    for name, path, line in re.findall(r"`([A-Za-z0-9_]+)` \(([^`]+?):(\d+)\)", finding["message"]):
        named.setdefault((path, int(line)), []).append(name)
    units = []
    # The last location is the env example itself.
    for loc in finding["locations"][:-1]:
        path, line = loc["path"], loc.get("line") or 0
        names = named.get((path, line))
        units.append((path, line, names.pop(0) if names else None))
    return units


def units_of(report):
    out = []
    for f in report.get("findings", []):
        rule = f["rule"]
        if rule in SEED_RULES:
            continue
        if rule == "env-example-drift":
            for path, line, var in env_units(f):
                out.append((rule, path, line, "var:" + var if var else None, f["message"]))
        else:
            loc = (f.get("locations") or [{"path": "", "line": 0}])[0]
            out.append((rule, loc["path"], loc.get("line") or 0, fingerprint(f["message"]), f["message"]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("checkouts")
    ap.add_argument("--seaworthy", default=os.path.join(HERE, "..", "..", "target", "release", "seaworthy"))
    ap.add_argument("--judgements", default=os.path.join(HERE, "judgements.json"))
    ap.add_argument(
        "--group",
        default="catalog",
        help="which judged group to score: catalog (the default; entries without a group) "
        "or held-out-2 … held-out-5; each group's checkouts live in their own folder",
    )
    args = ap.parse_args()

    judgements = [
        j
        for j in json.load(open(args.judgements))["judgements"]
        if j.get("group", "catalog") == args.group
    ]
    by_repo = collections.defaultdict(list)
    for j in judgements:
        by_repo[j["repo"]].append(j)

    tp = collections.Counter()
    fp = collections.Counter()
    lost = []
    fixed = collections.Counter()
    unjudged = []
    for repo in sorted(by_repo):
        checkout = os.path.join(args.checkouts, repo.replace("/", "__", 1))
        if not os.path.isdir(checkout):
            print(f"missing checkout: {checkout}", file=sys.stderr)
            sys.exit(2)
        run = subprocess.run(
            [args.seaworthy, "check", checkout, "--format", "json"],
            capture_output=True,
            text=True,
        )
        if run.returncode not in (0, 1):
            print(f"{repo}: seaworthy exited {run.returncode}: {run.stderr.strip()}", file=sys.stderr)
            sys.exit(2)
        report = json.loads(run.stdout)
        pending = list(by_repo[repo])

        def take(pred):
            for k, j in enumerate(pending):
                if pred(j):
                    return pending.pop(k)
            return None

        for rule, path, line, fprint, message in units_of(report):
            same = lambda j: j["rule"] == rule and j["file"] == path  # noqa: E731
            j = None
            if rule == "env-example-drift":
                # A variable: by name in the file when the message names
                # it, else by line.
                if fprint:
                    j = take(lambda j: same(j) and j["fingerprint"] == fprint)
                else:
                    j = take(lambda j: same(j) and j["line"] == line)
            else:
                j = (
                    take(lambda j: same(j) and j["line"] == line and j["fingerprint"] == fprint)
                    or take(lambda j: same(j) and j["line"] == line)
                    or take(lambda j: same(j) and j["fingerprint"] == fprint)
                )
            if j is None:
                unjudged.append((repo, rule, path, line, fprint, message))
            elif j["verdict"]:
                tp[rule] += 1
            else:
                fp[rule] += 1
        for j in pending:
            if j["verdict"]:
                lost.append(j)
            else:
                fixed[j["rule"]] += 1

    rules = sorted(set(tp) | set(fp) | set(j["rule"] for j in judgements))
    print(f"{'rule':44} {'true':>5} {'false':>5} {'precision':>9} {'fixed-FP':>8} {'lost-TP':>7}")
    lost_by_rule = collections.Counter(j["rule"] for j in lost)
    for r in rules:
        n = tp[r] + fp[r]
        prec = f"{tp[r] / n:.2f}" if n else "-"
        print(f"{r:44} {tp[r]:5} {fp[r]:5} {prec:>9} {fixed[r]:8} {lost_by_rule[r]:7}")
    T, F = sum(tp.values()), sum(fp.values())
    print(f"{'ALL':44} {T:5} {F:5} {T / (T + F) if T + F else 0:9.2f} {sum(fixed.values()):8} {len(lost):7}")
    print()
    print(f"judged-true findings no longer reported: {len(lost)}")
    for j in lost:
        print(f"  LOST {j['repo']} {j['rule']} {j['file']}:{j['line']} {j['fingerprint']} — {j['reason']}")
    print(f"unjudged findings: {len(unjudged)}")
    for repo, rule, path, line, fprint, message in unjudged:
        print(f"  NEW {repo} {rule} {path}:{line} {fprint or ''}\n      {message[:300]}")


if __name__ == "__main__":
    main()
