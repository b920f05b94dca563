// The coordinator's planning board: describe the organisation once
// (workshops, vans, their week, the catalogue: setup.js), choose the week,
// import its requests (imports.js), check the fleet, plan with a live
// progress bar, read the tours day by day on the map and as a timeline per
// van, see what was left out and why, lock or move stops and re-plan, hand
// each driver their link, export.

import { api, apiKey, setApiKey, ApiError } from './api.js';
import { createMap } from './map.js';
import { el, hm, num, dayName, longDay, shortDay, colour, escapeHtml } from './format.js';
import { t, count, lang, loadLang, picker } from './i18n.js';
import { loadSetup, blankSetup, renderSetup, normalised } from './setup.js';
import { renderImport, mistakes } from './imports.js';
import { renderLate } from './late.js';
import { lateness, reestimate, estimated } from './live.js';

const $ = (id) => document.getElementById(id);
const state = {
  problem: null, plan: null, planId: null, share: [], locks: [], day: undefined, pending: null,
  setup: null, presets: null, config: null,
  // Requests of the week made from donors (recurring, or added in one
  // step): a sheet imported later joins them.
  fromDonors: new Set(),
  // What the drivers reported, by `tour:stop` (polled while a plan is open).
  statuses: new Map(),
};
let polling = null;
let map;

function say(text, kind = '') {
  $('status').textContent = text;
  $('status').className = `status ${kind}`;
}

function explain(e) {
  if (e instanceof ApiError && e.status === 401) {
    $('key-box').hidden = false;
    return t('board.key_needed');
  }
  if (e instanceof ApiError) {
    if (e.status === 0) return t('web.offline');
    return e.field ? `${e.field} : ${e.message}` : e.message;
  }
  // A sentence of ours (a job that failed, say).
  if (e.said) return e.message;
  // A fault of the page itself: a sentence, the detail in the console.
  console.error(e);
  return t('web.unexpected');
}

/** Mondays around today, and the week of `keep` if given: `YYYY-MM-DD`. */
function mondays(keep) {
  const monday = (d) => {
    const x = new Date(d);
    x.setHours(12, 0, 0, 0);
    x.setDate(x.getDate() - ((x.getDay() + 6) % 7));
    return x;
  };
  const iso = (x) => `${x.getFullYear()}-${String(x.getMonth() + 1).padStart(2, '0')}-${String(x.getDate()).padStart(2, '0')}`;
  const base = monday(new Date());
  const out = [];
  for (let k = -4; k <= 12; k += 1) {
    const d = new Date(base);
    d.setDate(d.getDate() + 7 * k);
    out.push(iso(d));
  }
  if (keep && !out.includes(keep)) out.push(keep);
  return out.sort();
}

/** The week chooser: `semaine du lundi 30 novembre 2026`. */
function renderWeeks(selected) {
  const fallback = mondays()[5]; // next Monday
  const week = selected || fallback;
  $('week').replaceChildren(...mondays(week).map((d) => el('option', { value: d, selected: d === week },
    t('board.week_of', { day: new Date(`${d}T12:00:00`).toLocaleDateString(lang === 'en' ? 'en-GB' : 'fr-FR', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }) }))));
}

/** The chosen week's problem from the stored set-up, without requests. */
async function openWeek() {
  if (!state.setup) return;
  state.problem = await api(`/api/v1/setup/week?week=${$('week').value}`);
  // A sheet read for another week stays out of this one.
  state.pending = null;
  $('csv-report').replaceChildren();
  $('csv').value = '';
  $('import').disabled = true;
  $('skip-box').hidden = true;
  state.problem.pickups ||= [];
  state.problem.orders ||= [];
  state.fromDonors = new Set(state.problem.pickups.map((r) => r.id));
  state.locks = [];
  renderProblem();
  renderDonorRequest();
  say(t('board.week_ready', { week: $('week').selectedOptions[0]?.textContent || '' }));
}

