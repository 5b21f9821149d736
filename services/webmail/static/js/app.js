// app.js - the webmail's entry point: session, login, navigation between pages, live updates.
import { api, apiSetCsrf, ApiError } from './api.js';
import { clear, toast } from './dom.js';
import { mailShow, mailRefresh, mailSearch } from './mail.js';
import { composeShow } from './compose.js';
import { contactsShow } from './contacts.js';
import { rulesShow } from './rules.js';
import { settingsShow } from './settings.js';
import { adminShow } from './admin.js';
import { eventsStart, eventsStop } from './events.js';

import { session, sessionRouteStart } from './session.js';

const $ = (id) => document.getElementById(id);

// appShowLogin - the login page, with an optional message
function appShowLogin(message) {
  eventsStop();
  session.account = null;
  $('app-view').hidden = true;
  $('login-view').hidden = false;
  const err = $('login-error');
  err.hidden = !message;
  err.textContent = message || '';
  $('login-username').focus();
}

// appStart - after login or a reload with a live session: show the app and route
function appStart(data) {
  session.account = data.account;
  apiSetCsrf(data.csrf);
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  $('account-name').textContent = data.account.address;
  $('nav-admin').hidden = !data.account.admin;
  eventsStart(mailRefresh);
  appRoute();
}

// appLogin - submit of the login form: POST /api/login
async function appLogin(ev) {
  ev.preventDefault();
  const username = $('login-username').value.trim();
  const password = $('login-password').value;
  if (!username || !password) {
    appShowLogin('Enter your email address and password.');
    return;
  }
  $('login-submit').disabled = true;
  try {
    const data = await api.post('/api/login', { username, password });
    $('login-password').value = '';
    if (!location.hash || location.hash === '#/') location.hash = '#/mail';
    appStart(data);
  } catch (e) {
    const msg = e instanceof ApiError && e.status === 429
      ? 'Too many failed attempts. Wait a few minutes and try again.'
      : e instanceof ApiError && e.status === 401
        ? 'Wrong email address or password.' : `Login failed: ${e.message}`;
    appShowLogin(msg);
  } finally {
    $('login-submit').disabled = false;
  }
}

// appLogout - POST /api/logout, then back to the login page
async function appLogout() {
  try {
    await api.post('/api/logout', {});
  } catch (e) {
    // the session may already be gone; the login page is right either way
  }
  location.hash = '';
  appShowLogin('You have logged out.');
}

// appMarkNav - highlight the section link of the current page
function appMarkNav(section) {
  for (const name of ['mail', 'contacts', 'rules', 'settings', 'admin']) {
    const link = $(`nav-${name}`);
    if (name === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

// appRoute - show the page the location hash names (#/mail/12/7, #/contacts, ...)
export function appRoute() {
  if (!session.account) return;
  const [path, query] = (location.hash.slice(1) || '/mail').split('?');
  const parts = path.split('/').filter(Boolean);
  const params = new URLSearchParams(query || '');
  const main = $('main');
  const section = parts[0] || 'mail';
  sessionRouteStart();
  appMarkNav(section === 'search' || section === 'compose' ? 'mail' : section);
  document.body.classList.remove('folders-open');
  switch (section) {
    case 'compose': return composeShow(main, params);
    case 'contacts': return contactsShow(main, session);
    case 'rules': return rulesShow(main, session);
    case 'settings': return settingsShow(main, session);
    case 'admin': return adminShow(main, session, parts[1] || 'domains');
    case 'search': return mailSearch(main, session, params);
    default:
      return mailShow(main, session, parts[1] ? Number(parts[1]) : null,
        parts[2] ? Number(parts[2]) : null, params);
  }
}

// appSearch - the search box: a server-side search over every own folder
function appSearch(ev) {
  ev.preventDefault();
  const q = $('search-input').value.trim();
  if (q) location.hash = `#/search?q=${encodeURIComponent(q)}`;
}

// appToggleFolders - on a narrow screen the folder list slides in over the page
function appToggleFolders() {
  const open = document.body.classList.toggle('folders-open');
  $('menu-toggle').setAttribute('aria-expanded', String(open));
}

// appInit - wire the static controls and ask whether a session is live
async function appInit() {
  $('login-form').addEventListener('submit', appLogin);
  $('logout').addEventListener('click', appLogout);
  $('search-form').addEventListener('submit', appSearch);
  $('menu-toggle').addEventListener('click', appToggleFolders);
  window.addEventListener('hashchange', appRoute);
  window.addEventListener('merpati:logged-out', () => appShowLogin('Your session has ended. Log in again.'));
  window.addEventListener('unhandledrejection', (ev) => {
    toast(ev.reason && ev.reason.message ? ev.reason.message : 'Something went wrong', 'error');
  });
  try {
    appStart(await api.get('/api/session'));
  } catch (e) {
    clear($('main'));
    appShowLogin(e instanceof ApiError && e.status === 401 ? '' : `The server did not answer: ${e.message}`);
  }
}

appInit();
