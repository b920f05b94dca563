// What people type in the set-up, read the way they write it here: days
// of the week (French or English, short or full), dates as 24/12/2026,
// times as 7h30, and the ids made from names.

import { lang } from './i18n.js';

export const DAYS = ['lun', 'mar', 'mer', 'jeu', 'ven', 'sam', 'dim'];

/** `Atelier de Rouen` → `atelier-de-rouen` (ids are what the API refers to). */
export function slug(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

/** `24/12/2026` → `2026-12-24` (or null: 31/02 is no date). */
export function isoDate(s) {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s.trim());
  if (!m) return null;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const x = new Date(year, month - 1, day, 12);
  if (x.getFullYear() !== year || x.getMonth() !== month - 1 || x.getDate() !== day) return null;
  return `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}`;
}

// Days as the API takes them (`lun`, `mardi`, `wed`, `Thursday`…), as the board shows them.
const DAY_NAMES = Object.fromEntries([
  ['lun', 'lundi', 'mon', 'monday'], ['mar', 'mardi', 'tue', 'tuesday'], ['mer', 'mercredi', 'wed', 'wednesday'],
  ['jeu', 'jeudi', 'thu', 'thursday'], ['ven', 'vendredi', 'fri', 'friday'], ['sam', 'samedi', 'sat', 'saturday'],
  ['dim', 'dimanche', 'sun', 'sunday'],
].flatMap((names) => names.map((n) => [n, names[0]])));
export const dayOf = (d) => DAY_NAMES[String(d).trim().toLowerCase()] || d;
/** `7h30`, `07:30`, `9h`, `14` → `07:30`, `09:00`, `14:00` (or null). */
export function clock(s) {
  const m = /^\s*(\d{1,2})\s*(?:[:h]\s*(\d{2})?)?\s*$/i.exec(s);
  if (!m || Number(m[1]) > 23 || Number(m[2] || 0) > 59) return null;
  return `${m[1].padStart(2, '0')}:${m[2] || '00'}`;
}
export const frDate = (d) => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;

/** The device's name in the page's language (its id when unknown). */
export function deviceName(presets, id, one = false) {
  const d = presets.devices.find((x) => x.device === id);
  return d ? d[lang === 'en' ? 'en' : 'fr'][one ? 0 : 1] : id;
}
