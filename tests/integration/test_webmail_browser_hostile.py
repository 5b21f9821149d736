"""The hostile-mail corpus (tests/data/hostile-html) delivered over SMTP and opened in the
webmail: nothing runs in the webmail's origin (the sentinel window.__pwned stays undefined, no
alert opens), the body frame is sandboxed without scripts or the webmail's origin, the served
body holds no active content (checked with a real HTML parser), and the page stays usable."""
import time
from html.parser import HTMLParser
from pathlib import Path

from selenium.webdriver.common.by import By

from test_webmail_browser_support import (  # noqa: F401  (fixtures)
    browser, shots_dir, web)

CORPUS = Path(__file__).resolve().parents[1] / "data" / "hostile-html"
ACTIVE_ELEMENTS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
                   "input", "button", "textarea", "select", "svg", "math", "base", "meta",
                   "link", "style", "portal", "template", "noscript", "isindex", "animate", "set"}
SAFE_URL_PREFIXES = ("http://", "https://", "mailto:", "/api/", "#")


class ActiveContent(HTMLParser):
    """ActiveContent - collects what could run or navigate in a served body"""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "meta" and [name for name, _ in attrs] == ["charset"]:
            return                   # the document's own <meta charset> is harmless
        if tag in ACTIVE_ELEMENTS:
            self.found.append(f"<{tag} {' '.join(name for name, _ in attrs)}>")
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            elif name in ("href", "src", "action", "formaction", "xlink:href", "srcdoc", "data", "background"):
                if name in ("srcdoc", "action", "formaction", "data", "background", "xlink:href") or \
                        (value and not value.lower().startswith(SAFE_URL_PREFIXES)):
                    self.found.append(f"<{tag} {name}={value[:40]!r}>")
            elif name == "style" and any(bad in value.lower() for bad in ("url(", "expression", "\\", "@")):
                self.found.append(f"<{tag} style={value[:40]!r}>")


def fetch_body(browser, folder, uid):
    """fetch_body - the served body document, fetched by the page with its session"""
    return browser.d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text().then(t => done([r.status, t])))
          .catch(e => done([0, String(e)]));""", f"/api/folders/{folder}/messages/{uid}/body?images=0")


def assert_not_pwned(browser, name):
    """assert_not_pwned - no alert is open and the sentinel is untouched"""
    alert = browser.alert_text()
    assert alert is None, f"{name}: an alert opened: {alert!r}"
    assert browser.js("return typeof window.__pwned;") == "undefined", f"{name}: window.__pwned was set"


def test_hostile_corpus_runs_nothing(web, browser):
    files = sorted(CORPUS.glob("*.eml"))
    assert len(files) >= 12
    alice = web.account("alice")
    for f in files:
        web.smtp("mallory@attacker.example", [alice], f.read_bytes())
    web.pop3_messages(alice, count=len(files), timeout=60)
    started = time.monotonic()
    browser.login(alice)
    browser.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#message-list a.msg-link")) == len(files),
                 "every hostile message in the list")
    for f in files:
        name = f.stem
        browser.open_subject(f"hostile: {name}")
        href = browser.d.current_url.split("#", 1)[1]           # /mail/<folder>/<uid>
        folder, uid = href.split("/")[2:4]
        # Read the frame's attributes in one script: no element reference can go stale.
        has_frame, sandbox = browser.js("""const f = document.getElementById('body-frame');
            return f ? [true, f.getAttribute('sandbox')] : [false, null];""")
        if has_frame:
            assert sandbox is not None and "allow-scripts" not in sandbox \
                and "allow-same-origin" not in sandbox, f"{name}: sandbox={sandbox!r}"
            browser.wait(lambda d: d.execute_script(
                "return document.getElementById('body-frame').dataset.loaded === '1';"), "the body frame loaded")
            time.sleep(0.5)                                     # let any timer or refresh fire
            # The frame does not share the webmail's origin: its document is out of reach.
            assert browser.js("return document.getElementById('body-frame').contentDocument === null;"), name
            status, served = fetch_body(browser, folder, uid)
            assert status == 200, f"{name}: body answered {status}"
            parser = ActiveContent()
            parser.feed(served)
            assert parser.found == [], f"{name}: active content served: {parser.found[:5]}"
        else:
            time.sleep(0.3)
        browser.shot(f"hostile-{name}")
        assert_not_pwned(browser, name)
        assert browser.d.current_url.startswith(web.base), f"{name}: the page navigated away"
    # Still usable: open the compose page and come back to the list.
    browser.click("a.compose-button")
    browser.find("#compose-to")
    browser.go("/mail")
    browser.wait_text("#message-list", "hostile: script-tag")
    assert_not_pwned(browser, "after the corpus")
    print(f"\nhostile corpus: {len(files)} messages opened in {time.monotonic() - started:.1f}s")
