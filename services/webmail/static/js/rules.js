// rules.js - the filter rules mda applies (same JSON as `merpati rule`), edited as a list.
import { api } from './api.js';
import { h, clear, field, toast } from './dom.js';

const FIELDS = [['from', 'From contains'], ['to', 'To or Cc contains'], ['subject', 'Subject contains'],
  ['header', 'Header contains'], ['over', 'Larger than (bytes)'], ['under', 'Smaller than (bytes)']];
const ACTIONS = [['fileinto', 'Move into folder'], ['redirect', 'Redirect to'], ['flag', 'Set flag'],
  ['seen', 'Mark read'], ['discard', 'Discard'], ['stop', 'Stop processing']];
const VALUELESS = new Set(['seen', 'discard', 'stop']);
let uid = 0;

// rulesSelect - a labelled select
function rulesSelect(label, options, value) {
  return h('select', { 'aria-label': label }, options.map(([v, t]) => h('option', { value: v, selected: v === value }, t)));
}

// rulesCondition - one editable condition row; .read() gives its JSON
function rulesCondition(c) {
  const kind = c.field === 'size' ? c.op : c.field;
  const sel = rulesSelect('Condition', FIELDS, kind);
  const name = h('input', { type: 'text', 'aria-label': 'Header name', placeholder: 'List-Id', value: c.name || '' });
  const value = h('input', { type: 'text', 'aria-label': 'Condition value', value: c.value !== undefined ? String(c.value) : '' });
  const sync = () => { name.hidden = sel.value !== 'header'; };
  sel.addEventListener('change', sync);
  sync();
  const row = h('li', { class: 'rule-row' }, sel, name, value,
    h('button', { type: 'button', 'aria-label': 'Remove condition', onclick: () => row.remove() }, '✕'));
  row.read = () => {
    if (sel.value === 'over' || sel.value === 'under') return { field: 'size', op: sel.value, value: Number(value.value) || 0 };
    if (sel.value === 'header') return { field: 'header', name: name.value.trim(), op: 'contains', value: value.value };
    return { field: sel.value, op: 'contains', value: value.value };
  };
  return row;
}

// rulesAction - one editable action row; .read() gives its JSON
function rulesAction(a) {
  const kind = Object.keys(a)[0] || 'fileinto';
  const sel = rulesSelect('Action', ACTIONS, kind);
  const value = h('input', { type: 'text', 'aria-label': 'Action value', value: typeof a[kind] === 'string' ? a[kind] : '' });
  const sync = () => { value.hidden = VALUELESS.has(sel.value); };
  sel.addEventListener('change', sync);
  sync();
  const row = h('li', { class: 'rule-row' }, sel, value,
    h('button', { type: 'button', 'aria-label': 'Remove action', onclick: () => row.remove() }, '✕'));
  row.read = () => ({ [sel.value]: VALUELESS.has(sel.value) ? true : value.value.trim() });
  return row;
}

// rulesCard - one rule: name, enabled, conditions, actions
function rulesCard(rule) {
  uid += 1;
  const name = h('input', { type: 'text', id: `rule-name-${uid}`, value: rule.name || '' });
  const enabled = h('input', { type: 'checkbox', id: `rule-enabled-${uid}`, checked: rule.enabled !== false });
  const conds = h('ul', { class: 'rule-list' }, (rule.conditions || []).map(rulesCondition));
  const acts = h('ul', { class: 'rule-list' }, (rule.actions || []).map(rulesAction));
  const card = h('li', { class: 'card rule' },
    field('Rule name', name),
    h('div', { class: 'check' }, enabled, h('label', { for: enabled.id }, 'Enabled')),
    h('h4', {}, 'When all of these match'), conds,
    h('button', { type: 'button', onclick: () => conds.append(rulesCondition({ field: 'from', value: '' })) }, 'Add condition'),
    h('h4', {}, 'Do this'), acts,
    h('button', { type: 'button', onclick: () => acts.append(rulesAction({ fileinto: '' })) }, 'Add action'),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', onclick: () => card.previousElementSibling && card.parentNode.insertBefore(card, card.previousElementSibling) }, 'Move up'),
      h('button', { type: 'button', onclick: () => card.remove() }, 'Delete rule')));
  card.read = () => ({
    name: name.value.trim(), enabled: enabled.checked,
    conditions: [...conds.children].map((r) => r.read()), actions: [...acts.children].map((r) => r.read()),
  });
  return card;
}

// rulesShow - the filter rules page; Save sends the whole ordered list (PUT /api/rules)
export async function rulesShow(main) {
  const list = h('ol', { class: 'rules', id: 'rules' });
  const render = (rules) => clear(list, rules.map(rulesCard));
  const save = async () => {
    try {
      render((await api.put('/api/rules', { rules: [...list.children].map((c) => c.read()) })).rules || []);
      toast('Filters saved');
    } catch (e) {
      toast(`Not saved: ${e.message}`, 'error');
    }
  };
  clear(main, h('div', { class: 'page' },
    h('h2', {}, 'Filters'),
    h('p', {}, 'Rules run in order on every message delivered to you. Text matches ignore case.'),
    list,
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', id: 'rule-add', onclick: () => list.append(rulesCard({ name: '', conditions: [{ field: 'from', value: '' }], actions: [{ fileinto: '' }] })) }, 'New rule'),
      h('button', { type: 'button', class: 'primary', id: 'rules-save', onclick: save }, 'Save filters'))));
  render((await api.get('/api/rules')).rules || []);
}
