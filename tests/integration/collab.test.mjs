// Collab credentials through the wire protocol, against the real binary: room tokens
// (collab.token) and TURN REST credentials (collab.turnCredentials) checked against a real
// coturn started by the test.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startOnair } from '../support/onair.mjs';
import { connectClient, connectReply, ok } from '../support/client.mjs';
import { now } from '../support/tokens.mjs';
import { coturnAvailable, startCoturn, turnCredential, uclientAllocate } from '../support/coturn.mjs';

const decode = (part) => JSON.parse(Buffer.from(part, 'base64url').toString());

// Splits a JWT and checks its HS256 signature with `secret` (computed here, not by onair).
function readJwt(token, secret) {
  const [h, p, s] = token.split('.');
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
  return { header: decode(h), payload: decode(p), valid: s === expected };
}

const collab = (pattern, ...actions) => ({ collab: { [pattern]: actions } });

// The collab secret onair generated in its data folder (no collab.token_secret configured).
function generatedCollabSecret(srv) {
  const file = join(srv.dataDir, 'credentials.toml');
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  return text.match(/\[collab\]\s*token_secret = "([^"]+)"/)?.[1];
}

async function fail(client, op, args) {
  const r = await client.request(op, args);
  assert.ok(r.error, `${op} should fail: ${JSON.stringify(r)}`);
  return r.error;
}

describe('collab.token', () => {
  let srv;
  before(async () => { srv = await startOnair(); });
  after(async () => { await srv.stop(); });

  test('the first start generates a collab secret of its own in credentials.toml (mode 0600)', () => {
    const file = join(srv.dataDir, 'credentials.toml');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const secret = generatedCollabSecret(srv);
    assert.ok(secret && secret.length >= 32, 'credentials.toml holds [collab] token_secret');
    assert.notEqual(secret, srv.apiSecret);
    assert.ok(!srv.output().includes(secret), 'the collab secret is never logged');
  });

  test('a read-write grant mints a read-write token signed with the collab secret, 600 s by default', async () => {
    const c = await connectClient(srv, { sub: 'alice', grants: collab('doc_*', 'read-write') });
    const before = now();
    const r = await ok(c, 'collab.token', { room: 'doc_plan', kind: 'workspace' });
    assert.equal(r.scope, 'read-write');
    const { header, payload, valid } = readJwt(r.token, generatedCollabSecret(srv));
    assert.ok(valid, 'HS256 signature verifies with the generated collab secret');
    assert.equal(readJwt(r.token, srv.apiSecret).valid, false, 'and not with the API secret');
    assert.equal(header.alg, 'HS256');
    assert.equal(header.kid, undefined);
    assert.deepEqual(Object.keys(payload).sort(), ['aud', 'exp', 'iat', 'kind', 'room', 'scope', 'sub']);
    assert.equal(payload.aud, 'onair-collab');
    assert.equal(payload.sub, 'alice');
    assert.equal(payload.room, 'doc_plan');
    assert.equal(payload.kind, 'workspace');
    assert.equal(payload.scope, 'read-write');
    assert.ok(payload.iat >= before && payload.iat <= now());
    assert.equal(payload.exp - payload.iat, 600);
    assert.equal(Date.parse(r.expiresAt), payload.exp * 1000);
    assert.equal(readJwt(r.token, 'another secret').valid, false);
    c.close();
  });

  test('a collab room token is no access token: connect refuses it with unauthenticated', async () => {
    const c = await connectClient(srv, { sub: 'alice', grants: collab('doc_*', 'read-write') });
    const { token } = await ok(c, 'collab.token', { room: 'doc_plan', kind: 'workspace' });
    c.close();
    const reply = await connectReply(srv, token);
    assert.equal(reply.error?.code, 'unauthenticated', JSON.stringify(reply));
  });

  test('a readonly grant mints a readonly token; read-write wins when both match', async () => {
    const reader = await connectClient(srv, { sub: 'bob', grants: collab('doc_*', 'readonly') });
    const r = await ok(reader, 'collab.token', { room: 'doc_plan', kind: 'item', ttl: 30 });
    assert.equal(r.scope, 'readonly');
    const { payload, valid } = readJwt(r.token, generatedCollabSecret(srv));
    assert.ok(valid);
    assert.equal(payload.scope, 'readonly');
    assert.equal(payload.kind, 'item');
    assert.equal(payload.exp - payload.iat, 30);
    reader.close();

    const both = await connectClient(srv, { sub: 'carol', grants: { collab: { '*': ['readonly'], 'doc_plan': ['read-write'] } } });
    assert.equal((await ok(both, 'collab.token', { room: 'doc_plan', kind: 'code' })).scope, 'read-write');
    assert.equal((await ok(both, 'collab.token', { room: 'doc_other', kind: 'code' })).scope, 'readonly');
    both.close();
  });

  test('without a collab grant on the room the answer is permission', async () => {
    const c = await connectClient(srv, { sub: 'dave', grants: { room: { '*': ['*'] }, ...collab('team_*', 'read-write') } });
    const e = await fail(c, 'collab.token', { room: 'doc_plan', kind: 'workspace' });
    assert.equal(e.code, 'permission');
    assert.match(e.message, /doc_plan/);
    c.close();
  });

  test('bad arguments are invalid_argument naming the field', async () => {
    const c = await connectClient(srv, { sub: 'erin', grants: collab('*', 'read-write') });
    const cases = [
      [{ room: 'doc_plan', kind: 'spreadsheet' }, /kind/],
      [{ room: 'doc_plan' }, /kind/],
      [{ room: 'doc_plan', kind: 42 }, /kind/],
      [{ room: 'doc plan!', kind: 'item' }, /room/],
      [{ kind: 'item' }, /room/],
      [{ room: 'doc_plan', kind: 'item', ttl: 601 }, /ttl/],
      [{ room: 'doc_plan', kind: 'item', ttl: 0 }, /ttl/],
      [{ room: 'doc_plan', kind: 'item', ttl: 'long' }, /ttl/],
    ];
    for (const [args, field] of cases) {
      const e = await fail(c, 'collab.token', args);
      assert.equal(e.code, 'invalid_argument', JSON.stringify(args));
      assert.match(e.message, field, JSON.stringify(args));
    }
    c.close();
  });

  test('TURN credentials are not_found when turn.urls is not set', async () => {
    const c = await connectClient(srv, { sub: 'alice', grants: {} });
    const e = await fail(c, 'collab.turnCredentials', {});
    assert.equal(e.code, 'not_found');
    assert.match(e.message, /turn\.urls/);
    c.close();
  });
});

