// The person form's rows of email addresses and phone numbers (contacts/_detail_rows.html):
// "Add another" copies the blank last row with a fresh key; "Remove" takes a row away. Without
// this script the form still works: the blank row adds one, and an emptied row is removed.
(() => {
  let added = 0;

  function setUp(group) {
    for (const button of group.querySelectorAll("[data-remove-detail], [data-add-detail]")) {
      button.hidden = false;
    }
  }

  function blankCopy(row) {
    const copy = row.cloneNode(true);
    added += 1;
    const key = `js${Date.now()}${added}`;
    for (const input of copy.querySelectorAll("input, select")) {
      if (input.type === "hidden") input.value = key;
      else if (input.type === "radio") { input.value = key; input.checked = false; }
      else if (input.tagName === "SELECT") input.selectedIndex = 0;
      else { input.value = ""; input.id = ""; input.removeAttribute("aria-invalid"); }
    }
    for (const error of copy.querySelectorAll(".field-error")) error.remove();
    return copy;
  }

  // Rows are named for screen readers by their position: "Email address 2".
  function renumber(group) {
    const noun = group.dataset.noun;
    const capital = noun.charAt(0).toUpperCase() + noun.slice(1);
    group.querySelectorAll("[data-detail-row]").forEach((row, i) => {
      const value = row.querySelector("input:not([type=hidden]):not([type=radio])");
      if (value) value.setAttribute("aria-label", `${capital} ${i + 1}`);
      const label = row.querySelector("select");
      if (label) label.setAttribute("aria-label", `What ${noun} ${i + 1} is`);
    });
  }

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const group = target?.closest("[data-detail-rows]");
    if (!group) return;
    if (target.closest("[data-add-detail]")) {
      const rows = group.querySelectorAll("[data-detail-row]");
      const copy = blankCopy(rows[rows.length - 1]);
      rows[rows.length - 1].after(copy);
      renumber(group);
      copy.querySelector("input:not([type=hidden]):not([type=radio])").focus();
    } else if (target.closest("[data-remove-detail]")) {
      const row = target.closest("[data-detail-row]");
      const rows = group.querySelectorAll("[data-detail-row]");
      if (rows.length === 1) {
        const copy = blankCopy(row);
        copy.querySelector("input[type=radio]").checked = true;
        row.replaceWith(copy);
        return;
      }
      const wasPrimary = row.querySelector("input[type=radio]").checked;
      row.remove();
      if (wasPrimary) group.querySelector("input[type=radio]").checked = true;
      renumber(group);
    }
  });

  function init() {
    for (const group of document.querySelectorAll("[data-detail-rows]")) setUp(group);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  document.addEventListener("htmx:afterSwap", init);
})();
