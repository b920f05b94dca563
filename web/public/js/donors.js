// The donor registry in the set-up editor: each company, town hall or
// school that gives devices, entered once (address placed by the server's
// geocoder or on the map, contact, opening hours, the devices it usually
// gives, notes), with its recurring requests — every n weeks on given
// days, or monthly on a day of the month or the n-th weekday — and their
// exceptions (dates skipped, what happens on a public holiday). The server
// turns them into each week's requests (`GET /api/v1/setup/week`).

import { el } from './format.js';
import { t } from './i18n.js';
import { DAYS, slug, isoDate, frDate, deviceName } from './values.js';

// Donors created in this page: their id follows their name until saved.
const fresh = new WeakSet();
const NTH = ['1', '2', '3', '4', '5', '-1'];

const newDonor = () => {
  const d = { id: '', name: '', address: '', contact: {}, hours: [{ days: DAYS.slice(0, 5), from: '09:00', to: '17:00' }], devices: {}, notes: '', recurring: [] };
  fresh.add(d);
  return d;
};

const today = () => new Date().toISOString().slice(0, 10);

/** One recurring request: its rule, start, skipped dates, holidays. */
function recurrenceRow(d, i, r, k, { numberIn, redraw, say }) {
  const who = d.name || t('setup.donor');
  const monthly = r.every === 'month';
  const which = monthly ? (r.day ? 'day' : String(r.nth ?? 1)) : null;
  const daysBoxes = el('span', { class: 'days' }, DAYS.map((x) => el('label', { class: 'dow' },
    el('input', {
      type: monthly ? 'radio' : 'checkbox', name: `rec-${i}-${k}`, checked: (r.days || []).includes(x),
      'aria-label': t('setup.day_label', { what: t('setup.recurrence_of', { who, n: k + 1 }), day: t(`day.${x}`) }),
      onchange: (e) => {
        r.days = monthly ? [x] : DAYS.filter((y) => (y === x ? e.target.checked : (r.days || []).includes(y)));
      },
    }), t(`day.${x}`))));
  const dateIn = (label, get, set, extra = {}) => el('label', { class: 'field' }, el('span', {}, label), el('input', {
    type: 'text', value: get(), ...extra,
    onchange: (e) => {
      const v = e.target.value.trim();
      const dates = v.split(/[,;\s]+/).filter(Boolean).map(isoDate);
      if (dates.includes(null)) { say(t('setup.days_off_bad'), 'error'); e.target.value = get(); return; }
      set(dates);
    },
  }));
  return el('div', { class: 'card recurrence', 'data-testid': `recurrence-${k}` },
    el('div', { class: 'row' },
      el('label', { class: 'field' }, el('span', {}, t('setup.every')), el('select', {
        onchange: (e) => {
          r.every = e.target.value;
          if (r.every === 'month') { r.nth = 1; r.days = (r.days || []).slice(0, 1); if (!r.days.length) r.days = ['lun']; } else { delete r.nth; delete r.day; }
          redraw();
        },
      }, ['week', 'month'].map((x) => el('option', { value: x, selected: r.every === x }, t(`setup.every.${x}`))))),
      numberIn(t(monthly ? 'setup.interval_months' : 'setup.interval_weeks'), () => r.interval ?? 1, (x) => {
        if (!x || x <= 1) delete r.interval; else r.interval = Math.round(x);
      }, '1')),
    monthly ? el('div', { class: 'row' },
      el('label', { class: 'field' }, el('span', {}, t('setup.which')), el('select', {
        onchange: (e) => {
          if (e.target.value === 'day') { delete r.nth; r.days = []; r.day = 1; } else { delete r.day; r.nth = Number(e.target.value); if (!r.days?.length) r.days = ['lun']; }
          redraw();
        },
      }, [...NTH, 'day'].map((x) => el('option', { value: x, selected: which === x }, t(`setup.nth.${x}`))))),
      which === 'day' ? numberIn(t('setup.month_day'), () => r.day, (x) => { r.day = Math.min(31, Math.max(1, Math.round(x || 1))); }, '1') : null) : null,
    which === 'day' ? null : daysBoxes,
    el('div', { class: 'row' },
      dateIn(t('setup.from_date'), () => frDate(r.from), ([x]) => { if (x) r.from = x; }, { placeholder: frDate(today()) }),
      dateIn(t('setup.skip_dates'), () => (r.skip || []).map(frDate).join(', '), (dates) => { if (dates.length) r.skip = dates; else delete r.skip; }, { placeholder: t('setup.days_off_hint') })),
    el('label', { class: 'field' }, el('span', {}, t('setup.if_closed')), el('select', {
      onchange: (e) => { if (e.target.value === 'skip') delete r.if_closed; else r.if_closed = e.target.value; },
    }, ['skip', 'next_day'].map((x) => el('option', { value: x, selected: (r.if_closed || 'skip') === x }, t(`setup.if_closed.${x}`))))),
    el('button', { type: 'button', class: 'small', onclick: () => { d.recurring.splice(k, 1); redraw(); } }, t('setup.remove_recurrence')));
}

