// Incidents' enhancements: a queue's rows refresh every 30 s (hx-trigger="every 30s"), except
// while someone has ticked rows for a bulk action, whose ticks a refresh would clear.
"use strict";

document.addEventListener("htmx:before:request", (event) => {
  const source = event.target;
  if (!(source instanceof Element) || !source.hasAttribute("data-incidents-poll")) return;
  if (document.querySelector("input.incident-pick:checked")) event.preventDefault();
});

// The bulk form shows only the controls its chosen action needs; the others are hidden (and
// still sent, empty or not: the server reads only what the action needs).
function showBulkControls(form) {
  const action = form.querySelector("[data-bulk-action]");
  if (!action) return;
  for (const control of form.querySelectorAll("[data-bulk-for]")) {
    control.hidden = control.getAttribute("data-bulk-for") !== action.value;
  }
}

document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof Element && target.matches("[data-bulk-action]")) {
    showBulkControls(target.form);
  }
});

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("incidents-bulk");
  if (form) showBulkControls(form);
});
