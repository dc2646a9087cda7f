// Rooms and channels under misuse: a connection's subscription limit, idempotency keys scoped to
// their publisher, and a publish racing a destroy. Against the real binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { connectClient, ok, allGrants } from '../support/client.mjs';
import { openRaw, text } from '../support/wsraw.mjs';
import { apiCredential, clientToken } from '../support/tokens.mjs';

const LIMIT = 3;
let srv;
before(async () => { srv = await startOnair({ args: ['--rooms-max-subscriptions-per-connection', String(LIMIT)] }); });
after(async () => { await srv.stop(); });

let counter = 0;
const unique = (prefix) => `${prefix}_${process.pid}_${++counter}`;

async function refused(client, op, args, code) {
  const r = await client.request(op, args);
  assert.ok(r.error, `${op} should fail with ${code}, got ${JSON.stringify(r.result)}`);
  assert.equal(r.error.code, code, r.error.message);
  return r.error;
}

test('a connection holds at most the configured room joins and channel subscriptions together', async () => {
  const c = await connectClient(srv, { sub: 'hoarder' });
  const [roomA, channelB, roomC, channelD, roomE] = ['a', 'b', 'c', 'd', 'e'].map((n) => unique(n));
  await ok(c, 'room.join', { room: roomA });
  await ok(c, 'channel.subscribe', { channel: channelB });
  await ok(c, 'room.join', { room: roomC });

  const error = await refused(c, 'channel.subscribe', { channel: channelD }, 'cap_exceeded');
  assert.match(error.message, /3 room joins and channel subscriptions/);
  assert.match(error.message, /leave a room or unsubscribe a channel/);
  await refused(c, 'room.join', { room: roomE }, 'cap_exceeded');

  // Still connected, and a repeat of a held subscription takes no new place.
  await ok(c, 'sys.ping');
  await ok(c, 'channel.subscribe', { channel: channelB });
  await ok(c, 'room.join', { room: roomA });

  // Leaving frees a place, for a channel or a room alike.
  await ok(c, 'channel.unsubscribe', { channel: channelB });
  await ok(c, 'channel.subscribe', { channel: channelD });
  await refused(c, 'room.join', { room: roomE }, 'cap_exceeded');
  await ok(c, 'room.leave', { room: roomA });
  await ok(c, 'room.join', { room: roomE });

  // The limit is per connection: another connection of the same user has its own.
  const other = await connectClient(srv, { sub: 'hoarder' });
  await ok(other, 'room.join', { room: roomA });
  other.close();

  // Messages still reach the held subscriptions.
  const sent = await ok(c, 'channel.publish', { channel: channelD, type: 't', data: 1 });
  const got = await c.waitEvent((e) => e.event === 'channel.message' && e.target === channelD);
  assert.equal(got.data.offset, sent.offset);
  c.close();
});

test('subscriptions requested in one burst cannot overshoot the limit', async () => {
  const c = await connectClient(srv, { sub: 'burst' });
  const names = Array.from({ length: LIMIT + 3 }, () => unique('burst'));
  const replies = await Promise.all(names.map((channel) => c.request('channel.subscribe', { channel })));
  assert.equal(replies.filter((r) => r.result).length, LIMIT);
  assert.deepEqual(replies.filter((r) => r.error).map((r) => r.error.code), ['cap_exceeded', 'cap_exceeded', 'cap_exceeded']);
  // A refused request holds no place: once one is given back, exactly one more fits.
  const held = names.filter((_, i) => replies[i].result);
  await ok(c, 'channel.unsubscribe', { channel: held[0] });
  await ok(c, 'channel.subscribe', { channel: unique('after') });
  await refused(c, 'channel.subscribe', { channel: unique('over') }, 'cap_exceeded');
  c.close();
});

test('a subscription dropped by a destroy gives its place back', async () => {
  const c = await connectClient(srv, { sub: 'destroyed' });
  const rooms = Array.from({ length: LIMIT }, () => unique('gone'));
  for (const room of rooms) await ok(c, 'room.join', { room });
  await refused(c, 'room.join', { room: unique('more') }, 'cap_exceeded');
  await ok(c, 'room.destroy', { room: rooms[0] });
  await c.waitEvent((e) => e.event === 'room.destroyed' && e.target === rooms[0]);
  await ok(c, 'room.join', { room: unique('more') });
  c.close();
});

