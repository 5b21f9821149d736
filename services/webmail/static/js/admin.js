// admin.js - the control panel for admin accounts: domains, users, aliases, shares, queue
// (the operations of `merpati`, through /api/admin/).
import { api, apiQuery } from './api.js';
import { h, clear, field, toast, formatDate, formatSize } from './dom.js';

const PAGE = 100; // rows a page asks for (the server's default; it caps at 1000)

// adminQuota - "quota" for the API: empty is unlimited, else bytes or a size such as 500M
function adminQuota(text) {
  const t = String(text ?? '').trim();
  if (!t) return 0;
  return /^[0-9]+$/.test(t) ? Number(t) : t;
}

// adminDeleteDomain - like `merpati domain remove`: refused while it has users, unless forced
async function adminDeleteDomain(r) {
  try {
    return await api.del(`/api/admin/domains/${r.id}`);
  } catch (e) {
    if (e.code !== 'not_empty') throw e;
    if (!confirm(`${r.name} still has ${r.users} user(s). Delete them and all their mail too?`)) return null;
    return api.del(`/api/admin/domains/${r.id}${apiQuery({ force: 1 })}`);
  }
}

// Each section: how to list a page, its columns, the create form's fields, and the row actions.
const SECTIONS = {
  domains: {
    title: 'Domains', list: (page) => api.get(`/api/admin/domains${apiQuery(page)}`).then((d) => d.domains),
    cols: [['Domain', (r) => r.name], ['Users', (r) => r.users]],
    create: [['name', 'Domain name', 'text']], post: (v) => api.post('/api/admin/domains', v),
    actions: (r) => [['Delete', () => adminDeleteDomain(r)]],
  },
  users: {
    title: 'Users', find: 'Find users (part of an address)', list: (page) => api.get(`/api/admin/users${apiQuery(page)}`).then((d) => d.users),
    cols: [['Address', (r) => r.address], ['Quota', (r) => (r.quota ? formatSize(r.quota) : 'unlimited')],
      ['Used', (r) => formatSize(r.used)], ['Enabled', (r) => (r.enabled ? 'yes' : 'no')]],
    create: [['address', 'Address', 'email'], ['password', 'Password', 'password'], ['quota', 'Quota (e.g. 500M or 1G; empty = unlimited)', 'text']],
    post: (v) => api.post('/api/admin/users', { ...v, quota: adminQuota(v.quota) }),
    actions: (r) => [
      ['Reset password', () => { const p = prompt(`New password for ${r.address}:`); return p ? api.patch(`/api/admin/users/${r.id}`, { password: p }) : null; }],
      ['Set quota', () => { const q = prompt(`Quota for ${r.address} (e.g. 500M or 1G; empty = unlimited):`, r.quota ? String(r.quota) : ''); return q === null ? null : api.patch(`/api/admin/users/${r.id}`, { quota: adminQuota(q) }); }],
      [r.enabled ? 'Disable' : 'Enable', () => api.patch(`/api/admin/users/${r.id}`, { enabled: !r.enabled })],
      ['Delete', () => api.del(`/api/admin/users/${r.id}`)]],
  },
  aliases: {
    title: 'Aliases', find: 'Find aliases (part of an alias or a target)', list: (page) => api.get(`/api/admin/aliases${apiQuery(page)}`).then((d) => d.aliases),
    cols: [['Address', (r) => r.source], ['Delivers to', (r) => r.target]],
    create: [['source', 'Alias address (or @domain for a catch-all)', 'text'], ['target', 'Delivers to', 'text']],
    post: (v) => api.post('/api/admin/aliases', v),
    actions: (r) => [['Delete', () => api.del(`/api/admin/aliases/${r.id}`)]],
  },
  shares: {
    title: 'Shared mailboxes', list: (page) => api.get(`/api/admin/shares${apiQuery(page)}`).then((d) => d.shares),
    cols: [['Owner', (r) => r.owner], ['Mailbox', (r) => r.name], ['Shared with', (r) => r.grantee], ['Rights', (r) => r.rights]],
    create: [['owner', 'Owner address', 'email'], ['mailbox', 'Mailbox', 'text'], ['grantee', 'Share with', 'email'], ['rights', 'Rights (e.g. lrs to read, lrswipte to manage)', 'text']],
    post: (v) => api.post('/api/admin/shares', v),
    actions: (r) => [['Remove', () => api.del('/api/admin/shares', { owner: r.owner, mailbox: r.name, grantee: r.grantee })]],
  },
  queue: {
    title: 'Queue',
    // one page of each queue, inbound first
    list: async (page) => [...(await api.get(`/api/admin/queue${apiQuery({ which: 'in', ...page })}`)).jobs,
      ...(await api.get(`/api/admin/queue${apiQuery({ which: 'out', ...page })}`)).jobs],
    cols: [['Queue', (r) => `${r.which}:${r.id}`], ['Sender', (r) => r.sender || '<>'],
      ['Recipients', (r) => (r.recipients || []).join(', ') + (r.recipient_count > 1 ? ` (+${r.recipient_count - 1} more)` : '')],
      ['Attempts', (r) => r.attempts], ['Next attempt', (r) => (r.held ? 'held' : formatDate(r.next_attempt, true))], ['Last error', (r) => r.last_error]],
    create: null,
    actions: (r) => [['Retry now', () => api.post(`/api/admin/queue/${r.which}/${r.id}/retry`, {})],
      ['Delete', () => api.del(`/api/admin/queue/${r.which}/${r.id}`)]],
  },
};

