// Proof of collection or delivery on the driver's page: a photo of what
// was handed over, scaled down on the phone (a 12-megapixel photo would
// not fit the outbox, nor the server's 1 MiB), and a signature drawn with
// a finger. Both are kept as data URLs in the outbox until sent, then PUT
// as images to /api/v1/tours/{token}/stops/{stop}/{photo|signature}.

import { el } from './format.js';
import { t } from './i18n.js';

/** The longest side of a photo as sent, in pixels, and its JPEG quality. */
const PHOTO_SIDE = 1280;
const PHOTO_QUALITY = 0.7;

/** A photo picker (the phone's camera first): `.value()` is a data URL or null. */
export function photoInput(n, taken, changed) {
  let data = taken || null;
  const thumb = el('img', { class: 'thumb', alt: t('driver.photo_of', { n }), hidden: !data, src: data || undefined });
  const input = el('input', { type: 'file', accept: 'image/*', capture: 'environment', class: 'visually-hidden', 'aria-label': t('driver.photo_of', { n }) });
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    if (!file) return;
    try {
      data = await scaled(file);
      thumb.src = data;
      thumb.hidden = false;
    } catch {
      data = null;
      thumb.hidden = true;
    }
    changed(data);
  });
  const label = el('label', { class: 'button light photo' }, t('driver.photo'), input);
  return { element: el('div', { class: 'proof' }, label, thumb), value: () => data };
}

async function scaled(file) {
  const bitmap = await createImageBitmap(file);
  const ratio = Math.min(1, PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = el('canvas', { width: String(Math.round(bitmap.width * ratio)), height: String(Math.round(bitmap.height * ratio)) });
  canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/jpeg', PHOTO_QUALITY);
}

/** A signature pad: `.value()` is a PNG data URL once something is drawn, else null. */
export function signaturePad(n, drawnBefore, changed) {
  const canvas = el('canvas', { class: 'signature', width: '600', height: '200', 'aria-label': t('driver.signature_of', { n }), role: 'img' });
  const ctx = canvas.getContext('2d');
  ctx.lineWidth = 4;
  ctx.lineCap = 'round';
  let drawn = Boolean(drawnBefore);
  if (drawnBefore) {
    const img = new Image();
    img.onload = () => ctx.drawImage(img, 0, 0);
    img.src = drawnBefore;
  }
  let last = null;
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * (canvas.width / r.width), (e.clientY - r.top) * (canvas.height / r.height)];
  };
  canvas.addEventListener('pointerdown', (e) => { last = at(e); canvas.setPointerCapture?.(e.pointerId); e.preventDefault(); });
  canvas.addEventListener('pointermove', (e) => {
    if (!last) return;
    const p = at(e);
    ctx.beginPath();
    ctx.moveTo(...last);
    ctx.lineTo(...p);
    ctx.stroke();
    last = p;
    drawn = true;
  });
  const stop = () => {
    if (last && drawn) changed(canvas.toDataURL('image/png'));
    last = null;
  };
  canvas.addEventListener('pointerup', stop);
  canvas.addEventListener('pointercancel', stop);
  const clear = el('button', { type: 'button', class: 'light', onclick: () => { ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false; changed(null); } }, t('driver.clear'));
  return {
    element: el('div', { class: 'proof' }, el('span', { class: 'muted' }, t('driver.signature')), canvas, clear),
    value: () => (drawn ? canvas.toDataURL('image/png') : null),
  };
}

/** Sends one proof; true when the server has it (or will never take it). */
export async function sendProof(token, stop, kind, dataUrl) {
  const blob = blobOf(dataUrl);
  const res = await fetch(`/api/v1/tours/${token}/stops/${stop}/${kind}`, {
    method: 'PUT', headers: { 'Content-Type': blob.type }, body: blob,
  });
  if (res.status >= 500) throw new Error(`HTTP ${res.status}`);
  return true;
}

/** The image a data URL holds (no fetch: the page's policy allows none). */
function blobOf(dataUrl) {
  const [head, body] = dataUrl.split(',');
  const type = head.slice(5).split(';')[0];
  const bytes = Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
  return new Blob([bytes], { type });
}
