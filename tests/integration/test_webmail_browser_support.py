"""test_webmail_browser_support - headless Chromium driving the webmail for the browser tests.

A test asks for `web` (a running stack: bus, mda, smtp-in, pop3 and webmail, with two
accounts) and `browser` (a Selenium-driven Debian Chromium, fresh per test). Screenshots go to
one folder under pytest's tmp dir, printed once, so they can be looked at after the run.
The tests are skipped when Chromium, chromedriver or Selenium are not installed, or when
merpati-webmail has not been built; they never pass without running.
"""
import email
import email.policy
import os
import poplib
import shutil
import smtplib
import time
from pathlib import Path

import pytest

from harness.stack import REPO, build_dir

DOMAIN = "example.test"
PASSWORD = "webmail-Secret-pw1"
WAIT = 20.0                  # seconds any one thing may take to show up in the page
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync")
_serial = [0]

try:
    from selenium import webdriver
    from selenium.common.exceptions import (NoAlertPresentException, StaleElementReferenceException,
                                            WebDriverException)
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:          # python3-selenium missing: the fixtures skip
    webdriver = None


def chromium_paths():
    """chromium_paths - (chromium, chromedriver) from Debian's packages, or None"""
    chrome = shutil.which("chromium") or "/usr/bin/chromium"
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if webdriver is None or not os.access(chrome, os.X_OK) or not os.access(driver, os.X_OK):
        return None
    return chrome, driver


@pytest.fixture(scope="session")
def shots_dir(tmp_path_factory):
    """shots_dir - the folder of this run's screenshots (its path is printed)"""
    d = tmp_path_factory.mktemp("webmail-screenshots")
    print(f"\nwebmail screenshots: {d}")
    return d


class Browser:
    """Browser - a Chromium session on the webmail with waits and screenshots."""

    def __init__(self, driver, base, shots):
        self.d = driver
        self.base = base
        self.shots = shots

    def go(self, fragment=""):
        """go - load the webmail (optionally at #fragment)"""
        self.d.get(f"{self.base}/{('#' + fragment) if fragment else ''}")

    def wait(self, condition, what, timeout=WAIT):
        """wait - until condition(driver) is truthy; fails the test naming what it waited for"""
        try:
            # The UI re-renders lists after every change: an element found a moment ago may
            # be gone, so stale references count as "not yet" and are looked up again.
            return WebDriverWait(self.d, timeout, poll_frequency=0.1,
                                 ignored_exceptions=(StaleElementReferenceException,)).until(condition)
        except Exception as exc:   # TimeoutException, or the page went away under us
            self.shot("timeout")
            pytest.fail(f"waited {timeout:.0f}s for {what}: {exc.__class__.__name__}")

    def find(self, css, timeout=WAIT):
        """find - the first visible element matching css, waiting for it"""
        def visible(d):
            for el in d.find_elements(By.CSS_SELECTOR, css):
                if el.is_displayed():
                    return el
            return None
        return self.wait(visible, css, timeout)

    def click(self, css):
        """click - wait for a visible element and click it"""
        el = self.find(css)
        el.click()
        return el

    def type(self, css, text, clear=True):
        """type - put text into an input"""
        el = self.find(css)
        if clear:
            el.clear()
        el.send_keys(text)
        return el

    def click_xpath(self, css, xpath, what):
        """click_xpath - click the element at xpath inside the first visible css match, looking
        both up again if the UI re-rendered them in between"""
        def click_it(d):
            for el in d.find_elements(By.CSS_SELECTOR, css):
                if el.is_displayed():
                    el.find_element(By.XPATH, xpath).click()
                    return True
            return False
        self.wait(click_it, what)

    def open_folder(self, label):
        """open_folder - click the folder whose name contains label"""
        self.click_xpath("#folder-pane", f".//a[contains(., '{label}')]", f"folder {label!r}")

    def text_of(self, css):
        """text_of - visible text of the first match"""
        return self.wait(lambda d: self.find(css).text or " ", f"text of {css}")

    def wait_text(self, css, text, timeout=WAIT):
        """wait_text - until some element matching css shows text"""
        return self.wait(lambda d: any(text in e.text for e in d.find_elements(By.CSS_SELECTOR, css)),
                         f"{text!r} in {css}", timeout)

    def js(self, script, *args):
        """js - run script in the page and return its value"""
        return self.d.execute_script(script, *args)

    def alert_text(self):
        """alert_text - the text of an open alert, or None"""
        try:
            return self.d.switch_to.alert.text
        except NoAlertPresentException:
            return None

    def shot(self, name):
        """shot - save a PNG screenshot named name"""
        path = Path(self.shots) / f"{name}.png"
        try:
            self.d.save_screenshot(str(path))
        except WebDriverException:
            pass
        return path

    def login(self, address, password=PASSWORD):
        """login - log in through the login form and wait for the folder list to load
        (on a phone-size screen the list is there but behind the menu button)"""
        self.go()
        self.type("#login-username", address)
        self.type("#login-password", password)
        self.click("#login-submit")
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#folder-pane a.folder"), "the folder list")

    def open_subject(self, subject, timeout=WAIT):
        """open_subject - wait for a message with subject in the list (reloading the list,
        not the page, as the UI does) and open it"""
        def click_it(d):
            for a in d.find_elements(By.CSS_SELECTOR, "#message-list a.msg-link"):
                if subject in a.text:
                    a.click()
                    return True
            return False
        self.wait(click_it, f"a message {subject!r} in the list", timeout)
        self.wait_text("#message-subject", subject)


