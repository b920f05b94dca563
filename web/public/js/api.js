// The pages' one door to the HTTP API (docs/api.md). An API key, when the
// server wants one, is kept in this browser's localStorage.

const KEY = 'tournee.apiKey';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.field = body?.field || null;
    this.code = body?.error || null;
    /** Every `{field, message}` when the server found several mistakes. */
    this.errors = body?.errors || [];
  }
}

export function apiKey() {
  return localStorage.getItem(KEY) || '';
}

export function setApiKey(key) {
  if (key) localStorage.setItem(KEY, key);
  else localStorage.removeItem(KEY);
}

/**
 * Calls `path`; JSON in and out unless `text` asks for the raw body. `raw`
 * sends bytes of another type instead (`{ body, type }`: a spreadsheet).
 */
export async function api(path, { method = 'GET', body, text = false, raw, blob = false } = {}) {
  const headers = {};
  const key = apiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  if (raw) headers['Content-Type'] = raw.type;
  else if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: raw ? raw.body : body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    // No answer at all (no network, server stopped): status 0.
    throw new ApiError(0, {});
  }
  if (!res.ok) {
    let detail = {};
    try {
      detail = await res.json();
    } catch {
      // Not JSON: the status says enough.
    }
    throw new ApiError(res.status, detail);
  }
  if (res.status === 204) return null;
  if (blob) return res.blob();
  return text ? res.text() : res.json();
}
