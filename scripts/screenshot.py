"""Take the README screenshot: the app on the ingested sources, one real question asked.

Usage: .venv/bin/python scripts/screenshot.py [--out docs/app.png] [--width 1280]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import build_app
from kb.knowledge import KnowledgeBase
from kb.present.server import asgi_app, running
from kb.runtime import configure_runtime
from kb.settings import Settings

QUESTION = "How do we request a reciprocal visit to the United States?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/app.png"))
    parser.add_argument("--width", type=int, default=1280, help="390 for a phone")
    args = parser.parse_args()
    configure_runtime()
    from playwright.sync_api import sync_playwright

    settings = Settings()
    with KnowledgeBase.open(settings) as kb:
        shot = settings.model_copy(update={"data_dir": Path("/tmp/ipskb-shot")})
        with running(asgi_app(kb, shot, build_app(kb, shot))) as url, sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--no-first-run"])
            height = 1500 if args.width > 640 else 1400
            page = browser.new_page(viewport={"width": args.width, "height": height})
            page.set_default_timeout(120_000)
            page.goto(url)
            page.locator("#question textarea").fill(QUESTION)
            page.locator("#ask").click()
            page.locator("#transcript .ipskb-copy").first.wait_for()
            page.locator("#transcript a.ipskb-marker").first.click()
            page.locator("#transcript details[open] mark").first.wait_for()
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out), full_page=False)
            browser.close()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