@pytest.fixture
def browser(shots_dir, web, request):
    """browser - a fresh headless Chromium on the webmail; quit after the test"""
    paths = chromium_paths()
    if paths is None:
        pytest.skip("chromium, chromium-driver or python3-selenium is not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    options.add_argument("--window-size=1280,860")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(paths[1]), options=options)
    b = Browser(driver, web.base, shots_dir / request.node.name)
    Path(b.shots).mkdir(parents=True, exist_ok=True)
    yield b
    driver.quit()


class Web:
    """Web - the stack under a browser test: URL, accounts, SMTP and POP3 ports."""

    def __init__(self, stack, pg):
        self.stack = stack
        self.pg = pg
        self.base = ""
        self.smtp_port = 0
        self.pop3_port = 0

    def account(self, name):
        """account - a fresh account (unique per call) in DOMAIN; returns its address"""
        _serial[0] += 1
        address = f"{name}{_serial[0]}-{os.getpid()}@{DOMAIN}"
        r = self.stack.merpati("user", "add", address, "--password-stdin", input=PASSWORD + "\n")
        assert r.returncode == 0, r.stdout + r.stderr
        return address

    def smtp(self, sender, recipients, raw):
        """smtp - send raw (bytes or str) over SMTP (port 25) to recipients"""
        if isinstance(raw, str):
            raw = raw.replace("\r\n", "\n").replace("\n", "\r\n").encode()
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=30) as s:
            s.ehlo("client.remote.example")
            assert s.sendmail(sender, recipients, raw) == {}

    def pop3_messages(self, address, count=1, timeout=WAIT):
        """pop3_messages - wait until address's INBOX has count messages; them, parsed"""
        deadline = time.monotonic() + timeout
        while True:
            c = poplib.POP3("127.0.0.1", self.pop3_port, timeout=20)
            c.user(address)
            c.pass_(PASSWORD)
            n = c.stat()[0]
            if n >= count:
                msgs = [email.message_from_bytes(b"\r\n".join(c.retr(i)[1]), policy=email.policy.default)
                        for i in range(1, n + 1)]
                c.quit()
                return msgs
            c.quit()
            assert time.monotonic() < deadline, f"{address}: {n} of {count} messages after {timeout}s"
            time.sleep(0.2)


@pytest.fixture
def web(stack, pg):
    """web - bus, mda, smtp-in, pop3 and webmail on loopback, with the domain created"""
    binary = build_dir() / "services" / "webmail" / "merpati-webmail"
    if not os.access(binary, os.X_OK):
        pytest.skip(f"{binary} is not built")
    w = Web(stack, pg)
    stack.merpati("domain", "add", DOMAIN)   # fails harmlessly when it exists
    stack.start("bus")
    stack.start("mda", env={"MERPATI_MDA_POLL": "5m"})
    w.smtp_port = stack.start("smtp-in").port("MERPATI_SMTP_LISTEN")
    w.pop3_port = stack.start("pop3").port("MERPATI_POP3_LISTEN")
    w.admin = w.account("admin")
    webmail = stack.start("webmail", env={
        "MERPATI_WEBMAIL_STATIC": str(REPO / "services" / "webmail" / "static"),
        "MERPATI_WEBMAIL_ADMINS": w.admin,
    })
    w.base = f"http://127.0.0.1:{webmail.port('MERPATI_WEBMAIL_LISTEN')}"
    return w


def plain_message(sender, to, subject, body, extra=""):
    """plain_message - a small RFC 5322 text/plain message as str"""
    return (f"From: {sender}\nTo: {to}\nSubject: {subject}\n"
            f"Message-ID: <{abs(hash((subject, time.time())))}@remote.example>\n{extra}"
            f"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n{body}\n")
