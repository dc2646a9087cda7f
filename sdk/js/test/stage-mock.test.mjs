// Stages in the client SDK against a scripted WebSocket server on 127.0.0.1 (no onair process):
// one object per id, event mapping by target, status tracking from replies and events, the
// automatic open on first use, the re-open after a reconnect. Also the server SDK's HTTP paths
// against a recording HTTP server.
import { test as baseTest, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { connect, OnairError } from '../dist/client/index.js';
import { OnairServer } from '../dist/server/index.js';

const test = (name, fn) => baseTest(name, { timeout: 5000 }, fn);
const FAST = { minDelayMs: 5, maxDelayMs: 20 };
const cleanups = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()();
});

function session() {
  return {
    sessionId: 's_stage', userId: 'vera', name: 'Vera', scope: null,
    expiresAt: new Date(Date.now() + 3600_000).toISOString(), serverTime: new Date().toISOString(),
    server: { version: 'mock' }, keepalive: { pingIntervalMs: 20000, pingTimeoutMs: 10000 },
  };
}

const STAGE = { id: 'st_mock', name: 'Mock', maxPublishers: 12, createdAt: '2024-01-01T00:00:00Z' };
const openResult = (status = 'OFF_STAGE', extra = {}) => ({ stage: STAGE, status, participants: [], participantId: 'p_vera', ...extra });

/**
 * A scripted onair: `handlers[op](args, ctx)` returns a result, or undefined after replying
 * itself (ctx.reply / ctx.error) or to hold the request. Every request is logged.
 */
async function mockOnair(handlers = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const log = [];
  let connections = 0;
  wss.on('connection', (ws) => {
    const conn = connections++;
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString());
      log.push({ conn, op: msg.op, args: msg.args });
      const ctx = {
        conn,
        reply: (result) => ws.send(JSON.stringify({ id: msg.id, result })),
        error: (code, message = code) => ws.send(JSON.stringify({ id: msg.id, error: { code, message } })),
        event: (event, target, data) => ws.send(JSON.stringify({ event, target, data })),
      };
      if (msg.op === 'connect') ctx.reply(session());
      else if (handlers[msg.op]) {
        const result = handlers[msg.op](msg.args, ctx);
        if (result !== undefined) ctx.reply(result);
      } else ctx.reply({});
    });
  });
  const mock = {
    url: `http://127.0.0.1:${wss.address().port}`,
    log,
    ops: (op) => log.filter((m) => m.op === op),
    get connections() { return connections; },
    event(event, target, data) { for (const c of wss.clients) c.send(JSON.stringify({ event, target, data })); },
    dropAll() { for (const c of wss.clients) c.terminate(); },
    until(predicate, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const check = () => {
          if (predicate()) return resolve();
          if (Date.now() - started > timeoutMs) return reject(new Error('condition not met in time'));
          setTimeout(check, 5);
        };
        check();
      });
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    },
  };
  cleanups.push(() => mock.close());
  return mock;
}

async function open(mock) {
  const client = await connect({ url: mock.url, token: 'tok', WebSocket, reconnect: FAST });
  cleanups.push(() => client.close());
  return client;
}

