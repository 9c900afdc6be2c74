#!/usr/bin/env python3
"""Checks seaworthy HTML reports in headless Chromium through Playwright.

Called by tests/html_report.rs (browser_renders_filters_prints_and_passes_axe)
when SEAWORTHY_E2E is set. For each report: no console error, no request
other than the page itself, every finding and chart present; filtering by
severity, category and app hides the right findings and updates the counts;
the print view hides the filters; axe-core reports no serious or critical
violation. Writes screenshots (page, filtered view, print view) and a PDF to
--out. Uses the system Chromium (`executable_path`), never a downloaded one.

Usage: check_report.py --chromium /usr/bin/chromium --axe axe.min.js --out DIR REPORT.html...
"""

import argparse
import json
import pathlib
import sys
import time

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def visible_findings(page):
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('article.finding')).filter(a => !a.hidden && a.offsetParent !== null).length"
    )


def check_report(browser, path, axe_source, out):
    name = path.stem
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    console_errors, requests = [], []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    url = path.resolve().as_uri()
    started = time.monotonic()
    page.goto(url, wait_until="load")
    print(f"{name}: loaded in {time.monotonic() - started:.2f} s")

    total = page.locator("article.finding").count()
    check(total > 0, f"{name}: {total} findings on the page")
    check(page.locator("svg[role=img] > title").count() >= 3, f"{name}: the SVG charts have titles")
    check(visible_findings(page) == total, f"{name}: every finding is shown at first")
    page.screenshot(path=str(out / f"{name}.png"), full_page=(total < 100))

    # The filter's own cost, without Playwright's round trips: one change
    # event and the layout it causes, timed in the page.
    took_ms = page.evaluate(
        """() => {
            const box = document.querySelector('input[name=severity]:not([disabled])');
            const run = (checked) => {
                box.checked = checked;
                box.dispatchEvent(new Event('change', {bubbles: true}));
                return document.body.offsetHeight;
            };
            const t = performance.now();
            run(false);
            const d = performance.now() - t;
            run(true);
            return d;
        }"""
    )
    print(f"{name}: one filter change and its layout: {took_ms:.0f} ms")
    check(took_ms < 1000, f"{name}: a filter change costs {took_ms:.0f} ms (under a second)")

    # Severity: unticking every severity but one leaves only that one.
    counts = page.evaluate(
        "() => { const c = {}; document.querySelectorAll('article.finding').forEach(a => { const s = a.dataset.severity; c[s] = (c[s] || 0) + 1; }); return c; }"
    )
    keep = max(counts, key=counts.get)
    started = time.monotonic()
    for box in page.locator("input[name=severity]:not([disabled])").all():
        if box.get_attribute("value") != keep:
            box.uncheck()  # a click: keyboard- and pointer-reachable control
    took = time.monotonic() - started
    shown = visible_findings(page)
    check(shown == counts[keep], f"{name}: severity {keep} alone shows {shown} of {counts[keep]} expected")
    wrong = page.evaluate(
        f"() => Array.from(document.querySelectorAll('article.finding')).filter(a => !a.hidden && a.dataset.severity !== '{keep}').length"
    )
    check(wrong == 0, f"{name}: no other severity stays visible")
    status = page.locator("#filter-status").inner_text()
    said = f"Showing all {total}" if shown == total else f"Showing {shown} of {total}"
    check(said in status, f"{name}: the status says so ({status!r})")
    check(took < 5, f"{name}: unticking the severities took {took:.2f} s")
    page.screenshot(path=str(out / f"{name}-filtered.png"))

    # Keyboard: the reset button is reachable by Tab and works with Enter.
    page.locator("#filter-reset").focus()
    page.keyboard.press("Enter")
    check(visible_findings(page) == total, f"{name}: Show all (keyboard) restores every finding")

    # Category filter.
    options = page.locator("#filter-category option").all()
    category = options[1].get_attribute("value")
    started = time.monotonic()
    page.select_option("#filter-category", category)
    took = time.monotonic() - started
    expected = page.locator(f'article.finding[data-category="{category}"]').count()
    check(visible_findings(page) == expected, f"{name}: category {category} shows its {expected} findings ({took:.2f} s)")
    hidden_sections = page.evaluate(
        "() => Array.from(document.querySelectorAll('section.category[data-category]')).filter(s => s.hidden).length"
    )
    check(hidden_sections == page.locator("section.category[data-category]").count() - 1, f"{name}: other sections hidden")
    page.select_option("#filter-category", "")

    # App filter, when there are several.
    if page.locator("#filter-app").count():
        app = page.locator("#filter-app option").all()[1].get_attribute("value")
        page.select_option("#filter-app", app)
        expected = page.evaluate(
            "(app) => Array.from(document.querySelectorAll('article.finding')).filter(a => a.dataset.app === app).length",
            app,
        )
        check(visible_findings(page) == expected, f"{name}: app {app} shows its {expected} findings")
        page.select_option("#filter-app", "")
    check(visible_findings(page) == total, f"{name}: every finding is back")

    # Print: no filters, the fixes open.
    page.emulate_media(media="print")
    check(not page.locator("section.filters").is_visible(), f"{name}: filters hidden in print")
    if total < 100:
        page.screenshot(path=str(out / f"{name}-print.png"), full_page=True)
        page.pdf(path=str(out / f"{name}-playwright.pdf"), format="A4", print_background=True)
        check((out / f"{name}-playwright.pdf").stat().st_size > 1000, f"{name}: PDF written")
    page.emulate_media(media="screen")

    # Accessibility: axe-core, injected from its npm package's source.
    if total < 100:
        page.add_script_tag(content=axe_source)
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]
        for v in result["violations"]:
            print(f"     axe {v.get('impact')}: {v['id']} — {v['help']} ({len(v['nodes'])} nodes)")
            if v in bad:
                for node in v["nodes"][:3]:
                    print("       ", json.dumps(node.get("target")), node.get("failureSummary", "").replace("\n", " "))
        check(not bad, f"{name}: axe-core finds no serious or critical violation")

    check(not dialogs, f"{name}: no script from the audited tree ran {dialogs}")
    check(not console_errors, f"{name}: no console error {console_errors}")
    others = [r for r in requests if r != url]
    check(not others, f"{name}: no network request {others[:5]}")
    page.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--axe", required=True, help="axe.min.js of the axe-core npm package")
    parser.add_argument("--out", required=True)
    parser.add_argument("reports", nargs="+")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    axe_source = pathlib.Path(args.axe).read_text()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
        try:
            for report in args.reports:
                check_report(browser, pathlib.Path(report), axe_source, out)
        finally:
            browser.close()
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
