"""Browser tests of the webmail: headless Chromium (Debian's chromium and chromium-driver,
driven by python3-selenium) against merpati-webmail with mail delivered by smtp-in and mda.

Each scenario saves screenshots (test_webmail_browser_support prints the folder).
"""
import os
import re

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from test_webmail_browser_support import (  # noqa: F401  (fixtures)
    PASSWORD, browser, plain_message, shots_dir, web)


def test_login_refused_then_accepted(web, browser):
    alice = web.account("alice")
    browser.go()
    browser.type("#login-username", alice)
    browser.type("#login-password", "not the password")
    browser.click("#login-submit")
    browser.wait_text("#login-error", "Wrong email address or password")
    browser.shot("01-login-refused")
    browser.type("#login-password", PASSWORD)
    browser.click("#login-submit")
    browser.find("#folder-pane a.folder")
    assert browser.text_of("#account-name") == alice
    assert "Inbox" in browser.text_of("#folder-pane")
    browser.shot("02-logged-in")
    browser.click("#logout")
    browser.find("#login-form")
    browser.go("/mail")                      # the session is gone for the server too
    browser.find("#login-form")


def test_read_message_sent_by_smtp(web, browser):
    alice = web.account("alice")
    body = "Hello Alice,\n\n<b>not bold</b> & see https://example.com/doc?id=7.\n\n-- \nCarol"
    web.smtp("carol@remote.example", [alice],
             plain_message("Carol <carol@remote.example>", alice, "Plain hello", body))
    browser.login(alice)
    browser.find("#folder-pane a.folder.unread")         # the unread count shows
    browser.open_subject("Plain hello")
    browser.find("#body-text")
    text, bold, links = browser.js("""const t = document.getElementById('body-text');
        return [t.textContent, t.querySelectorAll('b').length,
                [...t.querySelectorAll('a')].map(a => [a.getAttribute('href'), a.rel])];""")
    assert "<b>not bold</b> & see" in text and bold == 0   # escaped, not markup
    assert links == [["https://example.com/doc?id=7", "noopener noreferrer"]]
    assert "carol@remote.example" in browser.text_of(".headers")
    browser.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, "#message-list li.msg.unread"),
                 "the message marked read")
    browser.shot("read-plain")
    browser.click("#show-source")
    raw = browser.find("#raw-source").text
    assert "Subject: Plain hello" in raw and "From: Carol <carol@remote.example>" in raw
    assert "<b>not bold</b> & see" in raw
    browser.shot("raw-source")


def test_compose_with_attachment_reaches_pop3_intact(web, browser, tmp_path):
    alice, bob = web.account("alice"), web.account("bob")
    payload = os.urandom(150_000) + b"\x00\r\n.\r\nend"
    attachment = tmp_path / "report.bin"
    attachment.write_bytes(payload)
    browser.login(alice)
    browser.click("a.compose-button")
    browser.type("#compose-to", bob)
    browser.type("#compose-subject", "Figures attached")
    browser.type("#compose-body", "Here are the figures.\nLine two.")
    browser.find("#compose-files").send_keys(str(attachment))
    browser.wait_text("#upload-list", "report.bin")
    browser.shot("compose")
    browser.click("#compose-send")
    browser.wait_text("#status", "Message sent")
    msg = web.pop3_messages(bob)[0]
    assert msg["Subject"] == "Figures attached"
    assert alice in msg["From"]
    parts = [p for p in msg.iter_attachments()]
    assert [p.get_filename() for p in parts] == ["report.bin"]
    assert parts[0].get_content() == payload
    assert "Here are the figures." in msg.get_body(("plain",)).get_content()
    browser.open_folder("Sent")                       # a copy in Sent
    browser.open_subject("Figures attached")
    browser.wait_text(".attachments", "report.bin")
    browser.shot("sent-copy")


