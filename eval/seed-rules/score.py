#!/usr/bin/env python3
"""Score seaworthy's six seed rules against the hand-written labels.

Usage:
    python3 eval/seed-rules/score.py --checkouts DIR --seaworthy BIN [--labels FILE]

DIR holds one checkout per labelled repository, named owner__name (for
example DIR/lobsters__lobsters). Nothing is downloaded: fetch the checkouts
yourself (see README.md). For each repository the script runs

    BIN check DIR/owner__name --format json --fail-on none

maps every finding of the six seed rules to (repo, app, rule), compares it
with the labels and prints per-rule TP/FP/FN/precision/recall followed by
every disagreement with the label's evidence.

Units of comparison:
- labels under "apps" are per app: a finding counts for the app named in its
  "app" field; a finding with "app": null counts for the repository's only
  labelled app when it has exactly one;
- labels under "repo_wide" (manual-server-deployment, backups-not-offsite)
  are per repository: any finding of that rule in the repository, whatever
  app it names, is a positive prediction.
A finding for an app or rule that carries no label is listed as unlabelled
and not scored; a missing label means the reviewer found it undecidable.

Python 3 standard library only.
"""

import argparse
import json
import os
import subprocess
import sys

SEED_RULES = [
    "missing-container-config",
    "manual-server-deployment",
    "apm-sdk-missing",
    "missing-health-endpoint",
    "backups-not-offsite",
    "sqlite-in-production",
]


def checkout_dir(root, repo):
    return os.path.join(root, repo.replace("/", "__"))


