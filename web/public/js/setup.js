// The organisation's set-up in the board: workshops (name, address placed
// by the server's geocoder or by hand on the map, opening hours, stock),
// vans started from a preset and edited (capacities, energy, costs,
// skills, trips, usual week, days off), the donor registry with each
// donor's recurring requests (donors.js), and the device catalogue. It is the
// `tournee-setup/1` document (docs/setup.md), edited in place and stored
// on the server with `PUT /api/v1/setup`, reused week after week.

import { api, ApiError } from './api.js';
import { el, num } from './format.js';
import { t, lang } from './i18n.js';
import { donorEditor, donorMistakes } from './donors.js';
import { DAYS, dayOf, slug, isoDate, frDate, clock, deviceName } from './values.js';

// Workshops created in this page: their id follows their name until saved.
const fresh = new WeakSet();
const newWorkshop = () => {
  const depot = { id: '', name: '', address: '' };
  fresh.add(depot);
  return { depot, hours: [{ days: DAYS.slice(0, 5), from: '08:00', to: '18:00' }] };
};
const ENERGIES = ['diesel', 'petrol', 'electric', 'diesel_3_5t', 'small_truck', 'cargo_bike'];

/** The stored set-up, or null when none was saved yet. */
export async function loadSetup() {
  try {
    return await api('/api/v1/setup');
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** `setup` with every weekday written as the board's boxes have it. */
export function normalised(setup) {
  if (!setup) return setup;
  const donors = setup.donors || [];
  for (const h of [...setup.workshops.flatMap((w) => w.hours || []), ...setup.vans.flatMap((v) => v.week),
    ...donors.flatMap((d) => d.hours || []), ...donors.flatMap((d) => d.recurring || []).filter((r) => r.days)]) {
    h.days = DAYS.filter((d) => h.days.map(dayOf).includes(d));
  }
  return setup;
}

/** A new organisation: one workshop to describe, no van, the default catalogue. */
export function blankSetup(presets) {
  return {
    format: 'tournee-setup/1',
    name: '',
    devices: Object.fromEntries(presets.devices.map((d) => [d.device, { mass_kg: d.mass_kg, volume_l: d.volume_l }])),
    workshops: [newWorkshop()],
    vans: [],
  };
}

/**
 * Renders the set-up editor into `node`. `map.pick()` gives a point placed
 * by hand; `onSaved(setup)` runs once the server has stored it.
 */
export function renderSetup(node, setup, presets, { map, geocoder, onSaved, say }) {
  const input = (attrs, get, set) => el('input', { ...attrs, value: get() ?? '', onchange: (e) => set(e.target.value) });
  const numberIn = (label, get, set, step = 'any') => el('label', { class: 'field' }, el('span', {}, label),
    input({ type: 'number', min: '0', step }, get, (v) => set(v === '' ? undefined : Number(v))));
  const textIn = (label, get, set, extra = {}) => el('label', { class: 'field' }, el('span', {}, label), input({ type: 'text', ...extra }, get, set));
  // Times as people write them here (`7h30`, `07:30`), whatever the
  // browser's own locale: a picker would show `07:30 AM` to some.
  const clockIn = (label, get, set) => el('input', {
    type: 'text', class: 'clock', inputmode: 'numeric', value: get(), 'aria-label': label, placeholder: '08:00',
    onchange: (e) => {
      const v = clock(e.target.value);
      if (v) { set(v); e.target.value = v; } else { say(t('setup.clock_bad', { value: e.target.value }), 'error'); e.target.value = get(); }
    },
  });
  const redraw = () => renderSetup(node, setup, presets, { map, geocoder, onSaved, say });

  /** Weekly hours (a workshop's opening, a van's week), one row each. */
  const hoursEditor = (list, what) => el('div', { class: 'hours' },
    list.map((h, k) => el('div', { class: 'hours-row' },
      el('span', { class: 'days' }, DAYS.map((d) => el('label', { class: 'dow' },
        el('input', {
          type: 'checkbox', checked: h.days.includes(d), 'aria-label': t('setup.day_label', { what, day: t(`day.${d}`) }),
          onchange: (e) => { h.days = DAYS.filter((x) => (x === d ? e.target.checked : h.days.includes(x))); },
        }), t(`day.${d}`)))),
      el('label', {}, t('setup.from'), ' ', clockIn(t('setup.from_label', { what }), () => h.from, (v) => { h.from = v; })),
      el('label', {}, t('setup.to'), ' ', clockIn(t('setup.to_label', { what }), () => h.to, (v) => { h.to = v; })),
      list.length > 1 ? el('button', { type: 'button', class: 'small', onclick: () => { list.splice(k, 1); redraw(); } }, t('setup.remove')) : null)),
    el('button', { type: 'button', class: 'small', onclick: () => { list.push({ days: [], from: '08:00', to: '17:00' }); redraw(); } }, t('setup.add_hours')));

  /**
   * A place's address and where it is (`d.address`, `d.location`): found by
   * the server's geocoder (a choice when it hesitates) or placed by hand
   * on the map. `placedKey` says what was placed, `testid` names the line.
   */
  const placer = (d, testid, placedKey) => {
    const found = el('div', { class: 'muted', 'data-testid': testid },
      d.location ? t('setup.placed', { lat: num(d.location[1], 4), lon: num(d.location[0], 4) }) : t('setup.not_placed'));
    const choose = (c) => { d.location = c.location; say(t(placedKey, { label: c.label }), 'ok'); redraw(); };
    const locate = async () => {
      if (!d.address?.trim()) { say(t('setup.address_first'), 'error'); return; }
      try {
        const g = await api(`/api/v1/geocode?q=${encodeURIComponent(d.address)}`);
        if (g.outcome === 'found') choose(g.candidates[0]);
        else if (g.candidates.length) {
          found.replaceChildren(t('setup.choose'), el('ul', { class: 'candidates' }, g.candidates.map((c) => el('li', {},
            el('button', { type: 'button', class: 'small', onclick: () => choose(c) }, t('setup.pick', { label: c.label }))))));
        } else say(t('setup.address_not_found', { address: d.address }), 'error');
      } catch (e) {
        say(e instanceof ApiError && e.status === 404 ? t('setup.no_geocoder') : t('setup.geocoder_failed'), 'error');
      }
    };
    return [
      textIn(t('setup.address'), () => d.address, (v) => {
        // A new address: placed again (by the server's geocoder on saving, or here).
        d.address = v;
        delete d.location;
        found.textContent = t('setup.not_placed');
      }, { placeholder: t('setup.address_hint') }),
      el('div', { class: 'row' },
        geocoder ? el('button', { type: 'button', class: 'small', onclick: locate }, t('setup.locate')) : null,
        el('button', { type: 'button', class: 'small', onclick: async () => { say(t('setup.click_map')); const p = await map.pick(d.name || d.address); choose({ label: t('setup.by_hand'), location: p }); } }, t('setup.place_on_map'))),
      found,
    ];
  };

  const workshopCard = (w, i) => {
    const d = w.depot;
    return el('fieldset', { class: 'card', 'data-testid': `workshop-${i}` }, el('legend', {}, d.name || t('setup.workshop_n', { n: i + 1 })),
      textIn(t('setup.name'), () => d.name, (v) => {
        d.name = v;
        if (!fresh.has(d)) return;
        // Vans follow their workshop's new id.
        const old = d.id;
        d.id = slug(v);
        for (const van of setup.vans) if (van.vehicle.depot === old) van.vehicle.depot = d.id;
      }),
      placer(d, `workshop-${i}-place`, 'setup.workshop_placed'),
      el('p', { class: 'label' }, t('setup.opening')), hoursEditor(w.hours, d.name || t('setup.workshop_n', { n: i + 1 })),
      el('details', {}, el('summary', {}, t('setup.stock')), el('p', { class: 'muted' }, t('setup.stock_hint')),
        Object.keys(setup.devices).map((dev) => numberIn(deviceName(presets, dev), () => d.stock?.[dev], (v) => {
          d.stock ||= {};
          if (v === undefined) delete d.stock[dev]; else d.stock[dev] = Math.max(0, Math.round(v));
          if (!Object.keys(d.stock).length) delete d.stock;
        }, '1'))),
      setup.workshops.length > 1 ? el('button', {
        type: 'button', class: 'small',
        onclick: () => {
          setup.workshops.splice(i, 1);
          // Its vans move to the first workshop left.
          for (const van of setup.vans) if (van.vehicle.depot === d.id) van.vehicle.depot = setup.workshops[0].depot.id;
          redraw();
        },
      }, t('setup.remove_workshop')) : null);
  };

  const vanCard = (van, i) => {
    const v = van.vehicle;
    v.costs ||= {};
    return el('fieldset', { class: 'card', 'data-testid': `van-${i}` }, el('legend', {}, v.name || v.id),
      textIn(t('setup.van_id'), () => v.id, (x) => { v.id = slug(x) || v.id; redraw(); }),
      textIn(t('setup.name'), () => v.name, (x) => { v.name = x; }),
      // By position: a workshop renamed since keeps its place in the list.
      el('label', { class: 'field' }, el('span', {}, t('setup.workshop')), el('select', { onchange: (e) => { v.depot = setup.workshops[Number(e.target.value)].depot.id; } },
        setup.workshops.map((w, k) => el('option', { value: k, selected: w.depot.id === v.depot }, w.depot.name || w.depot.id)))),
      el('div', { class: 'row' },
        numberIn(t('setup.kg'), () => v.capacity.kg, (x) => { v.capacity.kg = x ?? 0; }),
        numberIn(t('setup.m3'), () => v.capacity.m3, (x) => { v.capacity.m3 = x ?? 0; })),
      el('label', { class: 'field' }, el('span', {}, t('setup.energy')), el('select', { onchange: (e) => { v.energy = e.target.value; } },
        ENERGIES.map((k) => el('option', { value: k, selected: k === (v.energy || 'diesel') }, t(`energy.${k}`))))),
      el('div', { class: 'row' },
        numberIn(t('setup.cost_fixed'), () => v.costs.fixed, (x) => { v.costs.fixed = x ?? 0; }),
        numberIn(t('setup.cost_km'), () => v.costs.per_km, (x) => { v.costs.per_km = x ?? 0; }),
        numberIn(t('setup.cost_hour'), () => v.costs.per_hour, (x) => { v.costs.per_hour = x ?? 0; })),
      el('div', { class: 'row' },
        numberIn(t('setup.trips'), () => v.trips ?? 1, (x) => { if (!x || x <= 1) delete v.trips; else v.trips = Math.round(x); }, '1'),
        numberIn(t('setup.max_hours'), () => v.max_tour_hours, (x) => { if (x) v.max_tour_hours = x; else delete v.max_tour_hours; }),
        numberIn(t('setup.max_driver_hours'), () => v.max_driver_hours, (x) => { if (x) v.max_driver_hours = x; else delete v.max_driver_hours; })),
      textIn(t('setup.skills'), () => (v.skills || []).join(', '), (x) => { v.skills = x.split(',').map((s) => s.trim()).filter(Boolean); }, { placeholder: 'tail_lift' }),
      el('p', { class: 'label' }, t('setup.usual_week')), hoursEditor(van.week, v.name || v.id),
      textIn(t('setup.days_off'), () => (van.days_off || []).map(frDate).join(', '), (x) => {
        const dates = x.split(/[,;\s]+/).filter(Boolean).map(isoDate);
        if (dates.includes(null)) { say(t('setup.days_off_bad'), 'error'); return; }
        van.days_off = dates;
      }, { placeholder: t('setup.days_off_hint') }),
      el('button', { type: 'button', class: 'small', onclick: () => { setup.vans.splice(i, 1); redraw(); } }, t('setup.remove_van')));
  };

  const addVan = () => {
    const p = presets.vans.find((x) => x.preset === node.querySelector('#preset').value);
    if (!p) return;
    let id = p.preset;
    for (let n = 2; setup.vans.some((x) => x.vehicle.id === id); n += 1) id = `${p.preset}-${n}`;
    setup.vans.push({
      vehicle: {
        id, name: lang === 'en' ? p.name : p.nom, depot: setup.workshops[0]?.depot.id || '',
        capacity: { ...p.capacity }, energy: p.energy, skills: [...p.skills], max_tour_hours: 9,
        costs: { fixed: 10, per_km: p.energy === 'electric' ? 0.12 : 0.25, per_hour: 24 },
      },
      week: [{ days: DAYS.slice(0, 5), from: '08:00', to: '17:00' }],
      days_off: [],
    });
    redraw();
  };

  const catalogue = el('table', { class: 'grid', 'data-testid': 'catalogue' },
    el('thead', {}, el('tr', {}, el('th', {}, t('setup.device')), el('th', {}, 'kg'), el('th', {}, t('setup.litres')), el('th', {}))),
    el('tbody', {}, Object.entries(setup.devices).map(([id, dt]) => el('tr', {},
      el('th', { scope: 'row', title: id }, deviceName(presets, id)),
      el('td', {}, input({ type: 'number', min: '0', step: 'any', 'aria-label': t('setup.mass_of', { device: deviceName(presets, id, true) }) }, () => dt.mass_kg, (x) => { dt.mass_kg = Number(x); })),
      el('td', {}, input({ type: 'number', min: '0', step: 'any', 'aria-label': t('setup.volume_of', { device: deviceName(presets, id, true) }) }, () => dt.volume_l, (x) => { dt.volume_l = Number(x); })),
      el('td', {}, el('button', {
        type: 'button', class: 'small',
        onclick: () => {
          delete setup.devices[id];
          // No stock of a device the catalogue no longer has.
          for (const w of setup.workshops) {
            if (w.depot.stock) delete w.depot.stock[id];
            if (w.depot.stock && !Object.keys(w.depot.stock).length) delete w.depot.stock;
          }
          redraw();
        },
      }, t('setup.remove')))))));
  const newDevice = el('input', { type: 'text', id: 'new-device', placeholder: t('setup.device_hint'), 'aria-label': t('setup.new_device') });

  node.replaceChildren(
    textIn(t('setup.organisation'), () => setup.name, (v) => { setup.name = v; }),
    el('h3', {}, t('setup.workshops')), ...setup.workshops.map(workshopCard),
    el('button', { type: 'button', class: 'small', onclick: () => { setup.workshops.push(newWorkshop()); redraw(); } }, t('setup.add_workshop')),
    donorEditor(setup, presets, { textIn, numberIn, hoursEditor, placer, redraw, say }),
    el('h3', {}, t('setup.vans')), ...(setup.vans.length ? setup.vans.map(vanCard) : [el('p', { class: 'muted' }, t('setup.no_van'))]),
    el('div', { class: 'row' }, el('select', { id: 'preset', 'aria-label': t('setup.preset') },
      presets.vans.map((p) => el('option', { value: p.preset }, `${lang === 'en' ? p.name : p.nom} — ${num(p.capacity.kg, 0)} kg, ${num(p.capacity.m3, 1)} m³`))),
    el('button', { type: 'button', id: 'add-van', onclick: addVan }, t('setup.add_van'))),
    el('details', {}, el('summary', {}, el('h3', {}, t('setup.catalogue'))), catalogue,
      el('div', { class: 'row' }, newDevice, el('button', { type: 'button', class: 'small', onclick: () => {
        const id = slug(newDevice.value).replaceAll('-', '_');
        if (id && !setup.devices[id]) { setup.devices[id] = { mass_kg: 1, volume_l: 1 }; redraw(); }
      } }, t('setup.add_device')))),
    el('div', { id: 'setup-errors' }),
    el('button', { type: 'button', id: 'setup-save', class: 'primary', onclick: () => save(node, setup, presets, onSaved, say) }, t('setup.save')));
}

/** What the page can tell before asking the server, in the reader's words. */
function mistakes(setup) {
  const out = [];
  if (!setup.name.trim()) out.push(t('setup.err.name'));
  setup.workshops.forEach((w, i) => {
    const what = w.depot.name || t('setup.workshop_n', { n: i + 1 });
    if (!w.depot.name.trim()) out.push(t('setup.err.workshop_name', { n: i + 1 }));
    if (!w.depot.location && !w.depot.address.trim()) out.push(t('setup.err.workshop_place', { what }));
    w.hours.forEach((h) => { if (!h.days.length || !(h.from < h.to)) out.push(t('setup.err.hours', { what })); });
  });
  if (!setup.vans.length) out.push(t('setup.err.no_van'));
  out.push(...donorMistakes(setup));
  setup.vans.forEach((v) => {
    const what = v.vehicle.name || v.vehicle.id;
    if (!v.week.length) out.push(t('setup.err.week', { what }));
    v.week.forEach((h) => { if (!h.days.length || !(h.from < h.to)) out.push(t('setup.err.hours', { what })); });
  });
  return out;
}

/** The server's field path in the reader's words: `vans[1].vehicle.capacity.kg` → `Véhicule 2 · capacity.kg`. */
function where(setup, field) {
  const m = /^(workshops|vans|donors)\[(\d+)\]\.?(?:depot\.|vehicle\.)?(.*)$/.exec(field || '');
  if (!m) return field || '';
  const i = Number(m[2]);
  const name = { vans: setup.vans[i]?.vehicle.name, workshops: setup.workshops[i]?.depot.name, donors: setup.donors?.[i]?.name }[m[1]];
  const whose = name || t({ vans: 'setup.van_n', workshops: 'setup.workshop_n', donors: 'setup.donor_n' }[m[1]], { n: i + 1 });
  return m[3] ? `${whose} · ${t(`setup.field.${m[3]}`) === `setup.field.${m[3]}` ? m[3] : t(`setup.field.${m[3]}`)}` : whose;
}

async function save(node, setup, presets, onSaved, say) {
  const box = node.querySelector('#setup-errors');
  box.replaceChildren();
  const list = mistakes(setup);
  if (list.length) {
    box.append(el('ul', { class: 'errors', 'data-testid': 'setup-errors' }, list.map((m) => el('li', {}, m))));
    say(t('setup.not_saved'), 'error');
    return;
  }
  const doc = structuredClone(setup);
  doc.workshops.forEach((w, i) => { if (!w.depot.id) w.depot.id = slug(w.depot.name) || `atelier-${i + 1}`; });
  for (const v of doc.vans) if (!v.vehicle.depot) v.vehicle.depot = doc.workshops[0].depot.id;
  (doc.donors || []).forEach((d, i) => { if (!d.id) d.id = slug(d.name) || `donateur-${i + 1}`; });
  let saved;
  try {
    saved = await api(`/api/v1/setup?lang=${lang}`, { method: 'PUT', body: doc });
  } catch (e) {
    const errors = e instanceof ApiError ? (e.errors.length ? e.errors : [{ field: e.field, message: e.message }]) : [{ message: t('web.unexpected') }];
    box.append(el('ul', { class: 'errors', 'data-testid': 'setup-errors' }, errors.map((x) => el('li', {}, x.field ? `${where(setup, x.field)} : ${x.message}` : x.message))));
    say(t('setup.not_saved'), 'error');
    return;
  }
  say(t('setup.saved', { name: saved.name }), 'ok');
  // Saved: what comes next (the week's problem) fails on its own terms.
  try {
    await onSaved(saved);
  } catch (e) {
    say(e instanceof ApiError ? e.message : t('web.unexpected'), 'error');
  }
}
