// The driver's tour on a phone. The tour is kept in localStorage once
// loaded, so it stays readable without signal; each "done" or "failed" goes
// into an outbox that is sent in order when the phone is online again.
// The server takes a repeated report as the same one, so sending twice is safe.

import { el, hm, devices } from './format.js';

const token = location.hash.slice(1);
const TOUR = `tournee.tour.${token}`;
const OUTBOX = `tournee.outbox.${token}`;
const $ = (id) => document.getElementById(id);
let view = null;

const outbox = () => JSON.parse(localStorage.getItem(OUTBOX) || '[]');
const saveOutbox = (items) => localStorage.setItem(OUTBOX, JSON.stringify(items));

function showNet() {
  const waiting = outbox().length;
  const net = $('net');
  net.className = `status ${navigator.onLine ? '' : 'warn'}`;
  net.textContent = (navigator.onLine ? '' : 'Offline — the tour stays readable. ') +
    (waiting ? `${waiting} update${waiting > 1 ? 's' : ''} waiting to be sent.` : navigator.onLine ? 'All updates sent.' : '');
  net.dataset.waiting = String(waiting);
}

async function load() {
  if (!token) {
    $('title').textContent = 'No tour in this link';
    return;
  }
  try {
    const res = await fetch(`/api/v1/tours/${token}`);
    if (res.status === 404) {
      $('title').textContent = 'This link opens no tour';
      $('summary').textContent = 'Ask the coordinator for a new link.';
      return;
    }
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    view = await res.json();
    localStorage.setItem(TOUR, JSON.stringify(view));
  } catch {
    view = JSON.parse(localStorage.getItem(TOUR) || 'null');
    if (!view) {
      $('title').textContent = 'No signal, and this tour was never opened here';
      return;
    }
  }
  render();
  flush();
}

/** The status of stop `n` (1-based): a queued report wins over the server's. */
function statusOf(n) {
  const queued = outbox().filter((u) => u.stop === n).pop();
  if (queued) return { ...queued, queued: true };
  return view.statuses.find((s) => s.stop === n) || null;
}

function render() {
  const tour = view.tour;
  $('title').textContent = `${tour.vehicle} · ${new Date(`${tour.day}T12:00`).toLocaleDateString('fr-FR', { weekday: 'long', day: 'numeric', month: 'long' })}`;
  $('summary').textContent = `Leave ${tour.depot} at ${hm(tour.departure)}, back at ${hm(tour.return)} · ${tour.stops.length} stops · ${tour.distance_km.toFixed(1)} km`;
  $('stops').replaceChildren(...tour.stops.map((s, i) => stopCard(s, i + 1, view.windows?.[i] || [])));
  showNet();
}

function stopCard(s, n, windows) {
  const st = statusOf(n);
  const [lon, lat] = s.location;
  const note = el('textarea', { rows: '2', placeholder: 'Note (optional)', 'aria-label': `Note for stop ${n}` }, st?.note || '');
  const report = (status) => {
    const items = outbox();
    items.push({ stop: n, status, note: note.value.trim(), at: new Date().toISOString() });
    saveOutbox(items);
    render();
    flush();
  };
  const what = s.kind === 'pickup' ? `Collect ${devices(s.devices)}`
    : s.kind === 'delivery' ? `Deliver ${devices(s.devices)}`
      : 'Back at the workshop: unload, load the next trip';
  return el('li', { class: `stop ${st ? st.status : ''}`, 'data-stop': n },
    el('div', { class: 'when' }, el('b', {}, hm(s.start)), el('span', {}, `arrive ${hm(s.arrival)}`)),
    el('div', { class: 'what' },
      el('h2', {}, `${n}. ${s.name || s.job}`),
      el('p', {}, s.address),
      windows.length ? el('p', { class: 'open' }, `Open ${windows.map((w) => `${hm(w.start)}–${hm(w.end)}`).join(', ')}`) : null,
      el('p', { class: 'load' }, what),
      s.contact && (s.contact.name || s.contact.phone) ? el('p', {}, s.contact.name, ' ',
        s.contact.phone ? el('a', { class: 'button', href: `tel:${s.contact.phone.replace(/\s/g, '')}` }, `Call ${s.contact.phone}`) : null) : null,
      el('p', { class: 'nav' },
        el('a', { class: 'button', href: `geo:${lat},${lon}?q=${lat},${lon}` }, 'Navigate'),
        el('a', { class: 'button light', href: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=18/${lat}/${lon}`, target: '_blank', rel: 'noopener' }, 'OpenStreetMap')),
      st ? el('p', { class: 'state', 'data-testid': `state-${n}` }, st.status === 'done' ? '✓ Done' : '✗ Failed', st.queued ? ' (waiting for signal)' : '', st.note ? ` — ${st.note}` : '') : null,
      note,
      el('p', { class: 'actions' },
        el('button', { type: 'button', class: 'big done', onclick: () => report('done') }, 'Done'),
        el('button', { type: 'button', class: 'big failed', onclick: () => report('failed') }, 'Failed'))));
}

let flushing = false;
/** Sends the outbox in order; stops at the first network failure. */
async function flush() {
  if (flushing || !navigator.onLine) return showNet();
  flushing = true;
  try {
    let items = outbox();
    while (items.length) {
      const u = items[0];
      let res;
      try {
        res = await fetch(`/api/v1/tours/${token}/stops/${u.stop}`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ status: u.status, note: u.note, at: u.at }),
        });
      } catch {
        break; // no signal after all: keep it for later
      }
      if (res.ok) {
        const saved = await res.json();
        view.statuses = view.statuses.filter((s) => s.stop !== u.stop).concat(saved);
        localStorage.setItem(TOUR, JSON.stringify(view));
      } else if (res.status >= 500) {
        break;
      }
      // A 4xx will not get better by resending: drop it.
      items = outbox().slice(1);
      saveOutbox(items);
    }
  } finally {
    flushing = false;
    render();
  }
}

window.addEventListener('online', flush);
// Phones do not always say when the signal is back: try again every few
// seconds while reports wait.
setInterval(() => { if (outbox().length) flush(); }, 3000);
window.addEventListener('offline', showNet);
if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
load();
