// What the server made of the coordinator's sheet (`POST /api/v1/imports`):
// its summary, the mistakes row by row, and for a row the geocoder could
// not place, the way to fix it here: pick one of the places it may be, or
// place the pin by hand on the map. A fixed row joins the requests; the
// sheet itself is not changed.

import { el, num } from './format.js';
import { t } from './i18n.js';

/**
 * Renders `pending` (the import's answer, fixed rows moved from `errors`
 * into `pickups`/`orders`) into `node`; `changed()` runs after each fix.
 */
export function renderImport(node, pending, { map, changed }) {
  const fix = (error, location, label) => {
    // Fixed once: a second pick (or a late click on the map) does nothing.
    if (!location || !pending.errors.includes(error)) return;
    const { kind, request } = error.unplaced;
    request.location = location;
    (kind === 'order' ? pending.orders : pending.pickups).push(request);
    pending.errors = pending.errors.filter((e) => e !== error);
    pending.fixed = [...(pending.fixed || []), t('import.fixed', { row: error.row, label })];
    renderImport(node, pending, { map, changed });
    changed();
  };
  const fixes = (error) => {
    if (!error.unplaced) return null;
    const name = error.unplaced.request.name || error.unplaced.request.id;
    return el('div', { class: 'fixes' },
      error.candidates?.length ? el('ul', { class: 'candidates' }, error.candidates.map((c) => el('li', {},
        el('button', {
          type: 'button', class: 'small', 'aria-label': t('import.pick_label', { row: error.row, label: c.label }),
          onclick: () => fix(error, c.location, c.label),
        }, t('import.pick', { label: c.label })),
        el('span', { class: 'muted' }, ` ${t('import.score', { score: num(c.score * 100, 0) })}`)))) : null,
      el('button', {
        type: 'button', class: 'small', 'aria-label': t('import.pin_label', { row: error.row }),
        onclick: async (e) => {
          e.target.textContent = t('import.click_map');
          const p = await map.pick(name);
          fix(error, p, t('import.by_hand'));
        },
      }, t('import.pin')));
  };
  const summary = pending.errors.length || !pending.fixed?.length
    ? pending.summary
    : t('import.all_fixed', { summary: pending.summary });
  node.replaceChildren(...[
    el('p', { 'data-testid': 'csv-summary' }, summary),
    pending.fixed?.length ? el('ul', { class: 'muted', 'data-testid': 'csv-fixed' }, pending.fixed.map((f) => el('li', {}, f))) : null,
    pending.errors.length ? mistakes(pending.errors, fixes) : null,
  ].filter(Boolean));
}

/** The sheet's mistakes as a table: row, column, what is wrong (and how to fix it). */
export function mistakes(errors, fixes = () => null) {
  return el('table', { class: 'grid errors', 'data-testid': 'csv-errors' },
    el('thead', {}, el('tr', {}, el('th', {}, t('board.mistake.row')), el('th', {}, t('board.mistake.column')), el('th', {}, t('board.mistake.message')))),
    el('tbody', {}, errors.map((m) => el('tr', { 'data-row': m.row }, el('td', {}, m.row ?? ''), el('td', {}, m.column ?? m.field ?? ''),
      el('td', {}, m.message, fixes(m))))));
}
