// What a person reads on the pages, in their language: the same string
// catalogues as the server's (`/i18n/fr.json`, `/i18n/en.json`; a third
// language is one more file). French by default; the choice is kept in
// this browser. The catalogue is kept too, so the driver's page reads
// without signal.

const CHOICE = 'tournee.lang';
export const LANGS = { fr: 'Français', en: 'English' };
export let lang = localStorage.getItem(CHOICE) in LANGS ? localStorage.getItem(CHOICE) : 'fr';
let strings = {};

/** Loads the catalogue (from the server, else the copy kept here); never
 *  fails: without any catalogue the page keeps the French it was written in. */
export async function loadLang() {
  const kept = `tournee.i18n.${lang}`;
  try {
    // A weak signal must not hold the page: the kept copy after 3 s.
    const res = await fetch(`/i18n/${lang}.json`, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    strings = await res.json();
    try {
      localStorage.setItem(kept, JSON.stringify(strings));
    } catch {
      // Storage full: the catalogue is used all the same.
    }
  } catch {
    try {
      strings = JSON.parse(localStorage.getItem(kept) || '{}');
    } catch {
      strings = {};
    }
  }
  document.documentElement.lang = lang;
  const has = (key) => key in strings;
  for (const node of document.querySelectorAll('[data-i18n]')) {
    if (has(node.dataset.i18n)) node.textContent = t(node.dataset.i18n);
  }
  for (const node of document.querySelectorAll('[data-i18n-aria]')) {
    if (has(node.dataset.i18nAria)) node.setAttribute('aria-label', t(node.dataset.i18nAria));
  }
  const title = document.querySelector('[data-i18n-title]');
  if (title && has(title.dataset.i18nTitle)) document.title = t(title.dataset.i18nTitle);
}

/** The message `key`, its `{name}` placeholders filled from `args`. */
export function t(key, args = {}) {
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (all, name) => (name in args ? String(args[name]) : all));
}

/** `n` with its noun in the right number (`key.one` / `key.other`); French
 *  puts 0 and 1 in the singular. */
export function count(key, n) {
  const one = lang === 'fr' ? n <= 1 : n === 1;
  return t(`${key}.${one ? 'one' : 'other'}`, { n });
}

/** A language picker: choosing reloads the page in that language. */
export function picker() {
  const select = document.createElement('select');
  select.setAttribute('aria-label', t('web.language'));
  select.id = 'lang';
  for (const [code, name] of Object.entries(LANGS)) {
    const o = document.createElement('option');
    o.value = code;
    o.textContent = name;
    o.selected = code === lang;
    select.append(o);
  }
  select.addEventListener('change', () => {
    localStorage.setItem(CHOICE, select.value);
    location.reload();
  });
  return select;
}
