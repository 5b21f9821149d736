// mail.js - the mail page: folder pane, message list and reading pane, and the actions
// that tie them together (open, mark, flag, move, delete, reply, search, live refresh).
import { api, apiQuery } from './api.js';
import { h, clear, toast } from './dom.js';
import { foldersLoad, foldersRender, foldersLabel, foldersManage } from './folders.js';
import { maillistLoad, maillistRender, maillistRenderResults } from './maillist.js';
import { readerLoad, readerRender } from './reader.js';
import { composeStartFrom } from './compose.js';
import { sessionRouteIsCurrent } from './session.js';

const view = { folderId: null, uid: null, offset: 0, sort: 'date', order: 'desc', threads: false, selected: new Set(), folders: [] };
let panes = null;

// mailLayout - the three panes, made once and kept while the user stays on mail pages
function mailLayout(main) {
  if (panes && main.contains(panes.root)) return panes;
  const folders = h('nav', { class: 'pane folders-pane', id: 'folder-pane', 'aria-label': 'Folders' });
  const list = h('section', { class: 'pane list-pane', id: 'list-pane', 'aria-label': 'Message list' });
  const reader = h('article', { class: 'pane reader-pane', id: 'reader-pane', 'aria-label': 'Message' });
  const root = h('div', { class: 'mail-layout' }, folders, list, reader);
  clear(main, root);
  panes = { root, folders, list, reader };
  return panes;
}

// mailFolder - the folder object of an id among the loaded ones
function mailFolder(id) {
  return view.folders.find((f) => f.id === id) || null;
}

// mailMoveSelect - a labelled "Move to" select over the folders we may insert into
function mailMoveSelect(id, onMove) {
  const sel = h('select', { id, 'aria-label': 'Move to folder', onchange: (ev) => ev.target.value && onMove(Number(ev.target.value)) },
    h('option', { value: '' }, 'Move to…'),
    view.folders.filter((f) => f.id !== view.folderId && f.rights.includes('i'))
      .map((f) => h('option', { value: String(f.id) }, foldersLabel(f))));
  return sel;
}

// mailChange - run one change on uids of the open folder, then refresh
async function mailChange(kind, uids, arg) {
  if (!uids.length) {
    toast('Select messages first.');
    return;
  }
  const base = `/api/folders/${view.folderId}/messages`;
  try {
    if (kind === 'delete') await api.post(`${base}/delete`, { uids });
    else if (kind === 'move') await api.post(`${base}/move`, { uids, to: arg });
    else await api.patch(base, { uids, ...arg });
  } catch (e) {
    toast(`That did not work: ${e.message}`, 'error');
  }
  view.selected.clear();
  if ((kind === 'delete' || kind === 'move') && uids.includes(view.uid)) {
    location.hash = `#/mail/${view.folderId}`;
    return;
  }
  await mailRefresh();
}

// mailListActions - the bar above the list acting on the selected messages
function mailListActions() {
  const sel = () => [...view.selected];
  const folder = mailFolder(view.folderId);
  const own = folder && !folder.shared && folder.name !== 'INBOX';
  const can = (r) => !!folder && folder.rights.includes(r);      // RFC 4314 2.1 rights
  return h('div', { class: 'list-actions', role: 'toolbar', 'aria-label': 'Selected messages' },
    h('h2', { class: 'folder-title' }, folder ? foldersLabel(folder) : ''),
    can('s') ? h('button', { type: 'button', id: 'mark-read', onclick: () => mailChange('flags', sel(), { seen: true }) }, 'Mark read') : null,
    can('s') ? h('button', { type: 'button', id: 'mark-unread', onclick: () => mailChange('flags', sel(), { seen: false }) }, 'Mark unread') : null,
    can('w') ? h('button', { type: 'button', id: 'flag-selected', onclick: () => mailChange('flags', sel(), { flagged: true }) }, 'Flag') : null,
    can('t') ? h('button', { type: 'button', id: 'delete-selected', onclick: () => mailChange('delete', sel()) }, 'Delete') : null,
    can('t') ? mailMoveSelect('move-selected', (to) => mailChange('move', sel(), to)) : null,
    own ? h('button', { type: 'button', onclick: () => foldersManage(folder, 'rename', mailRefresh) }, 'Rename folder') : null,
    own ? h('button', { type: 'button', onclick: () => foldersManage(folder, 'delete', mailRefresh) }, 'Delete folder') : null);
}

