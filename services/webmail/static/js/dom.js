// dom.js - building DOM nodes safely: text always goes in as text, never as HTML.

// h - create an element; attrs sets properties/attributes ("on*" functions become listeners)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      el.className = value;
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key in el && typeof value !== 'string') {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

// append - add children (nodes, strings as text nodes, nested arrays) to a parent
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

// clear - remove every child of an element and optionally put new ones in
export function clear(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

// URL_RE - http(s) and www. links in plain text; trailing punctuation is left out below
const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
const TRAILING = /[.,;:!?)\]}'"]+$/;

// linkify - plain text as text nodes with its URLs turned into safe links
export function linkify(text) {
  const out = [];
  let last = 0;
  for (const match of text.matchAll(URL_RE)) {
    let url = match[0];
    const trail = url.match(TRAILING);
    if (trail) url = url.slice(0, -trail[0].length);
    if (!url) continue;
    out.push(text.slice(last, match.index));
    const href = url.startsWith('www.') ? `https://${url}` : url;
    out.push(h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, url));
    last = match.index + url.length;
  }
  out.push(text.slice(last));
  return out;
}

// formatSize - bytes as "512 B", "1.2 kB", "3.4 MB"
export function formatSize(n) {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(1)} GB`;
}

// formatDate - Unix seconds as a short local date (time of day for today)
export function formatDate(seconds, long = false) {
  if (!seconds) return '';
  const d = new Date(seconds * 1000);
  if (long) return d.toLocaleString();
  const now = new Date();
  if (d.toDateString() === now.toDateString()) {
    return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }
  return d.toLocaleDateString();
}

// formatAddress - {name, email} as "Name <email>" (or just the email)
export function formatAddress(a) {
  if (!a) return '';
  return a.name ? `${a.name} <${a.email}>` : a.email;
}

// addressList - the API's address list ([{name, email}]); a header string
// ("Ann <a@x>, b@y") is read into that shape too, so either form displays and replies
export function addressList(value) {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string' || !value.trim()) return [];
  return value.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((part) => {
    const m = part.match(/^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/);
    return m ? { name: m[1].trim(), email: m[2].trim() } : { name: '', email: part.trim() };
  }).filter((a) => a.email);
}

// formatAddresses - a list of addresses joined with ", "
export function formatAddresses(list) {
  return addressList(list).map(formatAddress).join(', ');
}

// field - a labelled form control: <label>text <input></label> kept together for screen readers
export function field(labelText, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 10)}`;
  control.id = id;
  return h('div', { class: 'field' },
    h('label', { for: id }, labelText), control,
    hint ? h('small', { class: 'hint' }, hint) : null);
}

// toast - a short message in the status area, read out by screen readers
export function toast(text, kind = 'info') {
  const area = document.getElementById('status');
  if (!area) return;
  const item = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
  area.append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4000);
}