/** The donors' section of the set-up editor. */
export function donorEditor(setup, presets, tools) {
  const { textIn, numberIn, hoursEditor, placer, redraw } = tools;
  setup.donors ||= [];
  const card = (d, i) => {
    d.contact ||= {};
    d.devices ||= {};
    d.recurring ||= [];
    d.hours ||= [];
    const who = d.name || t('setup.donor_n', { n: i + 1 });
    return el('fieldset', { class: 'card', 'data-testid': `donor-${i}` }, el('legend', {}, who),
      textIn(t('setup.name'), () => d.name, (v) => { d.name = v; if (fresh.has(d)) d.id = slug(v); }),
      placer(d, `donor-${i}-place`, 'setup.donor_placed'),
      el('div', { class: 'row' },
        textIn(t('setup.contact_name'), () => d.contact.name, (v) => { d.contact.name = v; }),
        textIn(t('setup.phone'), () => d.contact.phone, (v) => { d.contact.phone = v; }, { type: 'tel' }),
        textIn(t('setup.email'), () => d.contact.email, (v) => { d.contact.email = v; }, { type: 'email' })),
      el('p', { class: 'label' }, t('setup.opening')),
      d.hours.length ? null : el('p', { class: 'muted' }, t('setup.always_open')), hoursEditor(d.hours, who),
      el('details', { open: !Object.keys(d.devices).length }, el('summary', {}, t('setup.usual_devices')),
        Object.keys(setup.devices).map((dev) => numberIn(deviceName(presets, dev), () => d.devices[dev], (v) => {
          if (!v) delete d.devices[dev]; else d.devices[dev] = Math.max(0, Math.round(v));
        }, '1'))),
      textIn(t('setup.notes'), () => d.notes, (v) => { d.notes = v; }),
      el('p', { class: 'label' }, t('setup.recurring')),
      d.recurring.length ? d.recurring.map((r, k) => recurrenceRow(d, i, r, k, tools)) : el('p', { class: 'muted' }, t('setup.no_recurrence')),
      el('div', { class: 'row' },
        el('button', { type: 'button', class: 'small', onclick: () => { d.recurring.push({ every: 'week', days: [], from: today() }); redraw(); } }, t('setup.add_recurrence')),
        el('button', { type: 'button', class: 'small', onclick: () => { setup.donors.splice(i, 1); redraw(); } }, t('setup.remove_donor'))));
  };
  return el('section', { class: 'donors' },
    el('h3', {}, t('setup.donors')),
    el('p', { class: 'muted' }, t('setup.donors_intro')),
    setup.donors.map(card),
    el('button', { type: 'button', id: 'add-donor', class: 'small', onclick: () => { setup.donors.push(newDonor()); redraw(); } }, t('setup.add_donor')));
}

/** What the page can tell of the donors before asking the server. */
export function donorMistakes(setup) {
  const out = [];
  (setup.donors || []).forEach((d, i) => {
    const what = d.name || t('setup.donor_n', { n: i + 1 });
    if (!d.name.trim()) out.push(t('setup.err.donor_name', { n: i + 1 }));
    if (!d.location && !d.address.trim()) out.push(t('setup.err.donor_place', { what }));
    d.hours.forEach((h) => { if (!h.days.length || !(h.from < h.to)) out.push(t('setup.err.hours', { what })); });
    d.recurring.forEach((r) => {
      if (r.every === 'week' && !r.days.length) out.push(t('setup.err.recurrence_days', { what }));
      if (!Object.keys(r.devices || {}).length && !Object.keys(d.devices).length) out.push(t('setup.err.donor_devices', { what }));
    });
  });
  return out;
}
