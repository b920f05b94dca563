// The coordinators' request sheet: one row per pickup or commune order, in
// the columns of template/requests.csv. Parsing is pure: rows in, requests
// and a list of mistakes (row, column, reason) out, nothing half-imported.

export const COLUMNS = [
  'kind', 'id', 'name', 'address', 'longitude', 'latitude', 'windows',
  'service_minutes', 'devices', 'skills', 'contact_name', 'contact_phone', 'notes', 'priority',
];

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

const WINDOW = /^(\d{4}-\d{2}-\d{2})\s+(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})$/;

/**
 * Reads the sheet against the device catalogue. Returns `{pickups, orders,
 * errors, rows}`: `errors` lists `{row, column, message}` with `row` as the
 * spreadsheet shows it (the header is row 1); requests come only from rows
 * without a mistake, and `rows` counts the data rows.
 */
export function readRequests(text, catalogue) {
  const table = parseCsv(text);
  const errors = [];
  if (!table.length) return { pickups: [], orders: [], errors: [{ row: 1, column: '', message: 'the file is empty' }], rows: 0 };
  const header = table[0].map((h) => h.trim().toLowerCase());
  for (const need of ['kind', 'id', 'longitude', 'latitude', 'devices']) {
    if (!header.includes(need)) errors.push({ row: 1, column: need, message: 'column missing' });
  }
  for (const h of header) {
    if (h && !COLUMNS.includes(h)) errors.push({ row: 1, column: h, message: `unknown column; the template has ${COLUMNS.join(', ')}` });
  }
  if (errors.length) return { pickups: [], orders: [], errors, rows: table.length - 1 };

  const pickups = [], orders = [], seen = new Set();
  table.slice(1).forEach((cells, i) => {
    const row = i + 2;
    const get = (col) => (cells[header.indexOf(col)] ?? '').trim();
    const mistakes = [];
    const wrong = (column, message) => mistakes.push({ row, column, message });

    const kind = get('kind').toLowerCase();
    if (!['pickup', 'order'].includes(kind)) wrong('kind', '`pickup` or `order`');
    const id = get('id');
    if (!id) wrong('id', 'required');
    else if (seen.has(id)) wrong('id', `\`${id}\` is used by an earlier row`);
    seen.add(id);
    const lon = Number(get('longitude')), lat = Number(get('latitude'));
    if (get('longitude') === '' || !Number.isFinite(lon) || lon < -180 || lon > 180) wrong('longitude', 'a number between -180 and 180');
    if (get('latitude') === '' || !Number.isFinite(lat) || lat < -90 || lat > 90) wrong('latitude', 'a number between -90 and 90');

    const time_windows = [];
    for (const w of get('windows').split(';').map((s) => s.trim()).filter(Boolean)) {
      const m = WINDOW.exec(w);
      if (!m) { wrong('windows', `\`${w}\` is not \`YYYY-MM-DD HH:MM-HH:MM\``); continue; }
      if (m[3] <= m[2]) { wrong('windows', `\`${w}\` ends before it starts`); continue; }
      time_windows.push({ start: `${m[1]}T${m[2]}`, end: `${m[1]}T${m[3]}` });
    }
    const devices = {};
    for (const d of get('devices').split(';').map((s) => s.trim()).filter(Boolean)) {
      const [name, count] = d.split(':').map((s) => s.trim());
      const n = Number(count);
      if (!(name in catalogue)) wrong('devices', `unknown device type \`${name}\`; the catalogue has ${Object.keys(catalogue).join(', ')}`);
      else if (!Number.isInteger(n) || n < 0) wrong('devices', `\`${d}\` needs a whole count, as \`laptop:10\``);
      else devices[name] = n;
    }
    if (!Object.values(devices).some((n) => n > 0) && !mistakes.some((m) => m.column === 'devices')) wrong('devices', 'at least one device, as `laptop:10; monitor:4`');
    let service_minutes;
    if (get('service_minutes') !== '') {
      service_minutes = Number(get('service_minutes'));
      if (!Number.isFinite(service_minutes) || service_minutes < 0) wrong('service_minutes', 'minutes, zero or more');
    }
    // Empty: mandatory; `optional:VALUE`: planned only when it costs less.
    let priority;
    const pr = get('priority');
    if (pr) {
      const m = /^optional:\s*([0-9.]+)$/.exec(pr);
      if (m && Number.isFinite(Number(m[1]))) priority = { optional: Number(m[1]) };
      else wrong('priority', 'empty (mandatory) or `optional:VALUE`');
    }
    if (mistakes.length) { errors.push(...mistakes); return; }

    const request = {
      id,
      name: get('name'),
      address: get('address'),
      location: [lon, lat],
      devices,
      time_windows,
      skills: get('skills').split(';').map((s) => s.trim()).filter(Boolean),
      contact: { name: get('contact_name'), phone: get('contact_phone') },
      notes: get('notes'),
    };
    if (service_minutes !== undefined) request.service_minutes = service_minutes;
    if (priority) request.priority = priority;
    (kind === 'pickup' ? pickups : orders).push(request);
  });
  return { pickups, orders, errors, rows: table.length - 1 };
}
