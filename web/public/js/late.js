// A late request, during the week: typed in the board, placed by the
// server's geocoder or by hand on the map, and fitted into the open plan
// where it costs least (`POST /api/v1/plans/{id}/insertions`) without a
// full re-plan. The coordinator sees the few cheapest places, with what
// each adds and the stops it moves, and picks one: a new plan is stored.

import { api, ApiError } from './api.js';
import { el, num, dayName, hm } from './format.js';
import { t, count } from './i18n.js';
import { clock } from './values.js';

/**
 * Renders the form into `node` for the plan `state.planId`. `opened(id)`
 * opens the plan stored once a place is chosen; `say` reports.
 */
export function renderLate(node, state, { map, say, opened }) {
  if (!state.plan || !state.problem) {
    node.replaceChildren();
    return;
  }
  const days = [...new Set(state.plan.tours.map((x) => x.day))].sort();
  const request = { location: null };
  const name = el('input', { type: 'text', id: 'late-name', maxlength: '200', 'aria-label': t('late.name') });
  const address = el('input', { type: 'text', id: 'late-address', maxlength: '200', 'aria-label': t('late.address'), placeholder: t('setup.address_hint') });
  const placed = el('p', { class: 'muted', 'data-testid': 'late-place' }, t('setup.not_placed'));
  const place = (location, label) => {
    request.location = location;
    placed.textContent = t('late.placed', { label });
  };
  const day = el('select', { id: 'late-day', 'aria-label': t('late.day') }, days.map((d) => el('option', { value: d }, dayName(d))));
  const from = el('input', { type: 'text', class: 'clock', value: '09:00', 'aria-label': t('late.from') });
  const to = el('input', { type: 'text', class: 'clock', value: '17:00', 'aria-label': t('late.to') });
  const counts = Object.keys(state.problem.devices || {}).map((device) => ({
    device,
    input: el('input', { type: 'number', min: '0', max: '100000', step: '1', value: '0', 'aria-label': t('late.count', { device: count(`device.${device}`, 2).replace(/^2 /, '') }) }),
  }));
  const results = el('div', { 'data-testid': 'late-results' });

  const locate = async () => {
    try {
      const g = await api(`/api/v1/geocode?q=${encodeURIComponent(address.value)}`);
      if (g.candidates.length) place(g.candidates[0].location, g.candidates[0].label);
      else say(t('setup.address_not_found', { address: address.value }), 'error');
    } catch (e) {
      say(e instanceof ApiError && e.status === 404 ? t('setup.no_geocoder') : t('setup.geocoder_failed'), 'error');
    }
  };
  const body = () => {
    const ids = new Set([...state.problem.pickups, ...state.problem.orders].map((r) => r.id));
    let n = 1;
    while (ids.has(`URG${n}`)) n += 1;
    const [a, b] = [clock(from.value), clock(to.value)];
    return {
      kind: 'pickup',
      request: {
        id: `URG${n}`, name: name.value.trim(), address: address.value.trim(), location: request.location,
        devices: Object.fromEntries(counts.map(({ device, input }) => [device, Math.max(0, Math.round(Number(input.value) || 0))]).filter(([, k]) => k > 0)),
        time_windows: a && b ? [{ start: `${day.value}T${a}`, end: `${day.value}T${b}` }] : [],
      },
    };
  };
  const fit = async () => {
    if (!request.location) {
      say(t('late.place_first'), 'error');
      return;
    }
    const sent = body();
    results.replaceChildren();
    try {
      const { suggestions } = await api(`/api/v1/plans/${state.planId}/insertions`, { method: 'POST', body: sent });
      if (!suggestions.length) {
        results.append(el('p', {}, t('late.nowhere')));
        return;
      }
      results.append(el('ol', { class: 'suggestions' }, suggestions.map((s, k) => el('li', {},
        t('late.suggestion', {
          vehicle: s.vehicle, day: dayName(s.day), position: s.position, km: num(s.added_km), min: num(s.added_minutes, 0), arrival: hm(s.arrival),
        }),
        s.shifted.length ? ` · ${count('late.shifted', s.shifted.length)}` : '',
        ' ',
        el('button', {
          type: 'button', class: 'small', 'data-testid': `late-choose-${k}`,
          onclick: async () => {
            try {
              const { plan_id: id } = await api(`/api/v1/plans/${state.planId}/insertions?apply=${k}`, { method: 'POST', body: sent });
              state.problem.pickups.push(sent.request);
              await opened(id);
              say(t('late.added', { id: sent.request.id, vehicle: s.vehicle, day: dayName(s.day) }), 'ok');
            } catch (e) {
              say(e instanceof ApiError ? e.message : t('web.unexpected'), 'error');
            }
          },
        }, t('late.choose'))))));
    } catch (e) {
      say(e instanceof ApiError ? (e.errors.length ? e.errors.map((x) => `${x.field} : ${x.message}`).join(' ; ') : e.message) : t('web.unexpected'), 'error');
    }
  };

  node.replaceChildren(el('details', { id: 'late-box' }, el('summary', {}, el('h3', {}, t('late.title'))),
    el('label', { class: 'field' }, el('span', {}, t('late.name')), name),
    el('label', { class: 'field' }, el('span', {}, t('late.address')), address),
    el('div', { class: 'row' },
      state.config?.geocoder ? el('button', { type: 'button', class: 'small', onclick: locate }, t('setup.locate')) : null,
      el('button', { type: 'button', class: 'small', id: 'late-pin', onclick: async () => { say(t('import.click_map')); const p = await map.pick(name.value); if (p) place(p, t('import.by_hand')); } }, t('setup.place_on_map'))),
    placed,
    el('div', { class: 'row' }, day, t('setup.from'), from, t('setup.to'), to),
    el('div', { class: 'row' }, counts.map(({ input }) => el('label', { class: 'field' }, el('span', {}, input.getAttribute('aria-label')), input))),
    el('button', { type: 'button', id: 'late-fit', onclick: fit }, t('late.fit')),
    results));
}
