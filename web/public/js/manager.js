// The manager's page: transport km and CO2e per week, vehicle and tour,
// the CO2e avoided by reusing what was collected, and the saving against
// one round trip per request. Every figure is the API's report
// (GET /api/v1/reports), shown as it comes; the CSV is built from it too.

import { api, ApiError } from './api.js';
import { el, num } from './format.js';
import { t, loadLang, picker } from './i18n.js';

const $ = (id) => document.getElementById(id);

async function show(e) {
  e?.preventDefault();
  const q = new URLSearchParams();
  if ($('from').value) q.set('from', $('from').value);
  if ($('to').value) q.set('to', $('to').value);
  q.set('reuse_rate', $('rate').value || '1');
  try {
    const r = await api(`/api/v1/reports?${q}`);
    render(r);
    $('status').textContent = r.tours.length ? '' : t('manager.no_tour');
  } catch (err) {
    $('status').textContent = err instanceof ApiError && err.field ? `${err.field}: ${err.message}` : err.message;
    $('status').className = 'status error';
  }
}

function kpi(id, label, value, unit) {
  return el('div', { class: 'kpi' }, el('span', { class: 'label' }, label),
    el('b', { 'data-testid': id }, value), el('span', { class: 'unit' }, unit));
}

function render(r) {
  $('kpis').replaceChildren(
    kpi('transport-km', t('manager.driven'), num(r.transport.km), 'km'),
    kpi('transport-co2e', t('manager.transport'), num(r.transport.co2e_kg), 'kgCO2e'),
    kpi('baseline-co2e', t('manager.baseline'), num(r.baseline.co2e_kg), 'kgCO2e'),
    kpi('saving-pct', t('manager.saving'), num(r.saving_pct), '%'),
    kpi('avoided-co2e', t('manager.avoided'), num(r.avoided.co2e_kg / 1000, 2), 'tCO2e'),
    kpi('net-avoided', t('manager.net'), num(r.net_avoided_kg / 1000, 2), 'tCO2e'),
    // Planned against done, as the drivers reported.
    kpi('collected', t('manager.collected'), num(r.done.devices_collected, 0), t('manager.of_planned', { planned: num(r.done.devices_collected_planned, 0) })),
    kpi('done-km', t('manager.done_km'), num(r.done.km), t('manager.km_of_planned', { planned: num(r.done.km_planned) })),
    kpi('failed-stops', t('manager.failed_stops'), num(r.done.stops_failed, 0), t('manager.of_reported', { reported: num(r.done.stops_reported, 0), stops: num(r.done.stops, 0) })));
  $('by-week').replaceChildren(bars(r.by_week, 'week'));
  $('by-vehicle').replaceChildren(bars(r.by_vehicle, 'vehicle'));
  $('tours').replaceChildren(
    el('thead', {}, el('tr', {}, [t('manager.col.tour'), t('manager.col.vehicle'), t('manager.col.day'), t('manager.col.energy'), 'km', 'kgCO2e/km', 'kgCO2e'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, r.tours.map((x) => el('tr', {},
      el('td', {}, x.tour), el('td', {}, x.vehicle), el('td', {}, x.day), el('td', {}, x.energy),
      el('td', { class: 'n' }, num(x.km)), el('td', { class: 'n' }, num(x.kgco2e_per_km, 3)), el('td', { class: 'n' }, num(x.co2e_kg, 2))))));
  // A network key's table: each organisation of the network side by side
  // (an organisation's own key sees one, and no table).
  const organisations = Object.entries(r.by_organisation || {}).sort(([a], [b]) => a.localeCompare(b, 'fr'));
  $('organisations-box').hidden = organisations.length < 2;
  $('organisations').replaceChildren(
    el('thead', {}, el('tr', {}, [t('manager.col.organisation'), t('manager.col.collected'), t('manager.col.delivered'), 'km', 'kgCO2e'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, organisations.map(([id, o]) => el('tr', { 'data-organisation': id },
      el('th', { scope: 'row' }, id), el('td', { class: 'n' }, num(o.devices_collected, 0)), el('td', { class: 'n' }, num(o.devices_delivered, 0)),
      el('td', { class: 'n' }, num(o.km)), el('td', { class: 'n' }, num(o.co2e_kg, 2))))));
  // The funders' table: what each commune gave and received, in order.
  const communes = Object.entries(r.by_commune || {}).sort(([, a], [, b]) => a.name.localeCompare(b.name, 'fr'));
  $('communes').replaceChildren(
    el('thead', {}, el('tr', {}, [t('manager.col.commune'), t('manager.col.collected'), t('manager.col.delivered'), 'km', 'kgCO2e'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, communes.map(([code, c]) => el('tr', { 'data-insee': code },
      el('th', { scope: 'row' }, c.name), el('td', { class: 'n' }, num(c.devices_collected, 0)), el('td', { class: 'n' }, num(c.devices_delivered, 0)),
      el('td', { class: 'n' }, num(c.km)), el('td', { class: 'n' }, num(c.co2e_kg, 2))))));
  $('method').textContent = t('manager.method', { method: r.method });
  const blob = new Blob([csv(r)], { type: 'text/csv' });
  $('csv').href = URL.createObjectURL(blob);
}

/** Horizontal bars of CO2e, with the km beside, one per key. */
function bars(figures, what) {
  const entries = Object.entries(figures);
  const max = Math.max(1e-9, ...entries.map(([, f]) => f.co2e_kg));
  const row = 28, width = 520, label = 110;
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${entries.length * row + 4}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('manager.per_what', { what: t(`manager.what.${what}`), list: entries.map(([k, f]) => `${k} ${num(f.co2e_kg)} kg`).join(', ') }));
  entries.forEach(([key, f], i) => {
    const y = i * row + 2;
    const w = ((width - label - 150) * f.co2e_kg) / max;
    // Built node by node: keys are vehicle ids, which are the caller's text.
    svg.append(
      svgNode('text', { x: 0, y: y + 17, class: 'axis' }, key),
      svgNode('rect', { x: label, y: y + 4, width: w.toFixed(1), height: 18, class: 'bar', 'data-key': key }),
      svgNode('text', { x: label + w + 6, y: y + 17, class: 'value' }, `${num(f.co2e_kg)} kg · ${num(f.km)} km`));
  });
  return svg;
}

function svgNode(name, attributes, content) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  if (content !== undefined) node.textContent = content;
  return node;
}

function csv(r) {
  const q = (s) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const lines = ['tour,vehicle,day,energy,km,kgco2e_per_km,co2e_kg'];
  for (const t of r.tours) lines.push([q(t.tour), q(t.vehicle), t.day, t.energy, t.km, t.kgco2e_per_km, t.co2e_kg].join(','));
  return `${lines.join('\n')}\n`;
}

$('period').addEventListener('submit', show);
loadLang().then(() => {
  document.getElementById('lang-box')?.append(picker());
  show();
});