def test_reply_and_reply_all(web, browser):
    alice, bob = web.account("alice"), web.account("bob")
    web.smtp(bob, [alice], plain_message(bob, f"{alice}, dave@remote.example", "Plans",
                                         "Shall we meet?\nOn Monday.", extra="Cc: erin@remote.example\n"))
    browser.login(alice)
    browser.open_subject("Plans")
    browser.click("#reply-all")
    assert bob in browser.find("#compose-to").get_attribute("value")
    cc = browser.find("#compose-cc").get_attribute("value")
    assert "dave@remote.example" in cc and "erin@remote.example" in cc and alice not in cc
    browser.go("/mail")
    browser.open_subject("Plans")
    browser.click("#reply")
    assert browser.find("#compose-subject").get_attribute("value") == "Re: Plans"
    assert browser.find("#compose-cc").get_attribute("value") == ""
    body = browser.find("#compose-body")
    assert "> Shall we meet?\n> On Monday." in body.get_attribute("value")
    body.send_keys("Monday suits me.")
    browser.shot("reply")
    browser.click("#compose-send")
    browser.wait_text("#status", "Message sent")
    reply = web.pop3_messages(bob)[0]
    assert reply["Subject"] == "Re: Plans"
    assert reply["In-Reply-To"] and reply["In-Reply-To"] in (reply["References"] or "")
    text = reply.get_body(("plain",)).get_content()
    assert text.startswith("Monday suits me.") and "> Shall we meet?" in text


def test_reply_marks_original_answered(web, browser):
    alice, bob = web.account("alice"), web.account("bob")
    web.smtp(bob, [alice], plain_message(bob, alice, "Question", "Any news?"))
    browser.login(alice)
    browser.open_subject("Question")
    browser.click("#reply")
    browser.find("#compose-body").send_keys("None yet.")
    browser.click("#compose-send")
    browser.wait_text("#status", "Message sent")
    web.pop3_messages(bob)
    browser.go("/mail")
    browser.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#message-list .marker.answered"),
                 "the answered marker on the original (docs/WEBMAIL-API.md: in_reply_to sets \\Answered)")
    browser.shot("answered")


def test_address_book(web, browser):
    alice = web.account("alice")
    browser.login(alice)
    browser.click("#nav-contacts")
    browser.click("#contact-new")
    browser.type("#contact-name", "Zed Zimmer")
    browser.type("#contact-emails", "zed@remote.example\nzed.work@remote.example")
    browser.type("#contact-phone", "+62 21 5550100")
    browser.type("#contact-notes", "Met at the conference.")
    browser.click("#contact-save")
    browser.wait_text("#contact-rows", "zed@remote.example")
    browser.wait_text("#contact-rows", "zed.work@remote.example")
    assert "+62 21 5550100" in browser.text_of("#contact-rows")
    browser.shot("contacts")
    browser.click_xpath("#contact-rows tr[data-contact]", ".//button[text()='Edit']", "Edit")
    assert "Zed Zimmer" in browser.find("#contact-name").get_attribute("value")
    browser.type("#contact-phone", "+62 21 5550199")
    browser.click("#contact-save")
    browser.wait_text("#contact-rows", "+62 21 5550199")
    browser.click("#nav-mail")                      # autocomplete in compose
    browser.click("a.compose-button")
    browser.type("#compose-to", "Zim")
    option = browser.find("#compose-to-suggest li")
    assert "zed" in option.text
    browser.find("#compose-to").send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    assert "zed" in browser.find("#compose-to").get_attribute("value")
    browser.shot("autocomplete")
    browser.go("/contacts")
    browser.wait_text("#contact-rows", "zed.work@remote.example")
    rows = len(browser.d.find_elements(By.CSS_SELECTOR, "#contact-rows tr"))
    assert rows >= 1
    while rows:
        browser.click_xpath("#contact-rows tr", ".//button[text()='Delete']", "Delete")
        browser.d.switch_to.alert.accept()
        browser.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#contact-rows tr")) < rows, "one contact fewer")
        rows = len(browser.d.find_elements(By.CSS_SELECTOR, "#contact-rows tr"))
    browser.shot("contacts-empty")


def test_add_sender_to_contacts(web, browser):
    alice = web.account("alice")
    web.smtp("yusuf@remote.example", [alice],
             plain_message("Yusuf Y <yusuf@remote.example>", alice, "Hi from Yusuf", "Hello"))
    browser.login(alice)
    browser.open_subject("Hi from Yusuf")
    browser.click("#add-sender")
    browser.wait_text("#status", "added to your contacts")
    browser.go("/contacts")
    browser.wait_text("#contact-rows", "yusuf@remote.example")


