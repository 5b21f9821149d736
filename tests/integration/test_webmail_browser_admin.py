"""Browser test of the webmail's Admin view: headless Chromium (Debian's chromium and
chromium-driver, driven by python3-selenium) logs in as an address of
MERPATI_WEBMAIL_ADMINS, adds an account in the Users section and sees it listed; the new
account then logs in over POP3. Screenshots as test_webmail_browser_support says."""
import uuid


from test_webmail_browser_support import (  # noqa: F401  (fixtures)
    DOMAIN, PASSWORD, browser, shots_dir, web)


def row_cells(browser, first):
    """row_cells - the cell texts of the admin table's row whose first cell is first"""
    return browser.js("""return [...document.querySelectorAll('table.grid tbody tr')]
        .filter((tr) => tr.cells[0].textContent === arguments[0])
        .map((tr) => [...tr.cells].map((c) => c.textContent))[0] || null;""", first)


def test_admin_adds_a_user_and_sees_it_listed(web, browser):
    plain = web.account("plain")
    browser.login(plain)
    assert browser.js("return document.getElementById('nav-admin').hidden") is True
    browser.click("#logout")
    browser.find("#login-form")

    browser.login(web.admin)
    browser.click("#nav-admin")
    browser.wait_text("h2", "Administration: Domains")
    browser.wait_text("table.grid", DOMAIN)
    browser.click_xpath("nav.tabs", ".//a[contains(., 'Users')]", "the Users tab")
    browser.wait_text("h2", "Administration: Users")
    address = f"made-in-browser-{uuid.uuid4().hex[:8]}@{DOMAIN}"
    browser.type("#admin-address", address)
    browser.type("#admin-password", PASSWORD)
    browser.type("#admin-quota", "1M")
    browser.click("form.admin-create button[type=submit]")
    answer = browser.wait(lambda d: browser.js(
        """return [...document.querySelectorAll('#status .toast')].map((t) => t.textContent)
            .find((t) => t === 'Added' || t.startsWith('Not added')) || null;"""), "the answer to Add")
    assert answer == "Added", answer
    # the listing is paged (100 rows) and other tests' accounts share the domain: find it
    browser.type("#admin-find", address.split("@")[0].upper())
    browser.click("form.admin-find button[type=submit]")
    browser.wait_text("table.grid tbody", address)
    assert browser.js("return document.querySelectorAll('table.grid tbody tr').length;") == 1
    cells = browser.wait(lambda d: row_cells(browser, address), f"the row of {address}")
    assert cells[:4] == [address, "1.0 MB", "0 B", "yes"], cells
    browser.shot("admin-user-added")

    assert web.pg.psql(f"SELECT quota_bytes, enabled FROM accounts WHERE address = '{address}'") \
        == f"{1 << 20}|t"
    assert web.pop3_messages(address, count=0) == []   # it can log in over POP3

    browser.click(f"button[aria-label='Disable: {address}']")
    browser.wait(lambda d: (row_cells(browser, address) or [""] * 4)[3] == "no",
                 f"{address} shown disabled")
    assert web.pg.psql(f"SELECT enabled FROM accounts WHERE address = '{address}'") == "f"
    browser.shot("admin-user-disabled")