describe('collab.token with its own secret and ttl', () => {
  let srv;
  const secret = randomBytes(24).toString('base64url');
  before(async () => { srv = await startOnair({ args: ['--collab-token-secret', secret, '--collab-token-ttl-seconds', '120'] }); });
  after(async () => { await srv.stop(); });

  test('tokens verify with collab.token_secret (not the API secret) and ttl is capped by the config', async () => {
    const c = await connectClient(srv, { sub: 'alice', grants: collab('*', 'read-write') });
    const r = await ok(c, 'collab.token', { room: 'doc_plan', kind: 'code' });
    const jwt = readJwt(r.token, secret);
    assert.ok(jwt.valid);
    assert.equal(readJwt(r.token, srv.apiSecret).valid, false);
    assert.equal(generatedCollabSecret(srv), undefined, 'a configured secret is not generated');
    assert.equal(jwt.payload.exp - jwt.payload.iat, 120);
    const e = await fail(c, 'collab.token', { room: 'doc_plan', kind: 'code', ttl: 121 });
    assert.equal(e.code, 'invalid_argument');
    assert.match(e.message, /ttl/);
    c.close();
  });
});

describe('collab.turnCredentials against a real coturn', { skip: coturnAvailable() ? false : 'coturn is not installed (apt-get install coturn)' }, () => {
  let turn;
  let srv;
  before(async () => {
    turn = await startCoturn();
    srv = await startOnair({
      args: ['--turn-urls', `turn:127.0.0.1:${turn.port}, turn:127.0.0.1:${turn.port}?transport=tcp`,
        '--turn-secret', turn.secret, '--turn-ttl-seconds', '600'],
    });
  });
  after(async () => {
    await srv?.stop();
    await turn?.stop();
  });

  // coturn (with --verbose) logs one line per processed request, naming the user.
  const allocated = (username) => turn.output().includes(`user <${username}>: incoming packet ALLOCATE processed, success`);
  const refused = (username) => new RegExp(`user <${username.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}>: .*error 401`).test(turn.output());

  async function eventually(pred, ms = 2000) {
    const deadline = Date.now() + ms;
    while (!pred() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return pred();
  }

  test('credentials from onair follow the REST scheme and allocate on coturn', async () => {
    const c = await connectClient(srv, { sub: 'alice', grants: {} });
    const before = now();
    const r = await ok(c, 'collab.turnCredentials', {});
    assert.deepEqual(r.urls, [`turn:127.0.0.1:${turn.port}`, `turn:127.0.0.1:${turn.port}?transport=tcp`]);
    assert.equal(r.ttl, 600);
    const [expiry, user] = r.username.split(':');
    assert.equal(user, 'alice');
    assert.ok(Number(expiry) >= before + 600 && Number(expiry) <= now() + 600, r.username);
    assert.equal(r.credential, turnCredential(turn.secret, r.username));
    c.close();

    const run = await uclientAllocate(turn.port, r.username, r.credential);
    assert.equal(run.code, 0, `turnutils_uclient failed:\n${run.output}\ncoturn:\n${turn.output().slice(-3000)}`);
    assert.doesNotMatch(run.output, /Cannot complete Allocation/);
    assert.ok(await eventually(() => allocated(r.username)), `coturn logged no successful allocation:\n${turn.output().slice(-3000)}`);
  });

  test('an expired credential is refused', async () => {
    const username = `${now() - 60}:eve`;
    const run = await uclientAllocate(turn.port, username, turnCredential(turn.secret, username));
    assert.notEqual(run.code, 0, run.output);
    assert.match(run.output, /Cannot complete Allocation/);
    assert.ok(await eventually(() => refused(username)), `coturn did not log a 401 for ${username}`);
    assert.equal(allocated(username), false);
  });

  test('a credential made with the wrong secret is refused', async () => {
    const username = `${now() + 600}:mallory`;
    const run = await uclientAllocate(turn.port, username, turnCredential('not-the-secret', username));
    assert.notEqual(run.code, 0, run.output);
    assert.match(run.output, /Cannot complete Allocation/);
    assert.ok(await eventually(() => refused(username)), `coturn did not log a 401 for ${username}`);
    assert.equal(allocated(username), false);
  });
});