test('idempotency keys belong to their publisher: another user reusing one is stored and delivered', async () => {
  const room = unique('keys');
  const watcher = await connectClient(srv, { sub: 'watcher' });
  await ok(watcher, 'room.join', { room });
  const alice = await connectClient(srv, { sub: 'alice' });
  const bob = await connectClient(srv, { sub: 'bob' });

  const a = await ok(alice, 'room.publish', { room, type: 'note', data: { from: 'alice' }, idempotencyKey: 'k1' });
  const b = await ok(bob, 'room.publish', { room, type: 'note', data: { from: 'bob' }, idempotencyKey: 'k1' });
  assert.equal(a.duplicate, false);
  assert.equal(b.duplicate, false, 'bob used a key alice used first: his message must not be dropped');
  assert.equal(b.offset, a.offset + 1);
  const delivered = await watcher.waitEvent((e) => e.event === 'room.message' && e.data.publisher === 'bob');
  assert.deepEqual(delivered.data.data, { from: 'bob' });

  // The server API is a publisher of its own.
  const auth = { authorization: `Bearer ${apiCredential(srv)}`, 'content-type': 'application/json' };
  const viaApi = () => fetch(`${srv.url}/v1/rooms/${room}/publish`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'note', data: { from: 'server' }, idempotencyKey: 'k1' }) }).then((r) => r.json());
  const s1 = await viaApi();
  assert.equal(s1.duplicate, false);
  assert.equal(s1.offset, b.offset + 1);
  const s2 = await viaApi();
  assert.equal(s2.duplicate, true);
  assert.equal(s2.offset, s1.offset);

  // Each publisher's retry is still a duplicate of its own message.
  const again = await ok(bob, 'room.publish', { room, type: 'note', data: { from: 'bob' }, idempotencyKey: 'k1' });
  assert.equal(again.duplicate, true);
  assert.equal(again.offset, b.offset);
  assert.equal(again.timestamp, b.timestamp);
  const history = await ok(watcher, 'room.history', { room, direction: 'forward' });
  assert.deepEqual(history.messages.map((m) => m.publisher), ['alice', 'bob', null]);
  for (const c of [watcher, alice, bob]) c.close();
});

test('a key reused by its publisher for another message is a conflict, not a silent drop', async () => {
  const channel = unique('reuse');
  const c = await connectClient(srv, { sub: 'reuser' });
  const first = await ok(c, 'channel.publish', { channel, type: 'job', data: { n: 1 }, idempotencyKey: 'job-key' });
  const error = await refused(c, 'channel.publish', { channel, type: 'job', data: { n: 2 }, idempotencyKey: 'job-key' }, 'conflict');
  assert.match(error.message, /idempotencyKey/);
  assert.match(error.message, new RegExp(`offset ${first.offset}`));
  const history = await ok(c, 'channel.history', { channel });
  assert.deepEqual(history.messages.map((m) => m.data), [{ n: 1 }]);
  c.close();
});

test('a publish whose room is destroyed in the same breath is not acknowledged as stored', async () => {
  // One shard: the publish and the destroy reach the room's owner in one loop turn, before the
  // append can complete.
  const one = await startOnair({ threads: 1 });
  try {
    await publishThenDestroy(one);
  } finally {
    await one.stop();
  }
});

async function publishThenDestroy(srv) {
  const room = unique('race');
  const raw = await openRaw(srv.port);
  raw.sendJson({ id: 1, op: 'connect', args: { token: clientToken(srv, { sub: 'racer', grants: allGrants }) } });
  assert.ok((await raw.nextJson()).result);
  raw.sendJson({ id: 2, op: 'room.join', args: { room } });  // loads the room: the publish appends at once
  assert.ok((await raw.nextJson()).result);
  // One write: the owner starts the append, then destroys the room before the append completes.
  raw.send(Buffer.concat([
    text(JSON.stringify({ id: 3, op: 'room.publish', args: { room, type: 'note', data: 1 } })),
    text(JSON.stringify({ id: 4, op: 'room.destroy', args: { room } })),
  ]));
  const replies = new Map();
  while (replies.size < 2) {
    const m = await raw.nextJson();
    if (m.id != null) replies.set(m.id, m);
  }
  assert.ok(replies.get(4).result, JSON.stringify(replies.get(4)));
  const publish = replies.get(3);
  assert.equal(publish.error?.code, 'not_found', `the message is gone with the room, yet the publish said ${JSON.stringify(publish)}`);
  assert.match(publish.error.message, /destroyed/);
  raw.destroy();

  // The room made again starts empty and at its own position.
  const c = await connectClient(srv, { sub: 'later' });
  const joined = await ok(c, 'room.join', { room });
  assert.equal(joined.position.offset, 0);
  assert.deepEqual((await ok(c, 'room.history', { room })).messages, []);
  c.close();
}
