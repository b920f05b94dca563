// A network of refurbishers on one server, seen from the manager's page:
// two organisations plan their week, the regional pilot's network key
// opens the page and sees each organisation's figures side by side, as the
// API gives them; an organisation's own key sees only its own.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTournee, launch, until, shots, DESKTOP } from './support.js';

const KEYS = { refurbA: 'cle-atelier-a-0123456789', refurbB: 'cle-atelier-b-0123456789', region: 'cle-reseau-0123456789ab' };
let tournee, base, browser;

async function call(key, path, body) {
  const res = await fetch(`${base}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(res.ok, `${path}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

function week(laptops) {
  const day = (a, b) => ({ start: `2026-12-14T${a}`, end: `2026-12-14T${b}` });
  return {
    format: 'tournee/1', name: 'semaine du 14',
    horizon: { start: '2026-12-14T00:00', end: '2026-12-15T00:00' },
    solver: { time_limit_s: 1, seed: 1, iteration_limit: 50 },
    devices: { laptop: { mass_kg: 1.65, volume_l: 3 } },
    depots: [{ id: 'atelier', location: [1.0585, 49.4262] }],
    vehicles: [{ id: 'kangoo', depot: 'atelier', capacity: { kg: 600, m3: 3.3 }, shifts: [day('08:00', '17:00')] }],
    pickups: [
      { id: 'P1', name: 'Mairie de Rouen', location: [1.0993, 49.4431], devices: { laptop: laptops } },
      { id: 'P2', name: 'Lycée', location: [1.0870, 49.4010], devices: { laptop: 2 } },
    ],
  };
}

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tournee-network-'));
  const keys = join(dir, 'keys.csv');
  writeFileSync(keys, `organisation,role,name,key\nrefurbA,coordinator,camille,${KEYS.refurbA}\nrefurbB,coordinator,yanis,${KEYS.refurbB}\nregion,network,pilote,${KEYS.region}\n`);
  ({ server: tournee, base } = await startTournee(['serve', '--db', join(dir, 't.db'), '--keys', keys]));
  for (const [org, laptops] of [['refurbA', 7], ['refurbB', 11]]) {
    const job = await call(KEYS[org], '/api/v1/jobs', week(laptops));
    await until(async () => (await call(KEYS[org], `/api/v1/jobs/${job.id}`)).plan_id, 20000, `${org}'s plan`);
  }
  browser = await launch();
});

after(async () => {
  await browser?.close();
  tournee?.kill();
});

async function managerPage(key) {
  const page = await browser.newPage({ viewport: DESKTOP });
  await page.addInitScript((k) => localStorage.setItem('tournee.apiKey', k), key);
  await page.goto(`${base}/manager.html`);
  await page.waitForSelector('[data-testid=transport-km]');
  return page;
}

test("the network key's manager page shows every organisation side by side", async () => {
  const r = await call(KEYS.region, '/api/v1/reports?reuse_rate=1');
  assert.deepEqual(Object.keys(r.by_organisation).sort(), ['refurbA', 'refurbB']);
  const page = await managerPage(KEYS.region);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  assert.equal(await page.isVisible('[data-testid=organisations]'), true);
  assert.equal(await page.textContent('#organisations-title'), 'Par organisation');
  const fr = (x, d = 1) => Number(x).toLocaleString('fr-FR', { minimumFractionDigits: d, maximumFractionDigits: d });
  assert.equal(await page.locator('[data-testid=organisations] tbody tr').count(), 2);
  for (const [org, collected] of [['refurbA', 9], ['refurbB', 13]]) {
    const row = page.locator(`[data-testid=organisations] tr[data-organisation="${org}"]`);
    const cells = await row.locator('td').allTextContents();
    assert.equal(await row.locator('th').textContent(), org);
    assert.equal(r.by_organisation[org].devices_collected, collected);
    assert.equal(cells[0], fr(collected, 0));
    assert.equal(cells[2], fr(r.by_organisation[org].km));
    assert.equal(cells[3], fr(r.by_organisation[org].co2e_kg, 2));
  }
  await page.screenshot({ path: join(shots, 'manager-network.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("an organisation's manager page shows its own figures only", async () => {
  const r = await call(KEYS.refurbB, '/api/v1/reports?reuse_rate=1');
  assert.deepEqual(Object.keys(r.by_organisation), ['refurbB']);
  const page = await managerPage(KEYS.refurbB);
  assert.equal(await page.isVisible('[data-testid=organisations]'), false);
  const fr = (x, d = 1) => Number(x).toLocaleString('fr-FR', { minimumFractionDigits: d, maximumFractionDigits: d });
  assert.equal(await page.textContent('[data-testid=transport-km]'), fr(r.transport.km));
  assert.equal(await page.textContent('[data-testid=collected]'), fr(13, 0));
  await page.close();
});