// adminCreateForm - the "add" form of a section
function adminCreateForm(sec, reload) {
  const inputs = sec.create.map(([name, label, type]) => [name, label, h('input', { type, id: `admin-${name}`, name })]);
  const form = h('form', { class: 'card admin-create', 'aria-label': `Add to ${sec.title}` },
    inputs.map(([, label, input]) => field(label, input)),
    h('button', { type: 'submit', class: 'primary' }, 'Add'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await sec.post(Object.fromEntries(inputs.map(([name, , input]) => [name, input.value.trim()])));
      form.reset();
      toast('Added');
      reload();
    } catch (e) {
      toast(`Not added: ${e.message}`, 'error');
    }
  });
  return form;
}

// adminRow - one row with its action buttons
function adminRow(sec, r, reload) {
  const what = String(sec.cols[0][1](r));
  return h('tr', {}, sec.cols.map(([, get]) => h('td', {}, String(get(r) ?? ''))),
    h('td', {}, sec.actions(r).map(([label, run]) => h('button', {
      type: 'button', 'aria-label': `${label}: ${what}`,
      onclick: async () => {
        if (label === 'Delete' && !confirm(`Delete ${what}?`)) return;
        try {
          if (await run() !== null) toast(`${label}: done`);
        } catch (e) {
          toast(`${label} failed: ${e.message}`, 'error');
        }
        reload();
      },
    }, label))));
}

// adminFind - the search box of a long listing: the server keeps rows containing the text
function adminFind(sec, state, reload) {
  const input = h('input', { type: 'search', id: 'admin-find', maxlength: 254 });
  const form = h('form', { class: 'admin-find', role: 'search', 'aria-label': sec.find },
    field(sec.find, input), h('button', { type: 'submit' }, 'Find'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    Object.assign(state, { q: input.value.trim(), offset: 0 });
    reload();
  });
  return form;
}

// adminPager - "Previous" / "Next" buttons over pages of PAGE rows
function adminPager(state, reload) {
  const prev = h('button', { type: 'button', onclick: () => { state.offset = Math.max(0, state.offset - PAGE); reload(); } }, 'Previous page');
  const next = h('button', { type: 'button', onclick: () => { state.offset += PAGE; reload(); } }, 'Next page');
  const nav = h('nav', { class: 'list-actions', 'aria-label': 'Pages' }, prev, next);
  return { nav, update: (rows) => { prev.disabled = state.offset === 0; next.disabled = rows < PAGE; } };
}

// adminShow - #/admin/<section>
export async function adminShow(main, session, name) {
  if (!session.account.admin) {
    clear(main, h('div', { class: 'page' }, h('p', { class: 'error' }, 'Administration is for administrators.')));
    return;
  }
  const sec = SECTIONS[name] || SECTIONS.domains;
  const body = h('tbody', {});
  const state = { offset: 0, q: '' };
  let pager = null;
  let latest = 0; // the newest listing asked for: an older answer arriving late is dropped
  const reload = async () => {
    const mine = ++latest;
    const rows = (await sec.list({ limit: PAGE, offset: state.offset, q: state.q }).catch((e) => { toast(e.message, 'error'); return []; })) || [];
    if (mine !== latest) return;
    clear(body, rows.map((r) => adminRow(sec, r, reload)));
    pager.update(name === 'queue' ? Math.max(...['in', 'out'].map((w) => rows.filter((r) => r.which === w).length)) : rows.length);
  };
  pager = adminPager(state, reload);
  clear(main, h('div', { class: 'page' },
    h('h2', {}, `Administration: ${sec.title}`),
    h('nav', { class: 'tabs', 'aria-label': 'Administration sections' }, Object.entries(SECTIONS).map(([key, s]) =>
      h('a', { href: `#/admin/${key}`, 'aria-current': s === sec ? 'page' : false }, s.title))),
    sec.create ? adminCreateForm(sec, reload) : null,
    sec.find ? adminFind(sec, state, reload) : null,
    h('table', { class: 'grid' }, h('caption', { class: 'visually-hidden' }, sec.title),
      h('thead', {}, h('tr', {}, sec.cols.map(([t]) => h('th', { scope: 'col' }, t)), h('th', { scope: 'col' }, 'Actions'))),
      body),
    pager.nav));
  await reload();
}