def test_move_and_delete(web, browser):
    alice = web.account("alice")
    for n in (1, 2):
        web.smtp("carol@remote.example", [alice], plain_message("carol@remote.example", alice, f"Movable {n}", "x"))
    browser.login(alice)
    browser.wait_text("#message-list", "Movable 2")
    browser.click("#folder-pane .folder-actions button")
    prompt = browser.d.switch_to.alert
    prompt.send_keys("Archive")
    prompt.accept()
    browser.wait_text("#folder-pane", "Archive")
    browser.open_subject("Movable 1")
    Select(browser.find("#move-message")).select_by_visible_text("Archive")
    browser.wait(lambda d: "Movable 1" not in d.find_element(By.ID, "message-list").text, "Movable 1 leaving INBOX")
    browser.open_folder("Archive")
    browser.open_subject("Movable 1")
    browser.shot("moved")
    browser.click("#delete-message")
    browser.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, "#message-list a.msg-link"), "Archive empty")
    browser.open_folder("Trash")
    browser.open_subject("Movable 1")
    browser.shot("in-trash")


def test_search(web, browser):
    alice = web.account("alice")
    web.smtp("carol@remote.example", [alice], plain_message("carol@remote.example", alice, "Invoice 4711", "Pay soon"))
    web.smtp("dora@remote.example", [alice], plain_message("dora@remote.example", alice, "Holiday", "The pelican is blue"))
    browser.login(alice)
    browser.wait_text("#message-list", "Holiday")
    browser.type("#search-input", "pelican")
    browser.find("#search-input").send_keys(Keys.ENTER)
    browser.wait_text("#search-count", "1 found")
    assert "Holiday" in browser.text_of("#message-list")
    assert "Invoice" not in browser.text_of("#message-list")
    browser.shot("search")
    browser.open_subject("Holiday")


def test_shared_mailbox(web, browser):
    alice, bob = web.account("alice"), web.account("bob")
    r = web.stack.merpati("share", alice, "INBOX", bob, "lrs")
    assert r.returncode == 0, r.stdout + r.stderr
    web.smtp("carol@remote.example", [alice], plain_message("carol@remote.example", alice, "For the team", "Shared text"))
    web.pop3_messages(alice)
    browser.login(bob)
    assert alice in browser.text_of("ul.folders.shared")
    browser.click_xpath("ul.folders.shared", ".//a", "the shared INBOX")
    browser.open_subject("For the team")
    assert "Shared text" in browser.text_of("#body-text")
    for control in ("delete-message", "move-message", "toggle-flag", "delete-selected", "flag-selected"):
        assert not browser.d.find_elements(By.ID, control), control   # rights lrs: no t, no w
    assert browser.d.find_elements(By.ID, "toggle-seen")              # s: may mark read/unread
    browser.shot("shared")


def test_new_mail_appears_live(web, browser):
    alice = web.account("alice")
    browser.login(alice)
    browser.find("#folder-pane a.folder")
    browser.find("#message-list, #list-pane .empty")
    browser.js("window.__sameDocument = 42;")
    web.smtp("carol@remote.example", [alice], plain_message("carol@remote.example", alice, "Live one", "now"))
    browser.wait_text("#message-list", "Live one")
    browser.wait_text("#folder-pane a.folder.unread .count", "1")
    assert browser.js("return window.__sameDocument;") == 42, "the page was reloaded"
    browser.shot("live")


