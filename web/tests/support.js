// What the browser tests share: the `tournee` binary started on a free
// loopback port (its own SQLite file), Debian's headless Chromium, and a
// wait for a condition. Not a test file itself (node --test runs *.test.js).

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const shots = join(repo, 'target', 'screenshots');
const bin = process.env.TOURNEE_BIN || join(repo, 'target', 'release', 'tournee');

export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Runs `tournee ARGS --addr 127.0.0.1:0`; resolves with the process and its URL. */
export function startTournee(args) {
  const server = spawn(bin, [...args, '--addr', '127.0.0.1:0', '--tile-url', ''], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  server.stderr.on('data', () => {});
  return new Promise((resolve, reject) => {
    server.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ server, base: m[1] });
    });
    server.on('exit', (code) => reject(new Error(`tournee ${args[0]} exited with ${code}`)));
  });
}

/** The local addok the cargo tests use (scripts/addok-test-server.sh), started if it is not up. */
export function addok() {
  const env = join(repo, 'target', 'addok', 'env');
  const read = () => (existsSync(env) ? /ADDOK_URL=(\S+)/.exec(readFileSync(env, 'utf8'))?.[1] : null);
  return read() || /ADDOK_URL=(\S+)/.exec(execFileSync(join(repo, 'scripts', 'addok-test-server.sh'), ['start'], { encoding: 'utf8' }))[1];
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Waits until `probe()` returns something truthy (or fails after `ms`). */
export async function until(probe, ms = 20000, what = 'condition') {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
