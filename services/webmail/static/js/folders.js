// folders.js - the folder pane: own folders with unread counts, then mailboxes shared with us.
import { api } from './api.js';
import { h, clear, toast } from './dom.js';

const SPECIAL_ORDER = ['\\Inbox', '\\Drafts', '\\Sent', '\\Junk', '\\Trash', '\\Archive'];

// foldersLoad - GET /api/folders
export async function foldersLoad() {
  return (await api.get('/api/folders')).folders || [];
}

// foldersLabel - what the user sees for a folder ("INBOX" reads "Inbox")
export function foldersLabel(f) {
  const name = f.name === 'INBOX' ? 'Inbox' : f.name;
  return f.shared ? `${name} (${f.owner})` : name;
}

// foldersFind - the folder with that special-use ("\\Sent", "\\Trash", ...) among own ones
export function foldersFind(folders, specialUse) {
  return folders.find((f) => !f.shared && f.special_use === specialUse) || null;
}

// foldersSorted - special folders first in their usual order, then the rest by name
function foldersSorted(list) {
  const rank = (f) => {
    const i = SPECIAL_ORDER.indexOf(f.name === 'INBOX' ? '\\Inbox' : f.special_use);
    return i < 0 ? SPECIAL_ORDER.length : i;
  };
  return [...list].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

// foldersItem - one folder link with its unread count
function foldersItem(f, currentId) {
  const unseen = f.unseen > 0 ? h('span', { class: 'count', 'aria-label': `${f.unseen} unread` }, String(f.unseen)) : null;
  return h('li', {},
    h('a', {
      href: `#/mail/${f.id}`, class: `folder${f.unseen > 0 ? ' unread' : ''}`,
      'aria-current': f.id === currentId ? 'page' : false, dataset: { folder: String(f.id) },
      onclick: () => document.body.classList.remove('folders-open'),   // phones: close the overlay
    }, h('span', { class: 'name' }, foldersLabel(f)), unseen));
}

// foldersCreate - ask for a name and POST /api/folders
async function foldersCreate(onChanged) {
  const name = prompt('Name of the new folder (use / for subfolders):');
  if (!name) return;
  try {
    await api.post('/api/folders', { name });
    toast(`Folder ${name} created`);
    onChanged();
  } catch (e) {
    toast(`Could not create the folder: ${e.message}`, 'error');
  }
}

// foldersRender - fill the pane: own folders, shared ones, and the folder actions
export function foldersRender(pane, folders, currentId, onChanged) {
  const own = foldersSorted(folders.filter((f) => !f.shared));
  const shared = folders.filter((f) => f.shared);
  clear(pane,
    h('h2', { class: 'visually-hidden' }, 'Folders'),
    h('a', { href: '#/compose', class: 'button primary compose-button' }, 'Compose'),
    h('ul', { class: 'folders', 'aria-label': 'Your folders' }, own.map((f) => foldersItem(f, currentId))),
    shared.length ? h('h3', { class: 'pane-heading' }, 'Shared with you') : null,
    shared.length ? h('ul', { class: 'folders shared', 'aria-label': 'Shared mailboxes' },
      shared.map((f) => foldersItem(f, currentId))) : null,
    h('div', { class: 'folder-actions' },
      h('button', { type: 'button', onclick: () => foldersCreate(onChanged) }, 'New folder')));
}

// foldersManage - rename or delete the open folder (own folders other than INBOX)
export async function foldersManage(folder, action, onChanged) {
  try {
    if (action === 'rename') {
      const name = prompt('New name of the folder:', folder.name);
      if (!name || name === folder.name) return;
      await api.patch(`/api/folders/${folder.id}`, { name });
      toast('Folder renamed');
    } else {
      if (!confirm(`Delete the folder ${folder.name} and every message in it?`)) return;
      await api.del(`/api/folders/${folder.id}`);
      toast('Folder deleted');
      location.hash = '#/mail';
    }
    onChanged();
  } catch (e) {
    toast(`Could not change the folder: ${e.message}`, 'error');
  }
}