def test_phone_size_and_keyboard(web, browser):
    alice = web.account("alice")
    web.smtp("carol@remote.example", [alice], plain_message("carol@remote.example", alice, "Small screen", "tiny"))
    browser.d.set_window_size(390, 844)
    browser.login(alice)
    assert not browser.d.find_element(By.ID, "folder-pane").is_displayed()   # behind the menu
    assert browser.js("return document.documentElement.scrollWidth <= window.innerWidth + 1;")
    browser.click("#menu-toggle")
    browser.find("#folder-pane a.folder")
    browser.shot("phone-folders")
    browser.find("#folder-pane a.folder").click()
    browser.open_subject("Small screen")
    assert browser.d.find_element(By.ID, "reader-pane").is_displayed()      # one pane at a time
    assert not browser.d.find_element(By.ID, "list-pane").is_displayed()
    browser.shot("phone-reading")
    # Every control has a label, either a <label for>, aria-label, or its text.
    unlabelled = browser.js("""
      return [...document.querySelectorAll('input, select, textarea, button')].filter(el => {
        if (el.type === 'hidden') return false;
        if (el.getAttribute('aria-label') || (el.labels && el.labels.length)) return false;
        return el.tagName !== 'BUTTON' || !el.textContent.trim();
      }).map(el => el.outerHTML.slice(0, 80));""")
    assert unlabelled == []
    # The keyboard alone reaches the message: Tab through the links and press Enter.
    browser.d.set_window_size(1280, 860)
    browser.go("/mail")
    browser.wait(lambda d: re.fullmatch(r"#/mail/[0-9]+", browser.js("return location.hash;")),
                 "#/mail to lead to the inbox")
    browser.wait_text("#message-list", "Small screen")
    for _ in range(60):
        # Keys go to whatever holds the focus, as a keyboard's do (the body itself at first,
        # which an element-targeted send_keys may call "not interactable"); the focused
        # element is asked for afresh each time, as the list may have been redrawn.
        ActionChains(browser.d).send_keys(Keys.TAB).perform()
        if browser.js("return !!document.activeElement && document.activeElement.classList.contains('msg-link');"):
            ActionChains(browser.d).send_keys(Keys.ENTER).perform()
            break
    browser.wait_text("#message-subject", "Small screen")


def test_identity_with_signature_is_picked_and_sent(web, browser):
    alice, bob = web.account("alice"), web.account("bob")
    info = f"info-{alice}"
    r = web.stack.merpati("alias", "add", info, alice)
    assert r.returncode == 0, r.stdout + r.stderr
    browser.login(alice)
    browser.click("#nav-settings")               # a second identity: the alias, signed
    browser.find("#ident-email-0")
    browser.click_xpath("#identities-form", ".//button[contains(., 'Add identity')]",
                        "the Add identity button")
    browser.type("#ident-name-1", "Info Desk")
    browser.type("#ident-email-1", info)
    browser.type("#ident-sig-1", "The info desk\nMerpati")
    browser.click("#identities-save")
    browser.wait_text("#status", "Identities saved")
    browser.click("#nav-mail")
    browser.click("a.compose-button")
    Select(browser.find("#compose-from")).select_by_visible_text(f"Info Desk <{info}>")
    body = browser.find("#compose-body")
    assert body.get_attribute("value") == "\n\n-- \nThe info desk\nMerpati\n"
    browser.type("#compose-to", bob)
    browser.type("#compose-subject", "From the desk")
    body.send_keys(Keys.CONTROL, Keys.HOME)
    body.send_keys("Your order shipped.")
    browser.shot("identity-compose")
    browser.click("#compose-send")
    browser.wait_text("#status", "Message sent")
    msg = web.pop3_messages(bob)[0]
    assert msg["From"].addresses[0].addr_spec == info
    assert msg["From"].addresses[0].display_name == "Info Desk"
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.rstrip("\n") == "Your order shipped.\n\n-- \nThe info desk\nMerpati"


def test_threads_toggle_groups_a_reply_under_its_original(web, browser):
    alice = web.account("alice")
    web.smtp("carol@remote.example", [alice],
             f"From: carol@remote.example\nTo: {alice}\nSubject: Budget\n"
             "Message-ID: <budget-root@remote.example>\n\nFirst draft.\n")
    web.smtp("dave@remote.example", [alice], plain_message(
        "dave@remote.example", alice, "Lunch", "Noon?"))
    web.smtp("carol@remote.example", [alice], plain_message(
        "carol@remote.example", alice, "Re: Budget", "Second draft.",
        extra="In-Reply-To: <budget-root@remote.example>\n"
              "References: <budget-root@remote.example>\n"))
    browser.login(alice)
    browser.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#message-list li.msg")) == 3,
                 "three messages listed")
    browser.click("#threads-toggle")
    browser.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#message-list li.msg.thread-reply"),
                 "a reply shown inside its thread")
    rows = browser.js("""return [...document.querySelectorAll('#message-list li.msg')].map(
        li => [li.querySelector('.subject').textContent, li.className.includes('thread-reply')]);""")
    at = rows.index(["Budget", False])
    assert rows[at + 1] == ["Re: Budget", True] and ["Lunch", False] in rows, rows
    browser.shot("threads")
