// The development-only demo stream rooms (POST /v1/demo/streams) against the real binary: a room
// per name in the context "demo", made once and shared, each caller added to its users; demo
// tokens join, publish and subscribe there and reach no other context, and manage nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startOnair } from '../support/onair.mjs';
import { apiCredential } from '../support/tokens.mjs';
import { connectClient, ok } from '../support/client.mjs';

let srv;
before(async () => { srv = await startOnair({ args: ['--dev-demo-tokens', 'on'] }); });
after(async () => { await srv?.stop(); });

const post = (path, body, auth) => fetch(srv.url + path, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
  body: JSON.stringify(body),
});

async function openRoom(name, user) {
  const res = await post('/v1/demo/streams', { name, user });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body;
}

const apiRoom = async (id) => (await fetch(`${srv.url}/v1/streams/rooms/${id}`, { headers: { authorization: `Bearer ${apiCredential(srv)}` } })).json();

async function demoClient(user) {
  const { token } = await (await post('/v1/demo/token', { user })).json();
  return connectClient(srv, { token });
}

test('a room per name in the context "demo": made once, every caller among its users', async () => {
  const first = await openRoom('standup', 'ana');
  assert.match(first.streamRoomId, /^sr_/);
  assert.equal(first.contextId, 'demo');
  assert.equal(first.name, 'standup');
  const again = await openRoom('standup', 'ben');
  assert.equal(again.streamRoomId, first.streamRoomId);
  assert.equal((await openRoom('standup', 'ana')).streamRoomId, first.streamRoomId);
  const room = await apiRoom(first.streamRoomId);
  assert.deepEqual(room.users, ['ana', 'ben']);
  assert.equal(room.contextId, 'demo');
  assert.deepEqual(room.policy, { demoName: 'standup' });
  assert.notEqual((await openRoom('retro', 'ana')).streamRoomId, first.streamRoomId);
});

test('first uses of one name at once make one room with all of the callers', async () => {
  const users = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
  const rooms = await Promise.all(users.map((u) => openRoom('rush hour', u)));
  const ids = new Set(rooms.map((r) => r.streamRoomId));
  assert.equal(ids.size, 1, JSON.stringify(rooms));
  const room = await apiRoom([...ids][0]);
  assert.deepEqual([...room.users].sort(), users);
  // The losers' rooms were deleted again: the context holds one room of that name.
  const list = await (await fetch(`${srv.url}/v1/streams/rooms?contextId=demo&limit=1000`, { headers: { authorization: `Bearer ${apiCredential(srv)}` } })).json();
  assert.equal(list.readItems.filter((r) => r.policy?.demoName === 'rush hour').length, 1, JSON.stringify(list.readItems.map((r) => r.policy)));
});

test('a demo room deleted through the server API is made anew on its next use', async () => {
  const old = await openRoom('phoenix', 'ana');
  const del = await fetch(`${srv.url}/v1/streams/rooms/${old.streamRoomId}`, { method: 'DELETE', headers: { authorization: `Bearer ${apiCredential(srv)}` } });
  assert.equal(del.status, 200);
  const fresh = await openRoom('phoenix', 'ben');
  assert.notEqual(fresh.streamRoomId, old.streamRoomId);
  assert.deepEqual((await apiRoom(fresh.streamRoomId)).users, ['ben']);
  assert.equal((await openRoom('phoenix', 'ana')).streamRoomId, fresh.streamRoomId);
});

test('names and users are checked: 400 invalid_argument', async () => {
  for (const body of [{ name: '', user: 'a' }, { name: 'x'.repeat(65), user: 'a' }, { name: 'a/b', user: 'a' }, { name: ' lead', user: 'a' },
    { name: 'ok' }, { user: 'a' }, { name: 'ok', user: '' }]) {
    const res = await post('/v1/demo/streams', body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal((await res.json()).error.code, 'invalid_argument');
  }
});

test('demo tokens join and list in demo rooms only; no manage; no other context', async () => {
  const room = await openRoom('lobby', 'dora');
  const dora = await demoClient('dora');
  const stranger = await demoClient('sam');  // not among the room's users
  try {
    const joined = await ok(dora, 'streams.joinStreamRoom', { streamRoomId: room.streamRoomId });
    assert.deepEqual(joined.members, ['dora']);
    assert.deepEqual((await ok(dora, 'streams.listStreams', { streamRoomId: room.streamRoomId })).streams, []);
    // Not a user of the room (no POST /v1/demo/streams for it): permission.
    const refused = await stranger.request('streams.joinStreamRoom', { streamRoomId: room.streamRoomId });
    assert.equal(refused.error?.code, 'permission', JSON.stringify(refused));

    // No manage in the demo context: creating, changing and deleting rooms is refused.
    const created = await dora.request('streams.createStreamRoom', { contextId: 'demo', users: ['dora'], managers: ['dora'] });
    assert.equal(created.error?.code, 'permission', JSON.stringify(created));
    const removed = await dora.request('streams.deleteStreamRoom', { streamRoomId: room.streamRoomId });
    assert.equal(removed.error?.code, 'permission', JSON.stringify(removed));

    // A room of the app, even one that lists the demo user, is out of reach.
    const res = await post('/v1/streams/rooms', { contextId: 'app', users: ['dora'], managers: [] }, apiCredential(srv));
    const appRoom = (await res.json()).streamRoomId;
    for (const [op, args] of [['streams.joinStreamRoom', { streamRoomId: appRoom }], ['streams.getStreamRoom', { streamRoomId: appRoom }],
      ['streams.listStreamRooms', { contextId: 'app' }], ['streams.subscribeContext', { contextId: 'app' }],
      ['streams.createStreamRoom', { contextId: 'app', users: ['dora'], managers: ['dora'] }]]) {
      const r = await dora.request(op, args);
      assert.equal(r.error?.code, 'permission', `${op}: ${JSON.stringify(r)}`);
    }
  } finally {
    dora.close();
    stranger.close();
  }
});

test('the demo streams route refuses a Host that is not loopback with 403 permission', async () => {
  const res = await new Promise((resolve, reject) => {
    const req = request(`${srv.url}/v1/demo/streams`, { method: 'POST', headers: { host: 'evil.example', 'content-type': 'application/json' } }, (r) => {
      let text = '';
      r.on('data', (c) => { text += c; });
      r.on('end', () => resolve({ status: r.statusCode, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ name: 'x', user: 'x' }));
  });
  assert.equal(res.status, 403);
  assert.equal(res.body.error.code, 'permission');
});
