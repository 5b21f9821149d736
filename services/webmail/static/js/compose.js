// compose.js - writing mail: new, reply, reply-all, forward (quoted), To/Cc/Bcc with address
// book autocomplete, attachments uploaded from the browser, drafts, the identity's signature.
import { api, apiQuery } from './api.js';
import { session, sessionRouteIsCurrent } from './session.js';
import { h, clear, field, toast, addressList, formatAddress, formatAddresses, formatDate } from './dom.js';

let pending = null;      // what composeStartFrom prepared for the next compose page

// composeQuote - the original text with "> " in front of every line (RFC 3676 4.5 style)
function composeQuote(msg) {
  const lines = (msg.text || '').replace(/\r\n/g, '\n').replace(/\s+$/, '').split('\n');
  const who = formatAddresses(msg.from) || 'someone';
  return `\n\nOn ${formatDate(msg.date, true)}, ${who} wrote:\n${lines.map((l) => (l.startsWith('>') ? `>${l}` : `> ${l}`)).join('\n')}\n`;
}

// composePrefix - "Re: " / "Fwd: " unless the subject already has it
function composePrefix(prefix, subject) {
  const s = subject || '';
  return s.toLowerCase().startsWith(prefix.toLowerCase()) ? s : `${prefix}${s}`;
}

// composeStartFrom - prepare a reply, reply-all or forward of msg and open the compose page
export function composeStartFrom(kind, msg) {
  const me = session.account ? session.account.address.toLowerCase() : '';
  const refs = [msg.references, msg.message_id].filter(Boolean).join(' ').trim();
  if (kind === 'forward') {
    const header = `\n\n-------- Forwarded message --------\nFrom: ${formatAddresses(msg.from)}\nDate: ${formatDate(msg.date, true)}\nSubject: ${msg.subject || ''}\nTo: ${formatAddresses(msg.to)}\n\n`;
    pending = { to: [], cc: [], subject: composePrefix('Fwd: ', msg.subject), text: header + (msg.text || ''), forward: { folder: msg.folder, uid: msg.uid } };
  } else {
    const replyTo = addressList(msg.reply_to);
    const to = (replyTo.length ? replyTo : addressList(msg.from)).map(formatAddress);
    let cc = [];
    if (kind === 'reply-all') {
      const seen = new Set(to.map((a) => a.toLowerCase()));
      cc = [...addressList(msg.to), ...addressList(msg.cc)].filter((a) => {
        const k = a.email.toLowerCase();
        if (k === me || seen.has(k)) return false;
        seen.add(k);
        return true;
      }).map(formatAddress);
    }
    pending = { to, cc, subject: composePrefix('Re: ', msg.subject), text: composeQuote(msg), in_reply_to: msg.message_id || '', references: refs };
  }
  location.hash = '#/compose';
}

