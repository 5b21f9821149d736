// reader.js - the reading pane: headers, the body (sandboxed HTML or linkified text),
// attachments, raw source, and the actions on one message.
import { api } from './api.js';
import { h, clear, linkify, addressList, formatDate, formatSize, formatAddresses, toast } from './dom.js';

// readerLoad - GET /api/folders/{id}/messages/{uid}
export async function readerLoad(folderId, uid) {
  return api.get(`/api/folders/${folderId}/messages/${uid}`);
}

// readerBodyUrl - the sanitized HTML body; remote images only when asked for
function readerBodyUrl(msg, images) {
  return `/api/folders/${msg.folder}/messages/${msg.uid}/body?images=${images ? 1 : 0}`;
}

// readerFrame - the HTML body in an iframe that may open links but never run scripts
// and never share the webmail's origin (docs/WEBMAIL-API.md, "HTML mail")
function readerFrame(msg, images) {
  return h('iframe', {
    class: 'body-frame', id: 'body-frame', title: 'Message body',
    sandbox: 'allow-popups allow-popups-to-escape-sandbox',
    referrerpolicy: 'no-referrer', src: readerBodyUrl(msg, images),
    onload: (ev) => { ev.target.dataset.loaded = '1'; },
  });
}

// readerBody - HTML in the sandbox (with the remote images button) or escaped, linkified text
function readerBody(msg) {
  if (!msg.has_html) {
    return h('div', { class: 'body-text', id: 'body-text' }, linkify(msg.text || ''));
  }
  const holder = h('div', { class: 'body-html' });
  const frame = readerFrame(msg, false);
  if (msg.remote_images) {
    const bar = h('div', { class: 'notice', id: 'remote-images-bar' },
      'Remote images are blocked to protect your privacy. ',
      h('button', {
        type: 'button', id: 'show-images',
        onclick: () => { frame.src = readerBodyUrl(msg, true); bar.remove(); },
      }, 'Show remote images'));
    holder.append(bar);
  }
  holder.append(frame);
  return holder;
}

// readerAttachments - name, type and size of each part, with a download link
function readerAttachments(msg) {
  if (!msg.attachments || !msg.attachments.length) return null;
  return h('section', { class: 'attachments', 'aria-label': 'Attachments' },
    h('h3', {}, `Attachments (${msg.attachments.length})`),
    h('ul', {}, msg.attachments.map((a) => h('li', {},
      h('a', {
        href: `/api/folders/${msg.folder}/messages/${msg.uid}/parts/${encodeURIComponent(a.part).replace(/%2E/g, '.')}`,
        download: a.filename || `part-${a.part}`, class: 'attachment',
      }, a.filename || `part ${a.part}`),
      h('span', { class: 'meta' }, ` ${a.type}, ${formatSize(a.size)}`)))));
}

// readerHeaders - From, To, Cc, Reply-To, Date
function readerHeaders(msg) {
  const rows = [['From', formatAddresses(msg.from)], ['To', formatAddresses(msg.to)],
    ['Cc', formatAddresses(msg.cc)], ['Reply-To', formatAddresses(msg.reply_to)],
    ['Date', formatDate(msg.date, true)]].filter(([, v]) => v);
  return h('dl', { class: 'headers' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// readerShowSource - replace the body with the stored source, as text
async function readerShowSource(msg, bodyHolder, button) {
  if (button.getAttribute('aria-pressed') === 'true') {
    clear(bodyHolder, readerBody(msg));
    button.setAttribute('aria-pressed', 'false');
    return;
  }
  const text = await api.get(`/api/folders/${msg.folder}/messages/${msg.uid}/raw`);
  clear(bodyHolder,
    h('p', {}, h('a', { href: `/api/folders/${msg.folder}/messages/${msg.uid}/raw?download=1` }, 'Download message.eml')),
    h('pre', { class: 'raw-source', id: 'raw-source', tabindex: '0', 'aria-label': 'Message source' }, String(text)));
  button.setAttribute('aria-pressed', 'true');
}

// readerAddSender - "add sender to contacts": POST /api/contacts with the From address
async function readerAddSender(msg) {
  const sender = addressList(msg.from)[0];
  if (!sender) return;
  try {
    await api.post('/api/contacts', { name: sender.name || '', emails: [sender.email], phone: '', notes: '' });
    toast(`${sender.email} added to your contacts`);
  } catch (e) {
    toast(e.status === 409 ? `${sender.email} is already in your contacts` : `Could not add: ${e.message}`,
      e.status === 409 ? 'info' : 'error');
  }
}

// readerRender - the whole pane; actions: {reply, replyAll, forward, remove, toggleSeen, toggleFlag, moveTo}
export function readerRender(pane, msg, folder, moveSelect, actions) {
  const bodyHolder = h('div', { class: 'body' }, readerBody(msg));
  const source = h('button', { type: 'button', id: 'show-source', 'aria-pressed': 'false', onclick: (ev) => readerShowSource(msg, bodyHolder, ev.currentTarget) }, 'Source');
  const rights = folder ? folder.rights : '';
  const can = (r) => rights.includes(r);
  clear(pane,
    h('div', { class: 'reader-actions', role: 'toolbar', 'aria-label': 'Message actions' },
      h('a', { href: '#/mail/' + msg.folder, class: 'button only-narrow', id: 'back-to-list' }, '‹ Back'),
      h('button', { type: 'button', id: 'reply', onclick: actions.reply }, 'Reply'),
      h('button', { type: 'button', id: 'reply-all', onclick: actions.replyAll }, 'Reply all'),
      h('button', { type: 'button', id: 'forward', onclick: actions.forward }, 'Forward'),
      can('t') ? h('button', { type: 'button', id: 'delete-message', onclick: actions.remove }, 'Delete') : null,
      can('s') ? h('button', { type: 'button', id: 'toggle-seen', onclick: actions.toggleSeen }, msg.flags.seen ? 'Mark unread' : 'Mark read') : null,
      can('w') ? h('button', { type: 'button', id: 'toggle-flag', 'aria-pressed': String(msg.flags.flagged), onclick: actions.toggleFlag }, msg.flags.flagged ? 'Unflag' : 'Flag') : null,
      moveSelect,
      source,
      h('button', { type: 'button', id: 'add-sender', onclick: () => readerAddSender(msg) }, 'Add sender to contacts')),
    h('h2', { class: 'subject', id: 'message-subject', tabindex: '-1' }, msg.subject || '(no subject)'),
    readerHeaders(msg),
    readerAttachments(msg),
    bodyHolder);
}