/** The set-up section: open and first when there is none yet. */
function showSetup(open) {
  $('setup-box').open = open;
  renderSetup($('setup'), state.setup || blankSetup(state.presets), state.presets, {
    map,
    geocoder: state.config.geocoder,
    say,
    onSaved: async (saved) => {
      state.setup = normalised(saved);
      // The editor on the stored set-up, folded; then the week.
      showSetup(false);
      $('requests-box').open = true;
      await openWeek();
    },
  });
}

async function start() {
  await loadLang();
  $('lang-box').append(picker());
  const config = await api('/api/v1/web-config');
  state.config = config;
  if (config.api_key_required && !apiKey()) $('key-box').hidden = false;
  $('key-save').addEventListener('click', () => {
    setApiKey($('api-key').value.trim());
    location.reload();
  });
  map = createMap($('map'), config);
  $('csv').addEventListener('change', readFile);
  $('week').addEventListener('change', () => openWeek().catch((e) => say(explain(e), 'error')));
  $('skip').addEventListener('change', () => { $('import').disabled = !canImport(); });
  $('import').addEventListener('click', importRequests);
  $('plan').addEventListener('click', () => runPlanning(false));
  $('replan').addEventListener('click', () => runPlanning(true));
  renderWeeks();
  try {
    state.presets = await api('/api/v1/setup/presets');
    state.setup = config.setup ? normalised(await loadSetup()) : null;
    const { plans } = await api('/api/v1/plans');
    if (plans.length) {
      await openPlan(plans[0].id);
      showSetup(false);
    } else if (state.setup) {
      showSetup(false);
      $('requests-box').open = true;
      await openWeek();
    } else {
      // A new organisation: the board opens on its set-up.
      showSetup(true);
      $('requests-box').open = false;
      say(t('board.welcome'));
    }
  } catch (e) {
    say(explain(e), 'error');
  }
}

async function openPlan(id) {
  const stored = await api(`/api/v1/plans/${id}`);
  state.plan = stored.plan;
  state.planId = id;
  state.share = stored.share;
  if (!state.problem) {
    state.problem = await api(`/api/v1/plans/${id}/problem`);
    renderWeeks(state.problem.horizon.start.slice(0, 10));
  }
  // Optional in the format: a problem may have no pickups or no orders.
  state.problem.pickups ||= [];
  state.problem.orders ||= [];
  renderProblem();
  renderDonorRequest();
  state.statuses = new Map();
  renderPlan();
  renderLate($('late'), state, { map, say, opened: openPlan });
  // The drivers' reports, live: every 10 s while the plan is open.
  clearInterval(polling);
  const poll = () => api(`/api/v1/plans/${id}/statuses`)
    .then(({ statuses }) => {
      if (state.planId !== id) return;
      const next = new Map(statuses.map((s) => [`${s.tour}:${s.stop}`, s]));
      const changed = next.size !== state.statuses.size
        || [...next].some(([k, s]) => state.statuses.get(k)?.recorded_at !== s.recorded_at);
      state.statuses = next;
      if (changed) renderPlan();
    })
    .catch(() => {});
  poll();
  polling = setInterval(poll, 10000);
}

// ---- 1. Requests -----------------------------------------------------

// The server reads the sheet (CSV with `,` or `;`, UTF-8 or Windows-1252,
// or XLSX; French or English columns, docs/import.md) and says what is
// wrong, row by row, in French: the page only shows it.
async function readFile() {
  const file = $('csv').files[0];
  if (!file) return;
  if (!state.problem) {
    say(t('board.setup_first'), 'error');
    return;
  }
  const xlsx = /\.xlsx$/i.test(file.name);
  const type = xlsx ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv';
  const week = state.problem.horizon.start.slice(0, 10);
  const report = $('csv-report');
  report.replaceChildren();
  state.pending = null;
  $('import').disabled = true;
  try {
    state.pending = await api(`/api/v1/imports?week=${week}&lang=${lang}`, { method: 'POST', raw: { body: await file.arrayBuffer(), type } });
  } catch (e) {
    report.append(el('p', { 'data-testid': 'csv-summary' }, explain(e)));
    if (e.errors?.length) report.append(mistakes(e.errors));
    return;
  }
  const changed = () => {
    $('skip-box').hidden = !state.pending.errors.length;
    $('import').disabled = !canImport();
  };
  renderImport(report, state.pending, { map, changed });
  // The same file, corrected, may be chosen again.
  $('csv').value = '';
  $('skip').checked = false;
  changed();
}

