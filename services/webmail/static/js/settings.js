// settings.js - password change and identities (name, address, signature).
import { api } from './api.js';
import { h, clear, field, toast } from './dom.js';

// settingsPassword - the password change form (POST /api/password)
function settingsPassword() {
  const current = h('input', { type: 'password', id: 'pw-current', autocomplete: 'current-password' });
  const next = h('input', { type: 'password', id: 'pw-new', autocomplete: 'new-password', minlength: 8 });
  const again = h('input', { type: 'password', id: 'pw-again', autocomplete: 'new-password' });
  const form = h('form', { class: 'card', id: 'password-form', 'aria-label': 'Change password' },
    h('h3', {}, 'Change password'), field('Current password', current),
    field('New password', next, 'At least 8 characters'), field('New password again', again),
    h('button', { type: 'submit', class: 'primary' }, 'Change password'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (next.value !== again.value) { toast('The new passwords differ.', 'error'); return; }
    if (next.value.length < 8) { toast('The new password needs at least 8 characters.', 'error'); return; }
    try {
      await api.post('/api/password', { current: current.value, new: next.value });
      form.reset();
      toast('Password changed');
    } catch (e) {
      toast(e.status === 403 ? 'The current password is wrong.' : `Not changed: ${e.message}`, 'error');
    }
  });
  return form;
}

// settingsIdentity - one identity's fields; .read() gives its JSON
function settingsIdentity(ident, n) {
  const name = h('input', { type: 'text', id: `ident-name-${n}`, value: ident.name || '' });
  const email = h('input', { type: 'email', id: `ident-email-${n}`, value: ident.email || '' });
  const sig = h('textarea', { id: `ident-sig-${n}`, rows: 4 });
  sig.value = ident.signature || '';
  const box = h('fieldset', { class: 'identity' }, h('legend', {}, `Identity ${n + 1}`),
    field('Name', name), field('Email address', email), field('Signature', sig),
    h('button', { type: 'button', onclick: () => box.remove() }, 'Remove identity'));
  box.read = () => ({ id: ident.id !== undefined ? ident.id : n, name: name.value.trim(), email: email.value.trim(), signature: sig.value });
  return box;
}

// settingsIdentities - the identities form (PUT /api/identities)
async function settingsIdentities(session) {
  const holder = h('div', { id: 'identities' });
  const render = (list) => clear(holder, list.map(settingsIdentity));
  const form = h('form', { class: 'card', id: 'identities-form', 'aria-label': 'Identities' },
    h('h3', {}, 'Identities and signatures'), holder,
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', onclick: () => holder.append(settingsIdentity({ email: session.account.address }, holder.children.length)) }, 'Add identity'),
      h('button', { type: 'submit', class: 'primary', id: 'identities-save' }, 'Save identities')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      render((await api.put('/api/identities', { identities: [...holder.children].map((b) => b.read()) })).identities || []);
      toast('Identities saved');
    } catch (e) {
      toast(`Not saved: ${e.message}`, 'error');
    }
  });
  const data = await api.get('/api/identities').catch(() => ({ identities: [] }));
  render(data.identities && data.identities.length ? data.identities : [{ id: 0, name: '', email: session.account.address, signature: '' }]);
  return form;
}

// settingsShow - the settings page
export async function settingsShow(main, session) {
  const page = h('div', { class: 'page' }, h('h2', {}, 'Settings'), settingsPassword());
  clear(main, page);
  page.append(await settingsIdentities(session));
}