def git_head(path):
    if not os.path.exists(os.path.join(path, ".git")):
        return None
    try:
        out = subprocess.run(
            ["git", "-C", path, "rev-parse", "HEAD"],
            capture_output=True, text=True, check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def run_seaworthy(binary, path):
    proc = subprocess.run(
        [binary, "check", path, "--format", "json", "--fail-on", "none"],
        capture_output=True, text=True,
    )
    if proc.returncode not in (0, 1):
        raise RuntimeError(
            f"seaworthy exited {proc.returncode}: {proc.stderr.strip()[:500]}"
        )
    return json.loads(proc.stdout)


def loc_text(finding):
    locs = finding.get("locations") or []
    return ", ".join(f"{l.get('path')}:{l.get('line')}" for l in locs[:3])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkouts", required=True,
                    help="folder with one checkout per repo, named owner__name")
    ap.add_argument("--seaworthy", required=True, help="path to the seaworthy binary")
    ap.add_argument("--labels", default=os.path.join(here, "labels.json"))
    ap.add_argument("--save-json", metavar="DIR",
                    help="also write each repository's seaworthy JSON report here")
    args = ap.parse_args()

    with open(args.labels, encoding="utf-8") as f:
        labels = json.load(f)["repos"]

    counts = {r: {"TP": 0, "FP": 0, "FN": 0, "TN": 0} for r in SEED_RULES}
    disagreements = []  # (kind, rule, repo, unit, evidence, finding text)
    unlabelled = []
    problems = []
    scored_repos = 0
    scored_apps = 0

    for entry in labels:
        repo = entry["repo"]
        path = checkout_dir(args.checkouts, repo)
        if not os.path.isdir(path):
            problems.append(f"{repo}: no checkout at {path} (skipped)")
            continue
        head = git_head(path)
        if head and head != entry["commit"]:
            problems.append(
                f"{repo}: checkout is at {head}, labels are for {entry['commit']}"
            )
        try:
            report = run_seaworthy(args.seaworthy, path)
        except (RuntimeError, ValueError, OSError) as e:
            problems.append(f"{repo}: {e} (skipped)")
            continue
        if args.save_json:
            os.makedirs(args.save_json, exist_ok=True)
            with open(os.path.join(args.save_json, repo.replace("/", "__") + ".json"),
                      "w", encoding="utf-8") as f:
                json.dump(report, f, indent=1)
        scored_repos += 1
        app_labels = entry.get("apps", {})
        repo_labels = entry.get("repo_wide", {})
        scored_apps += len(app_labels)
        only_app = next(iter(app_labels)) if len(app_labels) == 1 else None

        # predictions
        repo_pred = {}  # rule -> [findings]
        app_pred = {}   # (app, rule) -> [findings]
        for fnd in report.get("findings", []):
            rule = fnd.get("rule")
            if rule not in SEED_RULES:
                continue
            if rule in repo_labels:
                repo_pred.setdefault(rule, []).append(fnd)
                continue
            app = fnd.get("app")
            if app is None and only_app is not None:
                app = only_app
            if app in app_labels and rule in app_labels[app]:
                app_pred.setdefault((app, rule), []).append(fnd)
            else:
                unlabelled.append((rule, repo, app, fnd.get("message", "")[:200],
                                   loc_text(fnd)))

        def score(rule, unit, lab, found):
            if lab["label"] and found:
                counts[rule]["TP"] += 1
            elif lab["label"]:
                counts[rule]["FN"] += 1
                disagreements.append(("FN", rule, repo, unit, lab["evidence"], ""))
            elif found:
                counts[rule]["FP"] += 1
                f0 = found[0]
                disagreements.append(("FP", rule, repo, unit, lab["evidence"],
                                      f"{f0.get('message', '')[:300]} [{loc_text(f0)}]"))
            else:
                counts[rule]["TN"] += 1

        for rule, lab in repo_labels.items():
            if rule in SEED_RULES:
                score(rule, "(repo)", lab, repo_pred.get(rule, []))
        for app, rules in app_labels.items():
            for rule, lab in rules.items():
                if rule in SEED_RULES:
                    score(rule, app, lab, app_pred.get((app, rule), []))

    print(f"seaworthy seed-rule evaluation: {scored_repos} repositories, "
          f"{scored_apps} labelled apps")
    print()
    print(f"{'rule':28} {'TP':>4} {'FP':>4} {'FN':>4} {'TN':>4} {'precision':>10} {'recall':>8}")
    tot = {"TP": 0, "FP": 0, "FN": 0, "TN": 0}
    for rule in SEED_RULES:
        c = counts[rule]
        for k in tot:
            tot[k] += c[k]
        p = c["TP"] / (c["TP"] + c["FP"]) if c["TP"] + c["FP"] else None
        r = c["TP"] / (c["TP"] + c["FN"]) if c["TP"] + c["FN"] else None
        fmt = lambda x: "n/a" if x is None else f"{x:.2f}"
        print(f"{rule:28} {c['TP']:>4} {c['FP']:>4} {c['FN']:>4} {c['TN']:>4} "
              f"{fmt(p):>10} {fmt(r):>8}")
    p = tot["TP"] / (tot["TP"] + tot["FP"]) if tot["TP"] + tot["FP"] else 0
    r = tot["TP"] / (tot["TP"] + tot["FN"]) if tot["TP"] + tot["FN"] else 0
    print(f"{'all six':28} {tot['TP']:>4} {tot['FP']:>4} {tot['FN']:>4} {tot['TN']:>4} "
          f"{p:>10.2f} {r:>8.2f}")

    print()
    print(f"Disagreements ({len(disagreements)}):")
    for kind, rule, repo, unit, evidence, found in sorted(disagreements, key=lambda d: (d[1], d[0], d[2])):
        print(f"- {kind} {rule} {repo} [{unit}]")
        print(f"    label: {evidence}")
        if found:
            print(f"    seaworthy: {found}")

    if unlabelled:
        print()
        print(f"Unlabelled seed-rule findings, not scored ({len(unlabelled)}):")
        for rule, repo, app, msg, locs in sorted(unlabelled, key=lambda u: (u[0], u[1], str(u[2]))):
            print(f"- {rule} {repo} [{app}] {msg} [{locs}]")
    if problems:
        print()
        print("Problems:")
        for p_ in problems:
            print(f"- {p_}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