// mailOpen - load one message into the reading pane and mark it read
async function mailOpen(uid) {
  const folder = mailFolder(view.folderId);
  let msg;
  try {
    msg = await readerLoad(view.folderId, uid);
  } catch (e) {
    clear(panes.reader, h('p', { class: 'empty' }, `This message cannot be shown: ${e.message}`));
    return;
  }
  const one = [msg.uid];
  const rights = folder ? folder.rights : '';
  const markRead = !msg.flags.seen && rights.includes('s');
  if (markRead) {
    await api.patch(`/api/folders/${view.folderId}/messages`, { uids: one, seen: true })
      .then(() => { msg.flags.seen = true; }, () => null);
  }
  const move = rights.includes('t') ? mailMoveSelect('move-message', (to) => mailChange('move', one, to)) : null;
  readerRender(panes.reader, msg, folder, move, {
    reply: () => composeStartFrom('reply', msg),
    replyAll: () => composeStartFrom('reply-all', msg),
    forward: () => composeStartFrom('forward', msg),
    remove: () => mailChange('delete', one),
    toggleSeen: () => mailChange('flags', one, { seen: !msg.flags.seen }),
    toggleFlag: () => mailChange('flags', one, { flagged: !msg.flags.flagged }),
  });
  document.body.classList.add('reading');
  if (markRead) await mailRefreshLists();
}

// mailRefreshLists - folders and the open folder's list, keeping the reading pane
async function mailRefreshLists() {
  if (!panes || !document.body.contains(panes.root)) return;
  view.folders = await foldersLoad();
  foldersRender(panes.folders, view.folders, view.folderId, mailRefresh);
  if (view.folderId === null) return;
  let data;
  try {
    data = await maillistLoad(view.folderId, view);
  } catch (e) {
    clear(panes.list, h('p', { class: 'error', role: 'alert' }, `The messages cannot be listed: ${e.message}`));
    return;
  }
  maillistRender(panes.list, data, view.folderId, view, view.uid, mailSetView, mailListActions());
}

// mailSetView - change sort, order or page of the list
function mailSetView(changes) {
  Object.assign(view, changes);
  mailRefreshLists();
}

// mailRefresh - after a change or a live event: reload what is on screen
export async function mailRefresh() {
  try {
    await mailRefreshLists();
  } catch (e) {
    toast(`Could not refresh: ${e.message}`, 'error');
  }
}

// mailShow - the mail page for #/mail[/folder[/uid]]
export async function mailShow(main, session, folderId, uid) {
  const route = session.route;
  mailLayout(main);
  if (!view.folders.length || folderId === null) view.folders = await foldersLoad();
  if (!sessionRouteIsCurrent(route)) return;
  if (folderId === null) {
    const inbox = view.folders.find((f) => !f.shared && f.name === 'INBOX') || view.folders[0];
    if (inbox) location.replace(`#/mail/${inbox.id}`);
    return;
  }
  if (folderId !== view.folderId) {
    Object.assign(view, { folderId, offset: 0 });
    view.selected.clear();
  }
  view.uid = uid;
  document.body.classList.toggle('reading', uid !== null);
  if (uid === null) clear(panes.reader, h('p', { class: 'empty' }, 'Select a message to read it.'));
  await mailRefresh();
  if (uid !== null) await mailOpen(uid);
}

// mailSearch - #/search?q=...: a server-side search over every own folder
export async function mailSearch(main, session, params) {
  const route = session.route;
  const p = mailLayout(main);
  view.folderId = null;
  view.folders = await foldersLoad();
  if (!sessionRouteIsCurrent(route)) return;
  foldersRender(p.folders, view.folders, null, mailRefresh);
  clear(p.reader, h('p', { class: 'empty' }, 'Select a message to read it.'));
  const q = params.get('q') || '';
  document.getElementById('search-input').value = q;
  try {
    const data = await api.get(`/api/search${apiQuery({ q, limit: 100 })}`);
    if (!sessionRouteIsCurrent(route)) return;
    maillistRenderResults(p.list, data.results || [], q, view);
  } catch (e) {
    clear(p.list, h('p', { class: 'error' }, `The search failed: ${e.message}`));
  }
}
