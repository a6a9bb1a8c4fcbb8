"""Walk every page a role can reach, as a person would, and report what looks wrong.

Usage: python scripts/walk_pages.py BASE_URL ORG_SLUG EMAIL[:PASSWORD] [...] [--out DIR]

Signs in as each person, follows every same-site link from the dashboard
(one page per URL shape: /incidents/12 and /incidents/13 are one), and for
each page at 1366x900 and 390x844 records the status, console errors, a page
wider than the screen and elements sticking out of their box; screenshots go
to DIR (default /tmp/walk) for looking at. Needs a running server (`accord
serve`) and Debian's chromium. Links that change things are never followed:
only GET links, and none to sign-out, downloads or exports.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import sync_playwright

SIZES = ((1366, 900), (390, 844))
SKIP = re.compile(r"/(logout|download|export|vcard|csv|files/\d+|static)(/|$)|\.(csv|vcf|ics|zip)$")
DEFAULT_PASSWORD = "accord-demo"

OVERFLOWING = """() => [...document.querySelectorAll("main *")].filter((el) => {
  const parent = el.parentElement, style = getComputedStyle(el);
  if (["auto", "scroll", "hidden"].includes(getComputedStyle(parent).overflowX)) return false;
  if (style.position === "absolute" || style.display === "none") return false;
  for (let up = parent; up; up = up.parentElement)
    if (up.getBoundingClientRect().width <= 1) return false;
  const box = el.getBoundingClientRect(), outer = parent.getBoundingClientRect();
  return box.width > 0 && box.right > outer.right + 1.5;
}).slice(0, 5).map((el) => el.tagName.toLowerCase() + "." + [...el.classList].join("."))"""


def shape(path: str) -> str:
    return re.sub(r"/\d+", "/{id}", path)


def walk(base: str, slug: str, email: str, password: str, out: Path, limit: int) -> list[str]:
    problems: list[str] = []
    role = email.split("@")[0]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(viewport={"width": 1366, "height": 900}, base_url=base)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto("/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.locator("form button[type=submit], form input[type=submit]").first.click()
        page.wait_for_load_state()
        start = f"/o/{slug}/"
        queue, seen = deque([start]), {shape(start)}
        visited = 0
        while queue and visited < limit:
            path = queue.popleft()
            visited += 1
            name = f"{role}{shape(path).replace('/', '_').replace('{id}', 'N')}"[:120]
            for width, height in SIZES:
                errors.clear()
                page.set_viewport_size({"width": width, "height": height})
                try:
                    response = page.goto(path)
                except Exception as exc:  # a download, a hang: say so, walk on
                    problems.append(f"{role} {path}: {str(exc).splitlines()[0]}")
                    break
                status = response.status if response else 0
                page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=False)
                wide = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
                sticking = page.evaluate(OVERFLOWING)
                notes = []
                if status >= 400:
                    notes.append(f"status {status}")
                if wide > 1:
                    notes.append(f"page {wide}px wider than the screen")
                if sticking:
                    notes.append("sticking out: " + ", ".join(sticking))
                if errors:
                    notes.append("console: " + "; ".join(errors[:3]))
                if notes:
                    problems.append(f"{role} {path} @{width}: " + " | ".join(notes))
            for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
                parts = urlsplit(urljoin(base + path, href))
                if parts.netloc != urlsplit(base).netloc or SKIP.search(parts.path):
                    continue
                if not parts.path.startswith(start) or shape(parts.path) in seen:
                    continue
                seen.add(shape(parts.path))
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        print(f"{role}: {visited} pages, {len(queue)} not visited", file=sys.stderr)
        browser.close()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("slug")
    parser.add_argument("people", nargs="+", help="email or email:password")
    parser.add_argument("--out", type=Path, default=Path("/tmp/walk"))
    parser.add_argument("--limit", type=int, default=150, help="pages per person at most")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for person in args.people:
        email, _, password = person.partition(":")
        problems += walk(
            args.base.rstrip("/"),
            args.slug,
            email,
            password or DEFAULT_PASSWORD,
            args.out,
            args.limit,
        )
    print("\n".join(problems) or "nothing found")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
