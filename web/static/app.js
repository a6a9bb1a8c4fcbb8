// Accord's progressive enhancements. Plain ES2020, no build step; every page works without it.
// Load after htmx.min.js: <script src="/static/app.js" defer></script>
"use strict";

(() => {
  // --- CSRF token on every htmx request ------------------------------------------------------
  // htmx 4 fires "htmx:config:request" (v2's htmx:configRequest) once per request, before
  // hx-confirm and before fetch, for elements, boosted links/forms, htmx.ajax() and history
  // restores alike. Headers live in event.detail.ctx.request.headers, a plain object.
  // The token is read per request, not cached, because boosted swaps can replace the page.
  const csrfToken = () =>
    document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";

  const isSameOrigin = (action) => {
    try {
      return new URL(action || "", document.baseURI).origin === window.location.origin;
    } catch {
      return false;
    }
  };

  document.addEventListener("htmx:config:request", (event) => {
    const request = event.detail?.ctx?.request;
    const token = csrfToken();
    // Never hand the token to another origin, whatever htmx.config.mode allows.
    if (!request || !token || !isSameOrigin(request.action)) return;
    request.headers ??= {};
    request.headers["X-CSRF-Token"] = token;
  });

  // htmx 4 drops the response's <head> on a swap (it keeps only <title>), so after a boosted
  // sign-in the meta tag would still hold the old session's token. Carry a new one across.
  document.addEventListener("htmx:after:request", (event) => {
    const ctx = event.detail?.ctx;
    const text = ctx?.text;
    if (!text || !text.includes("csrf-token") || !isSameOrigin(ctx.request?.action)) return;
    const fresh = new DOMParser()
      .parseFromString(text, "text/html")
      .querySelector('meta[name="csrf-token"]');
    const current = document.querySelector('meta[name="csrf-token"]');
    if (fresh && current) current.setAttribute("content", fresh.getAttribute("content") ?? "");
  });

  // --- data-confirm on destructive forms and buttons -----------------------------------------
  // Without JS the server's own confirmation page does this job. Listeners run in the capture
  // phase on document, so a "no" stops the event before native submission and before htmx's
  // own listeners on the element (htmx does not check defaultPrevented).
  const stop = (event) => {
    event.preventDefault();
    event.stopImmediatePropagation();
  };

  const CONFIRMABLE = "button[data-confirm], input[data-confirm], a[data-confirm]";

  document.addEventListener(
    "click",
    (event) => {
      const el = event.target instanceof Element ? event.target.closest(CONFIRMABLE) : null;
      if (!el || el.disabled) return;
      if (!window.confirm(el.dataset.confirm)) stop(event);
    },
    true,
  );

  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
      // A submitter with its own data-confirm was already asked on click.
      if (event.submitter?.hasAttribute("data-confirm")) return;
      if (!window.confirm(form.dataset.confirm)) stop(event);
    },
    true,
  );

  // --- One submission at a time --------------------------------------------------------------
  // A form that changes something is sent once: while it is in flight a second submit (a
  // double click, Enter pressed twice) is stopped and its buttons are disabled. They come back
  // when htmx's request ends, whatever its answer (a 422 must be correctable), or when the page
  // is shown again from the back/forward cache. The server's one-time submission id is the real
  // guard; this spares the user the "already sent" detour. Registered after data-confirm, so a
  // "no" there never locks the form.
  const changesState = (form, submitter) => {
    const method = submitter?.getAttribute("formmethod") || form.getAttribute("method") || "";
    return (
      method.toLowerCase() === "post" ||
      ["hx-post", "hx-put", "hx-patch", "hx-delete"].some((name) => form.hasAttribute(name))
    );
  };

  const release = (form) => {
    if (!(form instanceof HTMLFormElement)) return;
    delete form.dataset.inFlight;
    for (const el of form.elements) {
      if (!el.hasAttribute("data-in-flight-disabled")) continue;
      el.disabled = false;
      el.removeAttribute("data-in-flight-disabled");
    }
  };

  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !changesState(form, event.submitter)) return;
      if (form.dataset.inFlight) {
        stop(event);
        return;
      }
      form.dataset.inFlight = "1";
      // Disabled only after this turn: a disabled submitter would drop its name=value.
      setTimeout(() => {
        if (!form.dataset.inFlight) return;
        for (const el of form.elements) {
          if (el instanceof HTMLButtonElement && el.type === "submit" && !el.disabled) {
            el.disabled = true;
            el.setAttribute("data-in-flight-disabled", "");
          }
        }
      });
    },
    true,
  );

  // Any unique value will do as an id; getRandomValues works on plain http too.
  const newSubmissionId = () =>
    Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

  document.addEventListener("htmx:finally:request", (event) => {
    const ctx = event.detail?.ctx;
    const source = ctx?.sourceElement ?? event.target;
    const form = source instanceof Element ? (source.closest("form") ?? source.form) : null;
    release(form);
    // A form htmx sent and left on the page (the note box under a timeline) is a new form
    // once its answer came: it needs a new id, or the next note would be "already sent".
    // After a 4xx the server freed the id, and after no answer the same id makes a retry safe.
    const status = ctx?.response?.status ?? 0;
    const field = form?.elements.namedItem("submission_id");
    if (status >= 200 && status < 300 && field instanceof HTMLInputElement) {
      field.value = newSubmissionId();
    }
  });

  window.addEventListener("pageshow", () => {
    for (const form of document.querySelectorAll("form[data-in-flight]")) release(form);
  });

  // Flash messages are never auto-dismissed: people need time to read them (WCAG 2.2.1).
})();

// A <select data-autosubmit> submits its form as soon as the choice changes
// (the organisation switcher); its Switch button remains for keyboards and no-JS.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.requestSubmit();
  }
});

// An input with data-selects="#some-select=value" picks that option when it is changed
// (typing a report's dates chooses "Between dates…").
document.addEventListener("change", (event) => {
  const el = event.target;
  const rule = el instanceof HTMLInputElement ? el.dataset.selects : undefined;
  if (!rule) return;
  const [selector, value] = rule.split("=");
  const select = document.querySelector(selector);
  if (select instanceof HTMLSelectElement) select.value = value;
});

// A button with data-copy="#input" copies that input's text (a survey link); where the
// clipboard is not available (plain http), the text is selected for Ctrl+C instead.
document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
  const input = button ? document.querySelector(button.dataset.copy) : null;
  if (!(input instanceof HTMLInputElement)) return;
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    button.textContent = "Copied";
  } catch {
    button.textContent = "Press Ctrl+C";
  }
});

// A live search box (data-live-search) inside a bigger form searches in place: Enter runs the
// search instead of sending the form, and its Find button (data-search-with="#box") does the
// same. Without JavaScript, Find sends the whole form by GET and the server keeps every value.
const runSearch = (input) => input.dispatchEvent(new Event("search", { bubbles: true }));

document.addEventListener("keydown", (event) => {
  const el = event.target;
  if (event.key !== "Enter" || !(el instanceof HTMLInputElement) || !el.hasAttribute("data-live-search")) return;
  event.preventDefault();
  runSearch(el);
});

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-search-with]") : null;
  const input = button ? document.querySelector(button.dataset.searchWith) : null;
  if (!(input instanceof HTMLInputElement)) return;
  event.preventDefault();
  input.focus();
  runSearch(input);
});