function canImport() {
  const p = state.pending;
  if (!p || !state.problem || p.pickups.length + p.orders.length === 0) return false;
  return p.errors.length === 0 || $('skip').checked;
}

function importRequests() {
  const { pickups, orders } = state.pending;
  const ids = new Set(pickups.map((r) => r.id));
  state.problem.pickups = [...state.problem.pickups.filter((r) => state.fromDonors.has(r.id) && !ids.has(r.id)), ...pickups];
  state.problem.orders = orders;
  delete state.problem.replan;
  state.locks = [];
  state.pending = null;
  $('import').disabled = true;
  say(t('board.imported', { pickups: count('count.pickup', pickups.length), orders: count('count.order', orders.length) }), 'ok');
  renderProblem();
}

/** A request from a donor of the registry, in one step: donor, day, add. */
function renderDonorRequest() {
  const box = $('donor-request');
  const donors = state.setup?.donors || [];
  if (!donors.length || !state.problem) { box.replaceChildren(); return; }
  const monday = state.problem.horizon.start.slice(0, 10);
  const days = [...Array(7).keys()].map((k) => {
    const d = new Date(`${monday}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + k);
    return d.toISOString().slice(0, 10);
  });
  const donor = el('select', { id: 'donor', 'aria-label': t('board.donor') }, donors.map((d) => el('option', { value: d.id }, d.name)));
  const day = el('select', { id: 'donor-day', 'aria-label': t('board.donor_day') }, days.map((d) => el('option', { value: d }, longDay(d))));
  const add = async () => {
    const d = donors.find((x) => x.id === donor.value);
    try {
      const r = await api(`/api/v1/setup/donors/${encodeURIComponent(donor.value)}/request?date=${day.value}`);
      if (state.problem.pickups.some((x) => x.id === r.id)) { say(t('board.donor_already', { name: d.name, day: longDay(day.value) }), 'error'); return; }
      state.problem.pickups.push(r);
      state.fromDonors.add(r.id);
      say(t('board.donor_added', { name: d.name, day: longDay(day.value) }), 'ok');
      renderProblem();
    } catch (e) {
      // A day the donor is closed (its hours, a public holiday): said in
      // the reader's language.
      const closed = e instanceof ApiError && e.status === 400 && e.field === 'query.date';
      say(closed ? t('board.donor_closed', { name: d.name, day: longDay(day.value) }) : explain(e), 'error');
    }
  };
  box.replaceChildren(el('p', { class: 'label' }, t('board.donor_request')),
    el('div', { class: 'row' }, donor, day, el('button', { type: 'button', id: 'donor-add', onclick: add }, t('board.donor_add'))));
}

// ---- 2. Fleet --------------------------------------------------------

function renderProblem() {
  const p = state.problem;
  $('problem-name').textContent = t('board.problem', {
    name: p.name, pickups: count('count.pickup', p.pickups.length),
    orders: count('count.order', p.orders.length), vans: count('count.van', p.vehicles.length),
  });
  const days = [...new Set(p.vehicles.flatMap((v) => (v.all_shifts || v.shifts).map((s) => s.start.slice(0, 10))))].sort();
  const table = $('fleet');
  table.querySelectorAll('thead, tbody').forEach((n) => n.remove());
  table.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('board.van')), el('th', { scope: 'col' }, 'kg / m³'),
    days.map((d) => el('th', { scope: 'col', title: dayName(d) }, shortDay(d))))));
  table.append(el('tbody', {}, p.vehicles.map((v) => {
    v.all_shifts = v.all_shifts || v.shifts.slice();
    const number = (field) => el('input', {
      type: 'number', min: '0', step: 'any', value: v.capacity[field], 'aria-label': t('board.capacity', { van: v.id, field }),
      onchange: (e) => { v.capacity[field] = Number(e.target.value); },
    });
    return el('tr', {}, el('th', { scope: 'row', title: v.name }, v.id), el('td', { class: 'capacity' }, number('kg'), number('m3')),
      days.map((d) => {
        const shift = v.all_shifts.find((s) => s.start.startsWith(d));
        if (!shift) return el('td', {}, '—');
        return el('td', {}, el('input', {
          type: 'checkbox', checked: v.shifts.includes(shift), 'aria-label': t('board.works_on', { van: v.id, day: d }),
          onchange: (e) => {
            v.shifts = v.all_shifts.filter((s) => (s === shift ? e.target.checked : v.shifts.includes(s)));
          },
        }));
      }));
  })));
}

/** The problem as the API takes it (without the page's own bookkeeping). */
function problemToSend(withLocks) {
  const p = structuredClone(state.problem);
  for (const v of p.vehicles) delete v.all_shifts;
  p.solver = { ...(p.solver || {}), time_limit_s: Number($('time-limit').value) };
  delete p.replan;
  if (withLocks) {
    // Once drivers have reported, the tours that have left are done (the
    // failed requests come back); before, the whole week is planned again.
    const local = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    const frozen = state.statuses.size ? [p.horizon.start.slice(0, 16), local(new Date())].sort().pop() : p.horizon.start;
    p.replan = { frozen_before: frozen, locks: state.locks.map(({ request, vehicle, day }) => ({ request, vehicle, day })) };
  }
  return p;
}

// ---- 3. Planning -----------------------------------------------------

async function runPlanning(withLocks) {
  if (!state.problem) {
    say(t('board.setup_first'), 'error');
    return;
  }
  if (!state.problem.pickups.length && !state.problem.orders.length) {
    say(t('board.import_first'), 'error');
    return;
  }
  const buttons = [$('plan'), $('replan')];
  buttons.forEach((b) => { b.disabled = true; });
  const bar = $('progress');
  bar.hidden = false;
  bar.value = 0;
  try {
    const query = withLocks ? `?previous=${state.planId}` : '';
    const job = await api(`/api/v1/jobs${query}`, { method: 'POST', body: problemToSend(withLocks) });
    say(t('board.planning'));
    let view = job;
    while (!['done', 'failed', 'cancelled'].includes(view.state)) {
      await new Promise((r) => setTimeout(r, 300));
      view = await api(`/api/v1/jobs/${job.id}`);
      bar.value = view.progress.percent;
      $('progress-text').textContent = view.progress.best_cost == null
        ? t(`job.state.${view.state}`)
        : t('board.progress_text', { percent: Math.round(view.progress.percent), cost: num(view.progress.best_cost, 2), seconds: num(view.progress.elapsed_s) });
    }
    if (view.state !== 'done') {
      throw Object.assign(new Error(t('board.failed', { state: t(`job.state.${view.state}`), error: view.error ? ` : ${view.error}` : '' })), { said: true });
    }
    bar.value = 100;
    await openPlan(view.plan_id);
    say(t('board.planned', { tours: count('count.tour', state.plan.totals.tours), km: num(state.plan.totals.distance_km) }), 'ok');
  } catch (e) {
    say(explain(e), 'error');
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
    $('replan').disabled = !state.locks.length || !state.planId;
  }
}

// ---- The plan: days, map, tours, left out, locks, links, exports -------

// One day at a time by default (the week on its own tab): each van's day
// as a timeline, then its tour's stops.
function renderPlan() {
  const plan = state.plan;
  const days = [...new Set(plan.tours.map((t) => t.day))].sort();
  // `undefined`: not chosen yet, the first day; `null`: the whole week.
  if (state.day === undefined || (state.day !== null && !days.includes(state.day))) state.day = days[0] ?? null;
  $('days').replaceChildren(
    el('button', { type: 'button', role: 'tab', 'aria-selected': String(state.day === null), onclick: () => { state.day = null; renderPlan(); } }, t('board.week_tab')),
    ...days.map((d) => el('button', { type: 'button', role: 'tab', 'aria-selected': String(state.day === d), onclick: () => { state.day = d; renderPlan(); } }, dayName(d))));
  map.draw(plan, (t) => state.day === null || plan.tours[t].day === state.day);

  const byDay = days.filter((d) => state.day === null || d === state.day).map((d) => el('section', { class: 'day' },
    el('h3', {}, longDay(d)),
    timeline(plan.tours.map((t, i) => ({ t, i })).filter(({ t }) => t.day === d)),
    plan.tours.map((t, i) => (t.day === d ? tourCard(t, i) : null))));
  $('tours').replaceChildren(
    el('p', { class: 'muted', 'data-testid': 'totals' }, t('board.totals', {
      tours: count('count.tour', plan.totals.tours), km: num(plan.totals.distance_km),
      stops: count('count.stop', plan.totals.stops), co2: num(plan.totals.co2e_kg),
    })),
    ...byDay);
  renderUnassigned();
  renderFailed();
  renderLocks();
  renderChanges();
  renderExports();
}

/** Minutes since midnight of `2026-11-30T09:05`. */
const minutes = (at) => Number(at.slice(11, 13)) * 60 + Number(at.slice(14, 16));

/** A day's tours as one line per van: the tour from leaving to coming
 *  back, each stop a block from arrival to departure, hours marked. */
function timeline(tours) {
  if (!tours.length) return null;
  const from = Math.floor(Math.min(...tours.map(({ t }) => minutes(t.departure))) / 60) * 60;
  const to = Math.ceil(Math.max(...tours.map(({ t }) => minutes(t.return))) / 60) * 60;
  const span = Math.max(60, to - from);
  const at = (m) => `${((m - from) / span) * 100}%`;
  const hours = [];
  for (let h = from; h <= to; h += 60) hours.push(h);
  return el('div', { class: 'timeline', 'data-testid': 'timeline', role: 'img', 'aria-label': t('board.timeline') },
    el('div', { class: 'tl-row tl-hours' }, el('span', { class: 'tl-van' }), el('span', { class: 'tl-track' },
      hours.map((h) => el('span', { class: 'tl-hour', style: `left:${at(h)}` }, `${h / 60}h`)))),
    tours.map(({ t: tour, i }) => el('div', { class: 'tl-row' }, el('span', { class: 'tl-van', title: tour.vehicle }, tour.vehicle),
      el('span', { class: 'tl-track' },
        el('span', { class: 'tl-tour', style: `left:${at(minutes(tour.departure))};width:${at(from + minutes(tour.return) - minutes(tour.departure))};background:${colour(i)}33;border-color:${colour(i)}` }),
        tour.stops.map((s, k) => el('span', {
          class: `tl-stop${s.kind === 'reload' ? ' reload' : ''}`,
          style: `left:${at(minutes(s.arrival))};width:${at(from + Math.max(4, minutes(s.departure) - minutes(s.arrival)))};background:${colour(i)}`,
          title: `${k + 1}. ${hm(s.arrival)}–${hm(s.departure)} ${s.kind === 'reload' ? t('board.reload') : s.name}`,
        }))))));
}

function tourCard(tour, i) {
  const link = state.share[i] ? `${location.origin}/driver.html#${state.share[i].token}` : null;
  const others = state.plan.tours.map((t, k) => ({ t, k })).filter(({ k }) => k !== i);
  // Only the tours that could take a stop: a day it is open, a van with the
  // skills it needs (the re-plan checks the rest).
  const couldTake = (job, other) => {
    const p = state.problem;
    const r = [...(p.pickups || []), ...(p.orders || [])].find((x) => x.id === job);
    const van = p.vehicles.find((v) => v.id === other.vehicle);
    if (!r || !van) return true;
    const open = !r.time_windows?.length || r.time_windows.some((w) => w.start.slice(0, 10) === other.day);
    const skilled = (r.skills || []).every((k) => (van.skills || []).includes(k));
    return open && skilled;
  };
  const etas = reestimate(tour, (n) => state.statuses.get(`${i}:${n}`));
  return el('article', { class: 'tour', style: `border-left-color:${colour(i)}`, 'data-tour': tour.id },
    el('h4', {}, el('span', { class: 'swatch', style: `background:${colour(i)}` }), `${tour.vehicle} ${hm(tour.departure)}–${hm(tour.return)}`,
      el('span', { class: 'muted' }, ` ${num(tour.distance_km)} km`)),
    el('ol', {}, tour.stops.map((s, k) => {
      const locked = state.locks.find((l) => l.request === s.job);
      const reported = state.statuses.get(`${i}:${k + 1}`);
      const eta = etas.get(k + 1);
      return el('li', { 'data-job': s.job, class: reported?.status || null, 'data-status': reported?.status || null },
        el('span', {}, reported ? el('b', { title: reported.note || '' }, reported.status === 'done' ? '✓ ' : '✗ ') : null,
          `${hm(s.arrival)} ${s.kind === 'reload' ? t('board.reload') : `${s.job} ${s.name}`}`,
          reported ? el('span', { class: 'muted' }, ` ${lateness(s, reported)}`) : null,
          eta ? el('span', { class: 'eta', 'data-testid': `eta-${i}-${k + 1}` }, ` ${estimated(eta)}`) : null,
          reported?.proofs?.map((kind) => el('button', {
            type: 'button', class: 'small light', 'aria-label': t(`board.proof.${kind}`, { job: s.job }),
            onclick: () => showProof(i, k + 1, kind),
          }, t(`board.${kind}`)))),
        s.kind === 'reload' ? null : el('span', { class: 'stop-actions' },
          el('button', {
            type: 'button', class: 'small', 'aria-pressed': String(Boolean(locked)), title: t('board.lock_title'),
            'aria-label': t('board.lock_label', { job: s.job, van: tour.vehicle, day: tour.day }),
            onclick: () => toggleLock(s.job, tour.vehicle, tour.day),
          }, locked ? '🔒' : t('board.lock')),
          el('select', {
            'aria-label': t('board.move_label', { job: s.job }),
            onchange: (e) => {
              const other = state.plan.tours[Number(e.target.value)];
              if (other) lock(s.job, other.vehicle, other.day);
            },
          }, el('option', { value: '' }, t('board.move')), others.filter(({ t }) => couldTake(s.job, t)).map(({ t, k }) => el('option', { value: k }, `${t.vehicle} ${dayName(t.day)}`)))));
    })),
    link ? el('div', { class: 'share' },
      el('a', { href: link, target: '_blank', rel: 'noopener' }, t('board.driver_link')),
      el('button', { type: 'button', class: 'small', onclick: () => navigator.clipboard?.writeText(link).then(() => say(t('board.copied', { tour: tour.id }), 'ok')) }, t('board.copy')),
      el('button', { type: 'button', class: 'small', onclick: () => printCard(tour, link) }, t('board.print')),
      el('a', { href: `/api/v1/tours/${state.share[i].token}/gpx`, download: `${tour.id.replaceAll('/', '_')}.gpx` }, 'GPX')) : null);
}

/** A stop's photo or signature, read with the key and opened in a new tab. */
async function showProof(tour, stop, kind) {
  try {
    const blob = await api(`/api/v1/plans/${state.planId}/tours/${tour}/stops/${stop}/${kind}`, { blob: true });
    window.open(URL.createObjectURL(blob), '_blank', 'noopener');
  } catch (e) {
    say(explain(e), 'bad');
  }
}

/** Requests their drivers reported failed: to re-plan. */
function renderFailed() {
  // Not those a re-plan has already put in another tour.
  const plannedAgain = (s) => state.plan.tours.some((tour, i) => tour.stops.some((x, k) => x.job === s.request && `${i}:${k + 1}` !== `${s.tour}:${s.stop}`));
  const failed = [...state.statuses.values()].filter((s) => s.status === 'failed' && !plannedAgain(s));
  $('to-replan').replaceChildren(failed.length ? el('div', {},
    el('h3', {}, t('board.to_replan', { n: failed.length })),
    el('ul', { 'data-testid': 'to-replan' }, failed.map((s) => el('li', {}, el('b', {}, s.request), ` ${t(`driver.reason.${s.reason || 'other'}`)}`, s.note ? ` — ${s.note}` : '')))) : '');
  if (failed.length && state.planId) $('replan').disabled = false;
}

function lock(request, vehicle, day) {
  state.locks = state.locks.filter((l) => l.request !== request);
  state.locks.push({ request, vehicle, day });
  $('replan').disabled = false;
  renderPlan();
}

function toggleLock(request, vehicle, day) {
  if (state.locks.some((l) => l.request === request)) {
    state.locks = state.locks.filter((l) => l.request !== request);
    $('replan').disabled = !state.locks.length;
    renderPlan();
  } else lock(request, vehicle, day);
}

function renderLocks() {
  $('locks').replaceChildren(state.locks.length ? el('div', {},
    el('h3', {}, t('board.locked')),
    el('ul', { 'data-testid': 'locks' }, state.locks.map((l) => el('li', {}, `${l.request} → ${l.vehicle}, ${dayName(l.day)}`)))) : '');
}

function renderUnassigned() {
  const left = state.plan.unassigned;
  $('unassigned').replaceChildren(el('h3', {}, t('board.not_planned', { n: left.length })),
    left.length ? el('ul', { 'data-testid': 'unassigned' }, left.map((u) => el('li', { title: u.message }, el('b', {}, u.job), ` ${u.name} : ${reason(u.reason)}`)))
      : el('p', { class: 'muted' }, t('board.all_planned')));
}

/** Why a request was left out, in the reader's words (the plan's own
 *  message, with its figures, is the item's tooltip). */
function reason(code) {
  const said = t(`reason.${code}`);
  return said === `reason.${code}` ? code : said;
}

function renderChanges() {
  const changes = state.plan.changes || [];
  $('changes').replaceChildren(changes.length ? el('details', {}, el('summary', {}, t('board.moved', { n: changes.length })),
    el('ul', {}, changes.map((c) => el('li', {}, `${c.request} : ${c.from} → ${c.to}`,
      c.why_code ? el('span', { class: 'muted' }, ` — ${t(`why.${c.why_code}`, c.why_args || {})}`) : '')))) : '');
}

function renderExports() {
  const id = state.planId;
  $('export-links').replaceChildren(el('h3', {}, t('board.exports')), el('p', {},
    el('a', { href: `/api/v1/plans/${id}/stops.csv`, download: 'stops.csv' }, t('board.export_stops')), ' · ',
    el('a', { href: `/api/v1/plans/${id}/geojson`, download: 'plan.geojson' }, t('board.export_map')), ' · ',
    el('a', { href: `/api/v1/plans/${id}/plan`, download: 'plan.json' }, t('board.export_plan'))));
}

/** A printable card for the driver: the tour and a QR code of the link. */
function printCard(tour, link) {
  const qr = qrcode(0, 'M');
  qr.addData(link);
  qr.make();
  const w = window.open('', '_blank');
  if (!w) return;
  // Written as HTML: every text from the plan escaped.
  const hours = `${hm(tour.departure)}–${hm(tour.return)}`;
  w.document.write(`<!doctype html><title>${escapeHtml(tour.id)}</title><body style="font-family:sans-serif">
    <h1>${escapeHtml(tour.vehicle)} — ${escapeHtml(dayName(tour.day))}</h1><p>${escapeHtml(t('board.print_stops', { hours, stops: count('count.stop', tour.stops.length) }))}</p>
    ${qr.createSvgTag({ cellSize: 6, margin: 2 })}<p>${escapeHtml(link)}</p></body>`);
  w.document.close();
  w.print();
}

start().catch((e) => say(explain(e), 'error'));