async function rejectsWith(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof OnairError, `expected OnairError, got ${err}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

test('stage(id) gives one object per id and refuses ids the server would refuse', async () => {
  const mock = await mockOnair();
  const client = await open(mock);
  assert.equal(client.stage('st_a'), client.stage('st_a'));
  assert.notEqual(client.stage('st_a'), client.stage('st_b'));
  assert.equal(client.stage('st_a').id, 'st_a');
  assert.equal(client.stage('st_a').status, undefined);
  assert.throws(() => client.stage(''), (e) => e.code === 'invalid_argument');
  assert.throws(() => client.stage('x'.repeat(65)), (e) => e.code === 'invalid_argument');
  assert.equal(mock.ops('stage.open').length, 0, 'getting a stage sends nothing');
});

test('the first call opens the stage once, then sends the op; replies set the status', async () => {
  const mock = await mockOnair({
    'stage.open': () => openResult('OFF_STAGE'),
    'stage.requestAccess': () => ({ status: 'REQUESTED_TO_JOIN_STAGE' }),
    'stage.participants': () => ({ participants: [{ participantId: 'p_vera', userId: 'vera', status: 'REQUESTED_TO_JOIN_STAGE' }] }),
  });
  const client = await open(mock);
  const stage = client.stage('st_mock');
  const [requested, participants] = await Promise.all([stage.requestAccess(), stage.participants()]);
  assert.equal(requested.status, 'REQUESTED_TO_JOIN_STAGE');
  assert.equal(participants[0].userId, 'vera');
  assert.deepEqual(mock.log.filter((m) => m.op !== 'connect').map((m) => m.op), ['stage.open', 'stage.requestAccess', 'stage.participants']);
  assert.deepEqual(mock.ops('stage.requestAccess')[0].args, { stageId: 'st_mock' });
  assert.equal(stage.status, 'REQUESTED_TO_JOIN_STAGE');
  assert.equal(stage.participantId, 'p_vera');
  assert.equal(stage.info.name, 'Mock');
  assert.equal(stage.isHost, false);
  assert.equal(stage.requests, undefined);
  // Opened already: later calls do not open again; an explicit open() refreshes.
  await stage.cancelRequestAccess();
  assert.equal(mock.ops('stage.open').length, 1);
  await stage.open();
  assert.equal(mock.ops('stage.open').length, 2);
  assert.equal(stage.status, 'OFF_STAGE');
});

test('a failed open is tried again by the next call; its error reaches the caller', async () => {
  let opens = 0;
  const mock = await mockOnair({
    'stage.open': (args, ctx) => {
      if (++opens === 1) return void ctx.error('permission', 'your token is not for stage st_mock');
      return openResult('ACCEPTED_TO_JOIN_STAGE');
    },
    'stage.join': () => ({ status: 'ON_STAGE' }),
  });
  const client = await open(mock);
  const stage = client.stage('st_mock');
  await rejectsWith(stage.join(), 'permission');
  assert.equal(mock.ops('stage.join').length, 0, 'nothing is sent after a failed open');
  assert.equal(stage.isOpen, false);
  assert.equal((await stage.join()).status, 'ON_STAGE');
  assert.equal(stage.status, 'ON_STAGE');
  assert.equal(mock.ops('stage.open').length, 2);
});

test('events are routed by target, keep status and requests current, and reach on() handlers', async () => {
  const mock = await mockOnair({ 'stage.open': () => openResult('OFF_STAGE', { requests: [] }) });
  const client = await open(mock);
  const stage = client.stage('st_mock');
  const other = client.stage('st_other');
  const names = ['stageAccessRequestUpdate', 'newStageRequest', 'stageStatusUpdate', 'stageRequestApproved', 'stageRequestRejected',
    'participantJoined', 'participantLeft', 'participantStreamsAdded', 'participantStreamsRemoved'];
  const seen = [];
  const seenOther = [];
  for (const name of names) {
    stage.on(name, (data) => seen.push([name, data]));
    other.on(name, (data) => seenOther.push([name, data]));
  }
  await stage.open();
  assert.equal(stage.isHost, true);
  assert.deepEqual(stage.requests, []);
  const req = { userId: 'val', participantId: 'p_val', requestedAt: '2024-01-01T00:00:01Z' };
  const payloads = {
    stageAccessRequestUpdate: { requests: [req] },
    newStageRequest: { count: 1 },
    stageStatusUpdate: { status: 'ACCEPTED_TO_JOIN_STAGE' },
    stageRequestApproved: {},
    stageRequestRejected: {},
    participantJoined: { participantId: 'p_val', userId: 'val' },
    participantLeft: { participantId: 'p_val', userId: 'val' },
    participantStreamsAdded: { participantId: 'p_val', userId: 'val', streams: [{ kind: 'video', trackId: 't1' }] },
    participantStreamsRemoved: { participantId: 'p_val', userId: 'val', streams: [{ kind: 'video', trackId: 't1' }] },
  };
  // Another stage's events and room events with the same target are not this stage's.
  mock.event('stage.stageStatusUpdate', 'st_elsewhere', { status: 'ON_STAGE' });
  mock.event('room.memberJoined', 'st_mock', { userId: 'x' });
  for (const name of names) mock.event(`stage.${name}`, 'st_mock', payloads[name]);
  await mock.until(() => seen.length === names.length);
  assert.deepEqual(seen, names.map((n) => [n, payloads[n]]));
  assert.deepEqual(seenOther, []);
  assert.equal(stage.status, 'ACCEPTED_TO_JOIN_STAGE');
  assert.deepEqual(stage.requests, [req]);
  assert.equal(other.status, undefined);
  // A malformed status is ignored; a remover stops a handler.
  mock.event('stage.stageStatusUpdate', 'st_mock', { status: 'FLYING' });
  const off = stage.on('stageStatusUpdate', () => assert.fail('removed handler called'));
  off();
  mock.event('stage.stageStatusUpdate', 'st_mock', { status: 'ON_STAGE' });
  await mock.until(() => stage.status === 'ON_STAGE');
  assert.equal(seen.filter(([n]) => n === 'stageStatusUpdate').length, 2);
});

test('a reply does not undo a newer status event that arrived before it', async () => {
  const mock = await mockOnair({
    'stage.open': () => openResult('OFF_STAGE'),
    // The host grants before the reply is sent: the event comes first.
    'stage.requestAccess': (args, ctx) => {
      ctx.event('stage.stageStatusUpdate', 'st_mock', { status: 'REQUESTED_TO_JOIN_STAGE' });
      ctx.event('stage.stageStatusUpdate', 'st_mock', { status: 'ACCEPTED_TO_JOIN_STAGE' });
      return { status: 'REQUESTED_TO_JOIN_STAGE' };
    },
  });
  const client = await open(mock);
  const stage = client.stage('st_mock');
  await stage.requestAccess();
  assert.equal(stage.status, 'ACCEPTED_TO_JOIN_STAGE');
});

test('after a reconnect an opened stage is opened again before queued requests; changes are reported', async () => {
  let status = 'ON_STAGE';
  const mock = await mockOnair({
    'stage.open': () => openResult(status, { requests: status === 'ON_STAGE' ? [] : [{ userId: 'w', participantId: 'p_w', requestedAt: 'x' }] }),
    'stage.participants': () => ({ participants: [] }),
  });
  const client = await open(mock);
  const stage = client.stage('st_mock');
  const never = client.stage('st_never');
  await stage.open();
  assert.equal(stage.status, 'ON_STAGE');
  const updates = [];
  stage.on('stageStatusUpdate', (d) => updates.push(d.status));
  const requestLists = [];
  stage.on('stageAccessRequestUpdate', (d) => requestLists.push(d.requests.map((r) => r.userId)));
  // While disconnected the server set this user OFF_STAGE (its last connection closed).
  status = 'OFF_STAGE';
  const reconnected = new Promise((r) => client.once('connected', r));
  const dropped = new Promise((r) => client.once('disconnected', r));
  mock.dropAll();
  await dropped;
  const queued = stage.participants();  // issued while reconnecting: sent after the re-open
  await reconnected;
  await queued;
  const second = mock.log.filter((m) => m.conn === 1 && m.op !== 'connect').map((m) => m.op);
  assert.deepEqual(second, ['stage.open', 'stage.participants']);
  await mock.until(() => stage.status === 'OFF_STAGE');
  assert.deepEqual(updates, ['OFF_STAGE']);
  assert.deepEqual(requestLists, [['w']]);
  assert.equal(never.isOpen, false);
  assert.equal(mock.ops('stage.open').filter((m) => m.args.stageId === 'st_never').length, 0, 'a stage never opened is not opened');
});

test('a re-open refused for good stops the automatic re-opens and is reported as an error', async () => {
  let gone = false;
  const mock = await mockOnair({
    'stage.open': (args, ctx) => (gone ? void ctx.error('not_found', 'no stage st_mock') : openResult('OFF_STAGE')),
  });
  const client = await open(mock);
  const stage = client.stage('st_mock');
  await stage.open();
  gone = true;
  const error = new Promise((r) => client.once('error', r));
  mock.dropAll();
  assert.equal((await error).code, 'not_found');
  assert.equal(stage.isOpen, false);
  const opens = mock.ops('stage.open').length;
  const again = new Promise((r) => client.once('connected', r));
  mock.dropAll();
  await again;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(mock.ops('stage.open').length, opens);
});

test('arguments are checked before anything is sent', async () => {
  const mock = await mockOnair({ 'stage.open': () => openResult() });
  const client = await open(mock);
  const stage = client.stage('st_mock');
  await rejectsWith(stage.grantAccess([]), 'invalid_argument');
  await rejectsWith(stage.denyAccess([''], 'invalid_argument'), 'invalid_argument');
  await rejectsWith(stage.kick(undefined), 'invalid_argument');
  await rejectsWith(stage.setSubscribeType('p_1', 'VIDEO_ONLY'), 'invalid_argument');
  await rejectsWith(stage.setSubscribeType('', 'NONE'), 'invalid_argument');
  assert.equal(mock.log.filter((m) => m.op !== 'connect').length, 0);
  await stage.grantAccess(['a', 'b']);
  await stage.setSubscribeType('p_1', 'AUDIO_ONLY');
  assert.equal(stage.announceStreams, undefined, 'streams appear only by being published');
  assert.deepEqual(mock.log.filter((m) => m.op !== 'connect').map((m) => [m.op, m.args]), [
    ['stage.open', { stageId: 'st_mock' }],
    ['stage.grantAccess', { stageId: 'st_mock', userIds: ['a', 'b'] }],
    ['stage.setSubscribeType', { stageId: 'st_mock', participantId: 'p_1', type: 'AUDIO_ONLY' }],
  ]);
});

test('server.stages uses the documented paths and bodies', async () => {
  const seen = [];
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      seen.push([req.method, req.url, body ? JSON.parse(body) : undefined]);
      res.setHeader('content-type', 'application/json');
      if (req.url.endsWith('/participant-tokens')) {
        return res.end(JSON.stringify({ token: 't', participantId: 'p_1', userId: 'u', expirationTime: '2030-01-01T00:00:00Z', extra: 1 }));
      }
      if (req.url === '/v1/stages' && req.method === 'GET') return res.end(JSON.stringify({ stages: [STAGE] }));
      if (req.url.endsWith('/participants')) return res.end(JSON.stringify({ participants: [] }));
      if (req.url.includes('missing')) {
        res.statusCode = 404;
        return res.end(JSON.stringify({ error: { code: 'not_found', message: 'no stage' } }));
      }
      res.end(JSON.stringify(req.method === 'DELETE' || req.url.endsWith('/disconnect') ? { ok: true } : STAGE));
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  cleanups.push(() => new Promise((r) => http.close(r)));
  const server = new OnairServer({ url: `http://127.0.0.1:${http.address().port}`, apiKey: 'k', apiSecret: 's' });
  await server.stages.create({ name: 'Show', maxPublishers: 2, ignored: true });
  assert.deepEqual(await server.stages.list(), [STAGE]);
  await server.stages.get('st_1');
  await server.stages.update('st_1', { name: 'Show 2' });
  const token = await server.stages.createParticipantToken({ stageId: 'st_1', userId: 'u', role: 'host', capabilities: ['PUBLISH'], duration: 5, attributes: { a: 'b' } });
  assert.deepEqual(token, { token: 't', participantId: 'p_1', userId: 'u', expirationTime: '2030-01-01T00:00:00Z' });
  assert.deepEqual(await server.stages.listParticipants('st_1'), []);
  await server.stages.disconnectParticipant('st_1', 'p_1', 'bye');
  await server.stages.delete('st_1');
  await rejectsWith(server.stages.get('missing'), 'not_found');
  await rejectsWith(server.stages.createParticipantToken({ stageId: 'st_1' }), 'invalid_argument');
  await rejectsWith(server.stages.create({}), 'invalid_argument');
  assert.deepEqual(seen.slice(0, 8), [
    ['POST', '/v1/stages', { name: 'Show', maxPublishers: 2 }],
    ['GET', '/v1/stages', undefined],
    ['GET', '/v1/stages/st_1', undefined],
    ['PATCH', '/v1/stages/st_1', { name: 'Show 2' }],
    ['POST', '/v1/stages/st_1/participant-tokens', { userId: 'u', capabilities: ['PUBLISH'], duration: 5, attributes: { a: 'b' }, role: 'host' }],
    ['GET', '/v1/stages/st_1/participants', undefined],
    ['POST', '/v1/stages/st_1/participants/p_1/disconnect', { reason: 'bye' }],
    ['DELETE', '/v1/stages/st_1', undefined],
  ]);
});
