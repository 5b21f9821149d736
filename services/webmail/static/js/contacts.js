// contacts.js - the address book: list and search, create/edit/delete, vCard import/export.
import { api, apiQuery } from './api.js';
import { h, clear, field, toast } from './dom.js';

// contactsSave - store a contact; the API keeps one address per row (docs/WEBMAIL-API.md,
// "Address book"), so each further address becomes a row with the same name, phone and notes
async function contactsSave(contact, body) {
  const [first, ...more] = body.emails;
  const one = (email) => ({ ...body, emails: [email] });
  if (contact) await api.put(`/api/contacts/${contact.id}`, one(first));
  else await api.post('/api/contacts', one(first));
  for (const email of more) await api.post('/api/contacts', one(email));
}

// contactsForm - the create/edit form; contact null for a new one
function contactsForm(contact, onDone) {
  const c = contact || { name: '', emails: [], phone: '', notes: '' };
  const name = h('input', { id: 'contact-name', type: 'text', value: c.name });
  const emails = h('textarea', { id: 'contact-emails', rows: 3 });
  emails.value = (c.emails || []).join('\n');
  const phone = h('input', { id: 'contact-phone', type: 'tel', value: c.phone || '' });
  const notes = h('textarea', { id: 'contact-notes', rows: 3 });
  notes.value = c.notes || '';
  const form = h('form', { class: 'card contact-form', id: 'contact-form', 'aria-label': contact ? 'Edit contact' : 'New contact' },
    h('h3', {}, contact ? `Edit ${c.name || c.emails[0]}` : 'New contact'),
    field('Name', name), field('Email addresses', emails, 'One address per line'),
    field('Phone', phone), field('Notes', notes),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'primary', id: 'contact-save' }, 'Save'),
      h('button', { type: 'button', onclick: () => onDone(false) }, 'Cancel')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { name: name.value.trim(), emails: emails.value.split(/[\s,;]+/).filter(Boolean), phone: phone.value.trim(), notes: notes.value };
    if (!body.emails.length) { toast('A contact needs an email address.', 'error'); return; }
    try {
      await contactsSave(contact, body);
      toast('Contact saved');
      onDone(true);
    } catch (e) {
      toast(e.status === 409 ? 'That address is already in your contacts.' : `Not saved: ${e.message}`, 'error');
    }
  });
  return form;
}

// contactsRow - one contact with its actions
function contactsRow(c, edit, reload) {
  const label = c.name || c.emails[0];
  return h('tr', { dataset: { contact: String(c.id) } },
    h('td', {}, c.name), h('td', {}, c.emails.map((e, i) => [i ? ', ' : '', h('a', { href: `#/compose?to=${encodeURIComponent(e)}` }, e)])),
    h('td', {}, c.phone), h('td', { class: 'notes' }, c.notes),
    h('td', {},
      h('button', { type: 'button', 'aria-label': `Edit ${label}`, onclick: () => edit(c) }, 'Edit'),
      h('button', {
        type: 'button', 'aria-label': `Delete ${label}`,
        onclick: async () => {
          if (!confirm(`Delete ${label}?`)) return;
          await api.del(`/api/contacts/${c.id}`).then(() => toast('Contact deleted'), (e) => toast(e.message, 'error'));
          reload();
        },
      }, 'Delete')));
}

// contactsImport - read a .vcf file and POST it to /api/contacts/import
async function contactsImport(input, reload) {
  const file = input.files[0];
  if (!file) return;
  try {
    const r = await api.raw('POST', '/api/contacts/import', await file.text(), { type: 'text/vcard' });
    const why = (r.skipped_list || []).slice(0, 3).map((s) => `card ${s.card}${s.email ? ` (${s.email})` : ''}: ${s.reason}`);
    toast(`Imported: ${r.created} new, ${r.updated} merged, ${r.skipped} skipped${why.length ? ` - ${why.join('; ')}` : ''}`);
  } catch (e) {
    toast(`Import failed: ${e.message}`, 'error');
  }
  input.value = '';
  reload();
}

// contactsShow - the address book page
export async function contactsShow(main) {
  const search = h('input', { id: 'contact-search', type: 'search' });
  const table = h('tbody', { id: 'contact-rows' });
  const editor = h('div', { id: 'contact-editor' });
  const reload = async () => {
    const data = await api.get(`/api/contacts${apiQuery({ q: search.value.trim() })}`);
    clear(table, (data.contacts || []).map((c) => contactsRow(c, edit, reload)));
  };
  const edit = (c) => {
    clear(editor, contactsForm(c, (changed) => { clear(editor); if (changed) reload(); }));
    editor.querySelector('input').focus();
  };
  const importInput = h('input', { type: 'file', id: 'contact-import', accept: '.vcf,text/vcard', onchange: (ev) => contactsImport(ev.target, reload) });
  search.addEventListener('input', reload);
  clear(main, h('div', { class: 'page' },
    h('h2', {}, 'Contacts'),
    h('div', { class: 'page-actions' },
      h('button', { type: 'button', class: 'primary', id: 'contact-new', onclick: () => edit(null) }, 'New contact'),
      field('Search contacts', search),
      field('Import vCard file', importInput),
      h('a', { href: '/api/contacts.vcf', class: 'button', id: 'contact-export', download: 'contacts.vcf' }, 'Export vCard')),
    editor,
    h('table', { class: 'grid contacts' },
      h('caption', { class: 'visually-hidden' }, 'Your contacts'),
      h('thead', {}, h('tr', {}, ['Name', 'Email', 'Phone', 'Notes', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
      table)));
  await reload();
}
