// The onair command line and its logs, run as a user would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, statSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOnair, onairBinary } from '../support/onair.mjs';
import { randomSecret } from '../support/tokens.mjs';
import { connectReply } from '../support/client.mjs';

const run = (args, env = {}) => spawnSync(onairBinary, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 10_000 });

test('version and help teach', () => {
  assert.match(run(['version']).stdout, /^onair \d+\.\d+\.\d+/);
  const help = run(['--help']);
  assert.equal(help.status, 0);
  for (const word of ['serve', 'token', 'config', 'version']) assert.ok(help.stdout.includes(word));
  const serveHelp = run(['serve', '--help']).stdout;
  assert.ok(serveHelp.includes('--http-port') && serveHelp.includes('ONAIR_HTTP_PORT') && serveHelp.includes('--log-format'));
});

test('token create prints a token that connects, with the grants asked for', async () => {
  const srv = await startOnair();
  try {
    const env = { ONAIR_API_KEY: srv.apiKey, ONAIR_API_SECRET: srv.apiSecret };
    const out = run(['token', 'create', '--user', 'carol', '--name', 'Carol', '--ttl', '15m',
      '--grant', 'room:project_*:publish,subscribe', '--grant', 'live:content:*:attach', '--attr', 'team=blue'], env);
    assert.equal(out.status, 0, out.stderr);
    const token = out.stdout.trim();
    assert.equal(token.split('.').length, 3);
    assert.ok(!out.stdout.includes(srv.apiSecret) && !out.stderr.includes(srv.apiSecret));
    const reply = await connectReply(srv, token);
    assert.equal(reply.result.userId, 'carol');
    const exp = Date.parse(reply.result.expiresAt);
    assert.ok(Math.abs(exp - (Date.now() + 15 * 60_000)) < 5000);
  } finally {
    await srv.stop();
  }
});

test('token create refuses a bad grant or ttl with exit code 2 and a reason', () => {
  const env = { ONAIR_API_KEY: 'APIclitest', ONAIR_API_SECRET: randomSecret() };
  const badGrant = run(['token', 'create', '--user', 'x', '--grant', 'room:x:fly'], env);
  assert.equal(badGrant.status, 2);
  assert.match(badGrant.stderr, /unknown action 'fly'/);
  const badTtl = run(['token', 'create', '--user', 'x', '--ttl', 'forever'], env);
  assert.equal(badTtl.status, 2);
  assert.match(badTtl.stderr, /--ttl/);
});

test('token create refuses a token over 8 KiB with exit code 2 naming its size', () => {
  const env = { ONAIR_API_KEY: 'APIclitest', ONAIR_API_SECRET: randomSecret() };
  const big = run(['token', 'create', '--user', 'x', '--attr', `note=${'x'.repeat(7000)}`], env);
  assert.equal(big.status, 2);
  assert.equal(big.stdout, '');
  assert.match(big.stderr, /the token would be \d+ bytes, over the 8192 bytes onair accepts/);
  const fits = run(['token', 'create', '--user', 'x', '--attr', `note=${'x'.repeat(5000)}`], env);
  assert.equal(fits.status, 0, fits.stderr);
  assert.ok(fits.stdout.trim().length <= 8192);
});

test('first start generates a private development key; token create uses it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onair-cli-'));
  try {
    const env = { ONAIR_API_KEY: '', ONAIR_API_SECRET: '' };
    const out = run(['token', 'create', '--data-dir', dir, '--user', 'dev'], env);
    assert.equal(out.status, 0, out.stderr);
    const file = join(dir, 'credentials.toml');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const key = readFileSync(file, 'utf8').match(/key = "([^"]+)"/)[1];
    const header = JSON.parse(Buffer.from(out.stdout.trim().split('.')[0], 'base64url').toString());
    assert.equal(header.kid, key);
    assert.equal(header.alg, 'HS256');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('configuration errors exit 2 naming the key; a busy port exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onair-cfg-'));
  try {
    const cfg = join(dir, 'onair.toml');
    writeFileSync(cfg, '[http]\nprot = 1\n');
    const bad = run(['serve', '--config', cfg, '--data-dir', dir]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown key 'http.prot'/);
    const badEnv = run(['serve', '--data-dir', dir], { ONAIR_HTTP_PORT: 'eighty' });
    assert.equal(badEnv.status, 2);
    assert.match(badEnv.stderr, /ONAIR_HTTP_PORT.*http.port must be an integer/);
    const srv = await startOnair();
    try {
      const busy = run(['serve', '--http-port', String(srv.port), '--data-dir', dir, '--rtc-first-port', '0']);
      assert.equal(busy.status, 1);
      assert.match(busy.stdout + busy.stderr, /cannot listen on 127\.0\.0\.1:\d+/);
    } finally {
      await srv.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a busy WebRTC UDP port or a port range past 65535 stops start-up with exit 1 naming the keys', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onair-udp-'));
  const socket = createSocket('udp4');
  try {
    await new Promise((res) => socket.bind(0, '127.0.0.1', res));
    const taken = socket.address().port;
    const busy = run(['serve', '--http-port', '0', '--data-dir', dir, '--threads', '1', '--rtc-first-port', String(taken)]);
    assert.equal(busy.status, 1);
    assert.match(busy.stdout + busy.stderr, new RegExp(`cannot open the WebRTC UDP sockets on 127\\.0\\.0\\.1 from port ${taken}.*rtc\\.first_port`));
    const past = run(['serve', '--http-port', '0', '--data-dir', dir, '--threads', '2', '--rtc-first-port', '65535']);
    assert.equal(past.status, 1);
    assert.match(past.stdout + past.stderr, /past 65535/);
  } finally {
    socket.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('json logs are one object per line and never contain tokens or secrets', async () => {
  const srv = await startOnair({ args: ['--log-format', 'json', '--log-level', 'debug'] });
  const forged = `${Buffer.from('{"alg":"HS256","kid":"' + srv.apiKey + '"}').toString('base64url')}.` +
    `${Buffer.from('{"sub":"eve","exp":1}').toString('base64url')}.c2lnbmF0dXJl`;
  const reply = await connectReply(srv, forged);
  assert.equal(reply.error.code, 'unauthenticated');
  await srv.stop();
  const lines = srv.output().trim().split('\n').filter(Boolean);
  assert.ok(lines.length >= 3);
  for (const line of lines) {
    const entry = JSON.parse(line);
    assert.ok(entry.ts && entry.level && typeof entry.msg === 'string', line);
  }
  const all = srv.output();
  assert.ok(all.includes('connect refused'), 'the refusal is logged');
  assert.ok(!all.includes(forged) && !all.includes(forged.split('.')[2]), 'the token must not be logged');
  assert.ok(!all.includes(srv.apiSecret), 'the secret must not be logged');
  assert.ok(!all.includes(srv.apiKey), 'the API key must not be logged');
});
