// maillist.js - the message list: paging, sorting, selection, unread and flag markers.
import { api, apiQuery } from './api.js';
import { h, clear, formatDate, formatSize, formatAddresses } from './dom.js';

export const PAGE_SIZE = 50;
const SORTS = [['date', 'Date'], ['arrival', 'Arrival'], ['from', 'From'], ['subject', 'Subject'], ['size', 'Size']];

// maillistLoad - one page of a folder: GET /api/folders/{id}/messages
export async function maillistLoad(folderId, view) {
  return api.get(`/api/folders/${folderId}/messages${apiQuery({
    offset: view.offset, limit: PAGE_SIZE, sort: view.sort, order: view.order,
    threads: view.threads ? 1 : 0,
  })}`);
}

// maillistRow - one message: checkbox, markers, sender, subject (the link), date, size
function maillistRow(m, folderId, view, openUid, showFolder, inThread = '') {
  const fid = showFolder ? m.folder : folderId;
  const who = formatAddresses(m.from) || '(no sender)';
  const box = h('input', {
    type: 'checkbox', class: 'select', checked: view.selected.has(m.uid),
    'aria-label': `Select the message from ${who}: ${m.subject || '(no subject)'}`,
    onchange: (ev) => (ev.target.checked ? view.selected.add(m.uid) : view.selected.delete(m.uid)),
  });
  const markers = h('span', { class: 'markers' },
    m.flags.seen ? null : h('span', { class: 'marker unread-dot', title: 'Unread', 'aria-label': 'Unread' }, '●'),
    m.flags.flagged ? h('span', { class: 'marker flag', title: 'Flagged', 'aria-label': 'Flagged' }, '⚑') : null,
    m.flags.answered ? h('span', { class: 'marker answered', title: 'Answered', 'aria-label': 'Answered' }, '↩') : null,
    m.has_attachments ? h('span', { class: 'marker clip', title: 'Has attachments', 'aria-label': 'Has attachments' }, '⊕') : null);
  return h('li', {
    class: `msg${m.flags.seen ? '' : ' unread'}${m.flags.flagged ? ' flagged' : ''}${m.uid === openUid ? ' open' : ''}${inThread}`,
    dataset: { uid: String(m.uid), thread: String(m.thread) },
  }, showFolder ? null : box, markers,
  h('a', { href: `#/mail/${fid}/${m.uid}`, class: 'msg-link' },
    h('span', { class: 'from' }, who),
    h('span', { class: 'subject' }, m.subject || '(no subject)'),
    h('span', { class: 'date' }, formatDate(m.date)),
    h('span', { class: 'size' }, formatSize(m.size))));
}

// maillistToolbar - sort and order, page position, previous/next page
function maillistToolbar(data, view, onView) {
  const sort = h('select', { id: 'sort-select', onchange: (ev) => onView({ sort: ev.target.value, offset: 0 }) },
    SORTS.map(([v, t]) => h('option', { value: v, selected: v === view.sort }, t)));
  const first = data.total ? data.offset + 1 : 0;
  const last = Math.min(data.offset + data.messages.length, data.total);
  return h('div', { class: 'list-toolbar' },
    h('label', { for: 'sort-select' }, 'Sort by'), sort,
    h('label', { class: 'threads-toggle' },
      h('input', { type: 'checkbox', id: 'threads-toggle', checked: !!view.threads, onchange: (ev) => onView({ threads: ev.target.checked, offset: 0 }) }),
      ' Threads'),
    h('button', {
      type: 'button', id: 'order-toggle', 'aria-label': view.order === 'desc' ? 'Newest first; show oldest first' : 'Oldest first; show newest first',
      onclick: () => onView({ order: view.order === 'desc' ? 'asc' : 'desc', offset: 0 }),
    }, view.order === 'desc' ? '↓' : '↑'),
    h('span', { class: 'position', 'aria-live': 'polite' }, `${first}–${last} of ${data.total}`),
    h('button', { type: 'button', id: 'page-prev', disabled: data.offset === 0, onclick: () => onView({ offset: Math.max(0, data.offset - PAGE_SIZE) }) }, '‹ Previous'),
    h('button', { type: 'button', id: 'page-next', disabled: last >= data.total, onclick: () => onView({ offset: data.offset + PAGE_SIZE }) }, 'Next ›'));
}

// maillistThreads - the page's messages grouped by thread (in the order each thread first
// appears), the root first and its replies after it, marked for indenting
function maillistThreads(messages) {
  const groups = new Map();
  for (const m of messages) {
    if (!groups.has(m.thread)) groups.set(m.thread, []);
    groups.get(m.thread).push(m);
  }
  const out = [];
  for (const [root, list] of groups) {
    const first = list.find((m) => m.uid === root) || list[0];
    out.push([first, list.length > 1 ? ' thread-root' : '']);
    for (const m of list) if (m !== first) out.push([m, ' thread-reply']);
  }
  return out;
}

// maillistRender - the list pane for one page of data (grouped by thread with view.threads)
export function maillistRender(pane, data, folderId, view, openUid, onView, actions) {
  const rows = view.threads
    ? maillistThreads(data.messages).map(([m, cls]) => maillistRow(m, folderId, view, openUid, false, cls))
    : data.messages.map((m) => maillistRow(m, folderId, view, openUid, false));
  clear(pane,
    h('h2', { class: 'visually-hidden' }, 'Messages'),
    actions,
    maillistToolbar(data, view, onView),
    rows.length ? h('ul', { class: 'messages', id: 'message-list', 'aria-label': 'Messages' }, rows)
      : h('p', { class: 'empty' }, 'No messages in this folder.'));
}

// maillistRenderResults - search results: each row links to the message in its folder
export function maillistRenderResults(pane, results, query, view) {
  const rows = results.map((m) => maillistRow(m, m.folder, view, null, true));
  clear(pane,
    h('h2', {}, `Search results for “${query}”`),
    h('p', { class: 'position', id: 'search-count' }, `${results.length} found`),
    rows.length ? h('ul', { class: 'messages', id: 'message-list', 'aria-label': 'Search results' }, rows)
      : h('p', { class: 'empty' }, 'Nothing matches.'));
}
