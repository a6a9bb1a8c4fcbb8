// Incidents' one enhancement: a queue's rows refresh every 30 s (hx-trigger="every 30s"), except
// while someone has ticked rows for a bulk action, whose ticks a refresh would clear.
"use strict";

document.addEventListener("htmx:before:request", (event) => {
  const source = event.target;
  if (!(source instanceof Element) || !source.hasAttribute("data-incidents-poll")) return;
  if (document.querySelector("input.incident-pick:checked")) event.preventDefault();
});
