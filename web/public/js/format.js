// Small formatting helpers shared by the pages.

import { count, lang } from './i18n.js';

const LOCALE = () => (lang === 'en' ? 'en-GB' : 'fr-FR');

/** `2026-11-30T09:05` → `09:05`. */
export const hm = (t) => (t || '').slice(11, 16);

/** Numbers as people read them here: 1 234,5. */
export const num = (x, digits = 1) =>
  Number(x).toLocaleString(LOCALE(), { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A day as `lun. 30 nov.` (`Mon 30 Nov` in English). */
export const dayName = (d) =>
  new Date(`${d}T12:00:00`).toLocaleDateString(LOCALE(), { weekday: 'short', day: 'numeric', month: 'short' });

/** A day in a narrow column: `lun.` (the week is the plan's). */
export const shortDay = (d) =>
  new Date(`${d}T12:00:00`).toLocaleDateString(LOCALE(), { weekday: 'short' });

/** A day in full: `lundi 30 novembre`. */
export const longDay = (d) =>
  new Date(`${d}T12:00:00`).toLocaleDateString(LOCALE(), { weekday: 'long', day: 'numeric', month: 'long' });

/** Element builder: el('li', {class: 'x'}, 'text', child…). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Devices as people say them: `10 ordinateurs portables, 1 écran`
 *  (a type without a name in the catalogue keeps its id). */
export const devices = (d) =>
  Object.entries(d || {})
    .filter(([, n]) => n > 0)
    .map(([k, n]) => {
      const said = count(`device.${k}`, n);
      return said.startsWith('device.') ? `${n} ${k.replaceAll('_', ' ')}` : said;
    })
    .join(', ');

/** Text for HTML written as a string (the print card): `<`, `&`, quotes escaped. */
export const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

/** Tour colours: distinct, readable on white, for the map and the lists. */
export const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
export const colour = (i) => COLOURS[i % COLOURS.length];