// composeSplit - "a@x, Bob <b@y>" into ["a@x", "Bob <b@y>"] (commas inside quotes kept)
function composeSplit(value) {
  const out = [];
  let cur = '';
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

// composeAutocomplete - a recipient input with suggestions from the address book
function composeAutocomplete(id, value) {
  const input = h('input', { id, type: 'text', value: value.join(', '), autocomplete: 'off', 'aria-autocomplete': 'list', 'aria-controls': `${id}-suggest`, 'aria-expanded': 'false' });
  const list = h('ul', { id: `${id}-suggest`, class: 'suggest', role: 'listbox', hidden: true });
  let active = -1;
  const close = () => { list.hidden = true; input.setAttribute('aria-expanded', 'false'); active = -1; };
  const choose = (m) => {
    const parts = composeSplit(input.value);
    parts.pop();
    parts.push(m.name ? `${m.name} <${m.email}>` : m.email);
    input.value = `${parts.join(', ')}, `;
    close();
    input.focus();
  };
  const mark = () => [...list.children].forEach((li, i) => li.setAttribute('aria-selected', String(i === active)));
  input.addEventListener('input', async () => {
    const last = input.value.split(',').pop().trim();
    if (last.length < 1) { close(); return; }
    let matches = [];
    try {
      matches = (await api.get(`/api/contacts/autocomplete${apiQuery({ q: last })}`)).matches || [];
    } catch (e) {
      matches = [];
    }
    clear(list, matches.map((m) => h('li', { role: 'option', onmousedown: (ev) => { ev.preventDefault(); choose(m); } }, formatAddress(m))));
    list.hidden = !matches.length;
    input.setAttribute('aria-expanded', String(!!matches.length));
    active = -1;
    list.matches = matches;
  });
  input.addEventListener('keydown', (ev) => {
    if (list.hidden) return;
    const n = list.children.length;
    if (ev.key === 'ArrowDown') { active = (active + 1) % n; mark(); ev.preventDefault(); }
    else if (ev.key === 'ArrowUp') { active = (active - 1 + n) % n; mark(); ev.preventDefault(); }
    else if (ev.key === 'Enter' && active >= 0) { choose(list.matches[active]); ev.preventDefault(); }
    else if (ev.key === 'Escape') close();
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
  return { input, wrap: h('div', { class: 'autocomplete' }, input, list) };
}

// composeUploads - the attachment picker: each file is sent to POST /api/uploads at once
function composeUploads(state) {
  const listEl = h('ul', { class: 'uploads', id: 'upload-list' });
  const render = () => clear(listEl, state.uploads.map((u, i) => h('li', {}, `${u.filename} (${u.size} bytes) `,
    h('button', { type: 'button', 'aria-label': `Remove ${u.filename}`, onclick: () => { state.uploads.splice(i, 1); render(); } }, '✕'))));
  const input = h('input', { type: 'file', id: 'compose-files', multiple: true });
  input.addEventListener('change', async () => {
    for (const file of input.files) {
      const form = new FormData();
      form.append('file', file, file.name);
      try {
        state.uploads.push(await api.post('/api/uploads', form));
        render();
      } catch (e) {
        toast(`${file.name} was not attached: ${e.message}`, 'error');
      }
    }
    input.value = '';
  });
  return h('div', {}, field('Attach files', input), listEl);
}

// composeCollect - the compose object of docs/WEBMAIL-API.md from the form
function composeCollect(f, state, identities) {
  const ident = identities[Number(f.from.value)] || identities[0] || {};
  return {
    identity: ident.id || 0, from: ident.email || '',
    to: composeSplit(f.to.value), cc: composeSplit(f.cc.value), bcc: composeSplit(f.bcc.value),
    subject: f.subject.value, text: f.body.value, html: '',
    in_reply_to: state.in_reply_to || '', references: state.references || '',
    attachments: state.uploads.map((u) => u.upload),
    ...(state.forward ? { forward: state.forward } : {}),
  };
}

// composeSend - POST /api/send; back to the mail page when queued
async function composeSend(f, state, identities) {
  const msg = composeCollect(f, state, identities);
  if (!msg.to.length && !msg.cc.length && !msg.bcc.length) {
    toast('Add at least one recipient.', 'error');
    f.to.focus();
    return;
  }
  try {
    await api.post('/api/send', msg);
    toast('Message sent');
    location.hash = '#/mail';
  } catch (e) {
    toast(`Not sent: ${e.message}`, 'error');
  }
}

// composeSaveDraft - POST /api/drafts, replacing the draft saved before
async function composeSaveDraft(f, state, identities) {
  try {
    const r = await api.post('/api/drafts', { ...composeCollect(f, state, identities), ...(state.draftUid ? { replace_uid: state.draftUid } : {}) });
    state.draftUid = r.uid;
    toast('Draft saved');
  } catch (e) {
    toast(`Draft not saved: ${e.message}`, 'error');
  }
}

// composeShow - the compose page (#/compose?to=...)
export async function composeShow(main, params) {
  const route = session.route;
  const state = { uploads: [], ...(pending || {}) };
  pending = null;
  if (params.get('to')) state.to = [params.get('to')];
  const identities = (await api.get('/api/identities').catch(() => ({ identities: [] }))).identities || [];
  if (!sessionRouteIsCurrent(route)) return;
  if (!identities.length) identities.push({ id: 0, name: '', email: session.account.address, signature: '' });
  const fromSel = h('select', { id: 'compose-from', name: 'from' },
    identities.map((i, n) => h('option', { value: String(n) }, i.name ? `${i.name} <${i.email}>` : i.email)));
  const to = composeAutocomplete('compose-to', state.to || []);
  const cc = composeAutocomplete('compose-cc', state.cc || []);
  const bcc = composeAutocomplete('compose-bcc', []);
  const subject = h('input', { id: 'compose-subject', type: 'text', value: state.subject || '' });
  const body = h('textarea', { id: 'compose-body', rows: 16 });
  // the chosen identity's signature goes below where one writes, above any quoted or
  // forwarded text, after the "-- " line (RFC 3676 4.3); changing From swaps it
  let sigBlock = null;
  const setSig = () => {
    const sig = ((identities[Number(fromSel.value)] || {}).signature || '').replace(/\r\n/g, '\n');
    const next = sig ? `\n\n-- \n${sig.replace(/\n+$/, '')}\n` : '';
    const at = sigBlock ? body.value.indexOf(sigBlock) : -1;
    if (sigBlock === null) body.value = next + (state.text || '');
    else if (at >= 0) body.value = body.value.slice(0, at) + next + body.value.slice(at + sigBlock.length);
    else if (next) body.value = body.value.replace(/\s*$/, '') + next;
    sigBlock = next;
  };
  fromSel.addEventListener('change', setSig);
  setSig();
  const form = h('form', { class: 'compose', id: 'compose-form', 'aria-label': 'Compose message' },
    h('h2', {}, state.forward ? 'Forward' : state.in_reply_to ? 'Reply' : 'New message'),
    field('From', fromSel), field('To', to.wrap), field('Cc', cc.wrap), field('Bcc', bcc.wrap),
    field('Subject', subject), field('Message', body),
    composeUploads(state),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'primary', id: 'compose-send' }, 'Send'),
      h('button', { type: 'button', id: 'compose-draft', onclick: () => composeSaveDraft(f, state, identities) }, 'Save draft'),
      h('a', { href: '#/mail', class: 'button' }, 'Cancel')));
  const f = { from: fromSel, to: to.input, cc: cc.input, bcc: bcc.input, subject, body };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); composeSend(f, state, identities); });
  clear(main, h('div', { class: 'page' }, form));
  (state.to && state.to.length ? body : to.input).focus();
  if (state.in_reply_to) body.setSelectionRange(0, 0);
}
