// admin.js - the control panel for admin accounts: domains, users, aliases, shares, queue
// (the operations of `merpati`, through /api/admin/).
import { api, apiQuery } from './api.js';
import { h, clear, field, toast, formatDate, formatSize } from './dom.js';

// Each section: how to list, its columns, the create form's fields, and the row actions.
const SECTIONS = {
  domains: {
    title: 'Domains', list: () => api.get('/api/admin/domains').then((d) => d.domains),
    cols: [['Domain', (r) => r.name], ['Users', (r) => r.users]],
    create: [['name', 'Domain name', 'text']], post: (v) => api.post('/api/admin/domains', v),
    actions: (r) => [['Delete', () => api.del(`/api/admin/domains/${r.id}`)]],
  },
  users: {
    title: 'Users', list: () => api.get('/api/admin/users').then((d) => d.users),
    cols: [['Address', (r) => r.address], ['Quota', (r) => (r.quota ? formatSize(r.quota) : 'none')],
      ['Used', (r) => formatSize(r.used)], ['Enabled', (r) => (r.enabled ? 'yes' : 'no')]],
    create: [['address', 'Address', 'email'], ['password', 'Password', 'password'], ['quota', 'Quota (bytes, 0 = none)', 'number']],
    post: (v) => api.post('/api/admin/users', { ...v, quota: Number(v.quota) || 0 }),
    actions: (r) => [
      ['Reset password', () => { const p = prompt(`New password for ${r.address}:`); return p ? api.patch(`/api/admin/users/${r.id}`, { password: p }) : null; }],
      ['Set quota', () => { const q = prompt(`Quota in bytes for ${r.address} (0 = none):`, String(r.quota)); return q === null ? null : api.patch(`/api/admin/users/${r.id}`, { quota: Number(q) || 0 }); }],
      [r.enabled ? 'Disable' : 'Enable', () => api.patch(`/api/admin/users/${r.id}`, { enabled: !r.enabled })],
      ['Delete', () => api.del(`/api/admin/users/${r.id}`)]],
  },
  aliases: {
    title: 'Aliases', list: () => api.get('/api/admin/aliases').then((d) => d.aliases),
    cols: [['Address', (r) => r.source], ['Delivers to', (r) => r.target]],
    create: [['source', 'Alias address', 'text'], ['target', 'Delivers to', 'text']],
    post: (v) => api.post('/api/admin/aliases', v),
    actions: (r) => [['Delete', () => api.del(`/api/admin/aliases/${r.id}`)]],
  },
  shares: {
    title: 'Shared mailboxes', list: () => api.get('/api/admin/shares').then((d) => d.shares),
    cols: [['Owner', (r) => r.owner], ['Mailbox', (r) => r.name], ['Shared with', (r) => r.grantee], ['Rights', (r) => r.rights]],
    create: [['owner', 'Owner address', 'email'], ['mailbox', 'Mailbox', 'text'], ['grantee', 'Share with', 'email'], ['rights', 'Rights (e.g. lrswi)', 'text']],
    post: (v) => api.post('/api/admin/shares', v),
    actions: (r) => [['Remove', () => api.del('/api/admin/shares', { owner: r.owner, mailbox: r.name, grantee: r.grantee })]],
  },
  queue: {
    title: 'Queue',
    list: async () => [...(await api.get(`/api/admin/queue${apiQuery({ which: 'in' })}`)).jobs,
      ...(await api.get(`/api/admin/queue${apiQuery({ which: 'out' })}`)).jobs],
    cols: [['Queue', (r) => r.which], ['Sender', (r) => r.sender || '<>'], ['Recipients', (r) => (r.recipients || []).join(', ')],
      ['Attempts', (r) => r.attempts], ['Next attempt', (r) => formatDate(r.next_attempt, true)], ['Last error', (r) => r.last_error]],
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

// adminShow - #/admin/<section>
export async function adminShow(main, session, name) {
  if (!session.account.admin) {
    clear(main, h('div', { class: 'page' }, h('p', { class: 'error' }, 'Administration is for administrators.')));
    return;
  }
  const sec = SECTIONS[name] || SECTIONS.domains;
  const body = h('tbody', {});
  const reload = async () => clear(body, ((await sec.list().catch((e) => { toast(e.message, 'error'); return []; })) || []).map((r) => adminRow(sec, r, reload)));
  clear(main, h('div', { class: 'page' },
    h('h2', {}, `Administration: ${sec.title}`),
    h('nav', { class: 'tabs', 'aria-label': 'Administration sections' }, Object.entries(SECTIONS).map(([key, s]) =>
      h('a', { href: `#/admin/${key}`, 'aria-current': s === sec ? 'page' : false }, s.title))),
    sec.create ? adminCreateForm(sec, reload) : null,
    h('table', { class: 'grid' }, h('caption', { class: 'visually-hidden' }, sec.title),
      h('thead', {}, h('tr', {}, sec.cols.map(([t]) => h('th', { scope: 'col' }, t)), h('th', { scope: 'col' }, 'Actions'))),
      body)));
  await reload();
}
