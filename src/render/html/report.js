// seaworthy report filters: each finding carries data-app, data-category and
// data-severity; a change of the controls sets `hidden` on the findings that
// no longer match (only where it changes) and updates the counts. Nothing is
// re-rendered, so thousands of findings filter at once.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var app = document.getElementById("filter-app");
  var category = document.getElementById("filter-category");
  var severities = Array.prototype.slice.call(form.querySelectorAll('input[name="severity"]'));
  var status = document.getElementById("filter-status");
  var noMatch = document.getElementById("no-match");
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.category[data-category]")).map(function (section) {
    return {
      el: section,
      count: section.querySelector(".count"),
      findings: Array.prototype.slice.call(section.querySelectorAll("article.finding")).map(function (el) {
        return { el: el, app: el.getAttribute("data-app"), severity: el.getAttribute("data-severity") };
      })
    };
  });
  var total = sections.reduce(function (n, s) { return n + s.findings.length; }, 0);

  function apply() {
    var wantApp = app ? app.value : "";
    var wantCategory = category ? category.value : "";
    var wantSeverity = {};
    severities.forEach(function (box) { if (box.checked) { wantSeverity[box.value] = true; } });
    var shown = 0;
    sections.forEach(function (section) {
      var inSection = 0;
      var sectionOn = !wantCategory || section.el.getAttribute("data-category") === wantCategory;
      section.findings.forEach(function (f) {
        var on = sectionOn && (!wantApp || f.app === wantApp) && wantSeverity[f.severity] === true;
        if (f.el.hidden === on) { f.el.hidden = !on; }
        if (on) { inSection += 1; }
      });
      if (section.el.hidden !== (inSection === 0)) { section.el.hidden = inSection === 0; }
      var all = section.findings.length;
      section.count.textContent = inSection === all
        ? "(" + all + " finding" + (all === 1 ? "" : "s") + ")"
        : "(" + inSection + " of " + all + " shown)";
      shown += inSection;
    });
    noMatch.hidden = shown !== 0;
    status.textContent = shown === total
      ? "Showing all " + total + " findings."
      : "Showing " + shown + " of " + total + " findings.";
  }

  form.addEventListener("change", apply);
  document.getElementById("filter-reset").addEventListener("click", function () {
    if (app) { app.value = ""; }
    if (category) { category.value = ""; }
    severities.forEach(function (box) { box.checked = !box.disabled; });
    apply();
  });
  // On paper every proposed fix is shown open.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details.fix-diff"), function (d) {
      if (!d.open) { d.open = true; d.setAttribute("data-printed", ""); }
    });
  });
  window.addEventListener("afterprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details[data-printed]"), function (d) {
      d.open = false; d.removeAttribute("data-printed");
    });
  });
})();
