// Rooms and channels through the wire protocol, against the real binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { connectClient, ok } from '../support/client.mjs';
import { apiCredential } from '../support/tokens.mjs';

let srv;
before(async () => { srv = await startOnair({ args: ['--rooms-max-message-bytes', '1024'] }); });
after(async () => { await srv.stop(); });

let counter = 0;
const unique = (prefix) => `${prefix}_${process.pid}_${++counter}`;

test('members see each other join, messages cross, and a closed connection leaves at once', async () => {
  const room = unique('project');
  const alice = await connectClient(srv, { sub: 'alice' });
  const bob = await connectClient(srv, { sub: 'bob' });
  const a = await ok(alice, 'room.join', { room, metadata: { role: 'editor' }, presence: { status: 'online' } });
  assert.deepEqual(a.members.map((m) => m.userId), ['alice']);
  const b = await ok(bob, 'room.join', { room });
  assert.deepEqual(b.members.map((m) => m.userId), ['alice', 'bob']);
  assert.deepEqual(b.members[0].presence, { status: 'online' });
  assert.deepEqual(b.members[0].metadata, { role: 'editor' });
  const joined = await alice.waitEvent((e) => e.event === 'room.memberJoined' && e.target === room);
  assert.equal(joined.data.userId, 'bob');

  const sent = await ok(bob, 'room.publish', { room, type: 'chat', data: { text: 'hello' } });
  assert.equal(sent.offset, 1);
  const got = await alice.waitEvent((e) => e.event === 'room.message');
  assert.deepEqual(got.data, { type: 'chat', data: { text: 'hello' }, publisher: 'bob', timestamp: sent.timestamp, offset: 1, epoch: sent.epoch });

  await ok(bob, 'room.broadcast', { room, type: 'typing', data: true });
  const typing = await alice.waitEvent((e) => e.event === 'room.message' && e.data.type === 'typing');
  assert.equal(typing.data.offset, undefined, 'broadcasts are not stored');

  await ok(alice, 'room.presence', { room, presence: { status: 'away' } });
  const p = await bob.waitEvent((e) => e.event === 'room.presence');
  assert.deepEqual(p.data, { userId: 'alice', presence: { status: 'away' } });

  bob.close();
  const left = await alice.waitEvent((e) => e.event === 'room.memberLeft');
  assert.equal(left.data.userId, 'bob');
  assert.deepEqual((await ok(alice, 'room.members', { room })).members.map((m) => m.userId), ['alice']);
  const history = await ok(alice, 'room.history', { room });
  assert.deepEqual(history.messages.map((m) => m.type), ['chat']);
  alice.close();
});

test('a user with two tabs is one member with two connections', async () => {
  const room = unique('tabs');
  const watcher = await connectClient(srv, { sub: 'watcher' });
  await ok(watcher, 'room.join', { room });
  const tab1 = await connectClient(srv, { sub: 'carol' });
  const tab2 = await connectClient(srv, { sub: 'carol' });
  await ok(tab1, 'room.join', { room });
  const second = await ok(tab2, 'room.join', { room });
  assert.equal(second.members.find((m) => m.userId === 'carol').connections, 2);
  await watcher.waitEvent((e) => e.event === 'room.memberJoined' && e.data.userId === 'carol');
  tab1.close();
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(!watcher.events.some((e) => e.event === 'room.memberLeft'), 'one tab closing is not a leave');
  const members = (await ok(watcher, 'room.members', { room })).members;
  assert.equal(members.find((m) => m.userId === 'carol').connections, 1);
  tab2.close();
  const left = await watcher.waitEvent((e) => e.event === 'room.memberLeft');
  assert.equal(left.data.userId, 'carol');
  watcher.close();
});

test('a retried publish with its idempotency key stores nothing new', async () => {
  const room = unique('idem');
  const c = await connectClient(srv);
  const first = await ok(c, 'room.publish', { room, type: 'comment.created', data: { id: 1 }, idempotencyKey: 'client_event_123' });
  const again = await ok(c, 'room.publish', { room, type: 'comment.created', data: { id: 1 }, idempotencyKey: 'client_event_123' });
  assert.equal(first.duplicate, false);
  assert.equal(again.duplicate, true);
  assert.equal(again.offset, first.offset);
  assert.equal(again.timestamp, first.timestamp);
  const other = await ok(c, 'room.publish', { room, type: 'comment.created', data: { id: 2 }, idempotencyKey: 'client_event_124' });
  assert.equal(other.offset, first.offset + 1);
  assert.equal((await ok(c, 'room.history', { room })).messages.length, 2);
  c.close();
});

test('history pages by cursor in both directions', async () => {
  const channel = unique('deployments');
  const c = await connectClient(srv);
  for (let i = 1; i <= 7; i++) await ok(c, 'channel.publish', { channel, type: 'deploy', data: { n: i } });
  const seen = [];
  let page = await ok(c, 'channel.history', { channel, limit: 3 });
  seen.push(...page.messages.map((m) => m.data.n));
  while (page.cursor) {
    page = await ok(c, 'channel.history', { channel, limit: 3, cursor: page.cursor });
    seen.push(...page.messages.map((m) => m.data.n));
  }
  assert.deepEqual(seen, [7, 6, 5, 4, 3, 2, 1]);
  const forward = [];
  page = await ok(c, 'channel.history', { channel, limit: 4, direction: 'forward' });
  forward.push(...page.messages.map((m) => m.offset));
  page = await ok(c, 'channel.history', { channel, limit: 4, cursor: page.cursor });
  forward.push(...page.messages.map((m) => m.offset));
  assert.deepEqual(forward, [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(page.cursor, null);
  const bad = await c.request('channel.history', { channel, cursor: 'not-a-cursor' });
  assert.equal(bad.error.code, 'invalid_argument');
  assert.match(bad.error.message, /cursor/);
  c.close();
});

test('a resubscriber with since gets exactly the missed messages, then the live stream', async () => {
  const channel = unique('alerts');
  const pub = await connectClient(srv, { sub: 'pub' });
  let sub = await connectClient(srv, { sub: 'sub' });
  const first = await ok(sub, 'channel.subscribe', { channel });
  await ok(pub, 'channel.publish', { channel, type: 'a', data: 1 });
  const m1 = await sub.waitEvent((e) => e.event === 'channel.message');
  const since = { offset: m1.data.offset, epoch: m1.data.epoch };
  assert.equal(since.epoch, first.position.epoch);
  sub.close();
  await sub.closed;
  for (let i = 2; i <= 6; i++) await ok(pub, 'channel.publish', { channel, type: 'a', data: i });
  sub = await connectClient(srv, { sub: 'sub' });
  // Publish while the resubscribe is in flight, too.
  const live = ok(pub, 'channel.publish', { channel, type: 'a', data: 7 });
  const resumed = await ok(sub, 'channel.subscribe', { channel, since });
  await live;
  await ok(pub, 'channel.publish', { channel, type: 'a', data: 8 });
  assert.equal(resumed.recovered, true);
  const received = [];
  while (received.length < 7) received.push((await sub.waitEvent((e) => e.event === 'channel.message')).data.data);
  assert.deepEqual(received, [2, 3, 4, 5, 6, 7, 8]);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(sub.events.filter((e) => e.event === 'channel.message').length, 0, 'no duplicates');
  const wrong = await connectClient(srv, { sub: 'late' });
  const notRecovered = await ok(wrong, 'channel.subscribe', { channel, since: { offset: 1, epoch: 'other' } });
  assert.equal(notRecovered.recovered, false);
  for (const c of [pub, sub, wrong]) c.close();
});

test('a snapshot then a join with its position gives a late joiner no gap and no duplicate', async () => {
  const room = unique('late');
  const pub = await connectClient(srv, { sub: 'pub' });
  for (let i = 1; i <= 3; i++) await ok(pub, 'room.publish', { room, type: 't', data: i });
  const late = await connectClient(srv, { sub: 'late' });
  const snap = await ok(late, 'room.snapshot', { room, limit: 10 });
  assert.deepEqual(snap.messages.map((m) => m.data), [1, 2, 3]);
  await ok(pub, 'room.publish', { room, type: 't', data: 4 });
  const joined = await ok(late, 'room.join', { room, since: snap.position });
  assert.equal(joined.recovered, true);
  await ok(pub, 'room.publish', { room, type: 't', data: 5 });
  const got = [];
  while (got.length < 2) got.push((await late.waitEvent((e) => e.event === 'room.message')).data.data);
  assert.deepEqual(got, [4, 5]);
  pub.close();
  late.close();
});

test('metadata carries the room, a version and the update time; a stale write gets conflict', async () => {
  const room = unique('meta');
  const c = await connectClient(srv);
  const empty = await ok(c, 'room.metadata', { room });
  assert.deepEqual(empty, { room, metadata: {}, version: 0, updatedAt: null });
  const v1 = await ok(c, 'room.metadata', { room, metadata: { title: 'Launch plan', locked: false }, version: 0 });
  assert.equal(v1.version, 1);
  assert.ok(Date.parse(v1.updatedAt) > 0);
  const stale = await c.request('room.metadata', { room, metadata: { title: 'x' }, version: 0 });
  assert.equal(stale.error.code, 'conflict');
  assert.match(stale.error.message, /version 1/);
  const v2 = await ok(c, 'room.metadata', { room, metadata: { title: 'Launch plan 2' } });
  assert.equal(v2.version, 2);
  c.close();
});

test('destroy tells members, ends subscriptions and frees the name', async () => {
  const room = unique('temp');
  const admin = await connectClient(srv, { sub: 'admin' });
  const member = await connectClient(srv, { sub: 'member' });
  const joined = await ok(member, 'room.join', { room });
  await ok(admin, 'room.publish', { room, type: 't', data: 1 });
  await ok(admin, 'room.metadata', { room, metadata: { a: 1 } });
  await ok(admin, 'room.destroy', { room });
  await member.waitEvent((e) => e.event === 'room.destroyed' && e.target === room);
  await ok(admin, 'room.publish', { room, type: 't', data: 2 });
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(!member.events.some((e) => e.event === 'room.message' && e.data.data === 2), 'no longer subscribed');
  const history = await ok(admin, 'room.history', { room });
  assert.deepEqual(history.messages.map((m) => m.data), [2]);
  assert.notEqual(history.position.epoch, joined.position.epoch, 'a new life gets a new epoch');
  assert.deepEqual((await ok(admin, 'room.metadata', { room })).metadata, {});
  admin.close();
  member.close();
});

test('grants decide; bad input names the field; the connection keeps working', async () => {
  const reader = await connectClient(srv, { sub: 'reader', grants: { room: { 'open_*': ['subscribe'] } } });
  const denied = await reader.request('room.publish', { room: 'open_1', type: 't' });
  assert.equal(denied.error.code, 'permission');
  assert.equal((await reader.request('room.join', { room: 'closed_1' })).error.code, 'permission');
  assert.equal((await reader.request('room.destroy', { room: 'open_1' })).error.code, 'permission');
  const badName = await reader.request('room.join', { room: 'bad name!' });
  assert.equal(badName.error.code, 'invalid_argument');
  assert.match(badName.error.message, /room/);
  const writer = await connectClient(srv);
  const badLimit = await writer.request('channel.history', { channel: 'x', limit: 0 });
  assert.equal(badLimit.error.code, 'invalid_argument');
  assert.match(badLimit.error.message, /limit/);
  const big = await writer.request('room.publish', { room: unique('big'), type: 't', data: 'x'.repeat(2000) });
  assert.equal(big.error.code, 'payload_too_large');
  const missingType = await writer.request('room.publish', { room: 'r' });
  assert.match(missingType.error.message, /type/);
  assert.ok((await ok(reader, 'room.join', { room: 'open_1' })).position);
  reader.close();
  writer.close();
});

test('the server API publishes to subscribers and reports stats', async () => {
  const channel = unique('feed');
  const c = await connectClient(srv);
  await ok(c, 'channel.subscribe', { channel });
  const auth = { authorization: `Bearer ${apiCredential(srv)}`, 'content-type': 'application/json' };
  const res = await fetch(`${srv.url}/v1/channels/${channel}/publish`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'deployment.finished', data: { status: 'success' } }) });
  assert.equal(res.status, 200);
  const msg = await c.waitEvent((e) => e.event === 'channel.message');
  assert.equal(msg.data.publisher, null);
  assert.deepEqual(msg.data.data, { status: 'success' });
  const stats = await (await fetch(`${srv.url}/v1/channels/${channel}/stats`, { headers: auth })).json();
  assert.equal(stats.subscribers, 1);
  assert.equal(stats.messages, 1);
  const instance = await (await fetch(`${srv.url}/v1/stats`, { headers: auth })).json();
  assert.ok(instance.channels >= 1 && instance.messages.stored >= 1 && instance.connections >= 1);
  const noAuth = await fetch(`${srv.url}/v1/channels/${channel}/stats`);
  assert.equal(noAuth.status, 401);
  c.close();
});

// A server whose send queue is small (64 KiB, so reply pages hold about 8 KiB of members or
// messages) and whose member, metadata and message limits are small, so a few dozen members and
// messages outgrow any single reply.
let small;
before(async () => {
  small = await startOnair({ args: ['--ws-send-queue-bytes', '65536', '--rooms-max-member-bytes', '2048',
    '--rooms-max-metadata-bytes', '4096', '--rooms-max-message-bytes', '2048'] });
});
after(async () => { await small.stop(); });

test('member metadata, presence and room metadata over their limits get payload_too_large; the connection stays', async () => {
  const room = unique('limits');
  const c = await connectClient(small, { sub: 'dora' });
  const bigJoin = await c.request('room.join', { room, metadata: { bio: 'x'.repeat(3000) } });
  assert.equal(bigJoin.error.code, 'payload_too_large');
  assert.match(bigJoin.error.message, /metadata.*rooms\.max_member_bytes/);
  const bigPresence = await c.request('room.join', { room, presence: { note: 'x'.repeat(3000) } });
  assert.equal(bigPresence.error.code, 'payload_too_large');
  assert.deepEqual((await ok(c, 'room.members', { room })).members, [], 'a refused join adds no member');

  await ok(c, 'room.join', { room, metadata: { bio: 'x'.repeat(1900) }, presence: 'here' });
  const update = await c.request('room.presence', { room, presence: { note: 'x'.repeat(3000) } });
  assert.equal(update.error.code, 'payload_too_large');
  assert.match(update.error.message, /presence/);
  const roomMeta = await c.request('room.metadata', { room, metadata: { text: 'x'.repeat(5000) } });
  assert.equal(roomMeta.error.code, 'payload_too_large');
  assert.match(roomMeta.error.message, /rooms\.max_metadata_bytes/);

  const auth = { authorization: `Bearer ${apiCredential(small)}`, 'content-type': 'application/json' };
  const serverJoin = await fetch(`${small.url}/v1/rooms/${room}/members`, { method: 'POST', headers: auth, body: JSON.stringify({ userId: 'bot', metadata: { blob: 'x'.repeat(3000) } }) });
  assert.equal(serverJoin.status, 413);
  assert.equal((await serverJoin.json()).error.code, 'payload_too_large');

  // Still up, still a member with the presence it had.
  await ok(c, 'room.presence', { room, presence: 'away' });
  const members = (await ok(c, 'room.members', { room })).members;
  assert.deepEqual(members.map((m) => [m.userId, m.presence]), [['dora', 'away']]);
  c.close();
});

/** Follows `cursor` through pages of `op`, collecting `key`. */
async function allPagesOf(client, op, args, key) {
  const items = [];
  let page = await ok(client, op, args);
  let pages = 1;
  items.push(...page[key]);
  while (page.cursor) {
    page = await ok(client, op, { ...args, cursor: page.cursor });
    items.push(...page[key]);
    pages += 1;
  }
  return { items, pages };
}

test('members, join and snapshot replies are paged under the send queue; paging returns everyone once', async () => {
  const room = unique('crowd');
  const crowd = [];
  for (let i = 0; i < 30; i++) {
    const c = await connectClient(small, { sub: `user${String(i).padStart(2, '0')}` });
    await ok(c, 'room.join', { room, metadata: { bio: 'm'.repeat(1500) }, presence: { note: 'p'.repeat(1500) } });
    crowd.push(c);
  }
  const everyone = crowd.map((_, i) => `user${String(i).padStart(2, '0')}`);
  // ~90 KiB of members and ~80 KiB of messages: more than the 64 KiB send queue.
  for (let i = 0; i < 80; i++) await ok(crowd[0], 'room.publish', { room, type: 'note', data: 'd'.repeat(1000) });

  const newcomer = await connectClient(small, { sub: 'newcomer' });
  const join = await ok(newcomer, 'room.join', { room });
  assert.ok(join.members.length > 0 && join.members.length < 30, 'the join carries a first page');
  assert.equal(typeof join.membersCursor, 'string');
  const rest = await allPagesOf(newcomer, 'room.members', { room, cursor: join.membersCursor }, 'members');
  assert.deepEqual([...join.members, ...rest.items].map((m) => m.userId), [...everyone, 'newcomer']);

  // Paging with a small limit, while someone joins and someone leaves between pages.
  const first = await ok(newcomer, 'room.members', { room, limit: 4 });
  assert.ok(first.members.length >= 1 && first.members.length <= 4 && first.cursor);
  const late = await connectClient(small, { sub: 'late' });
  await ok(late, 'room.join', { room });
  await ok(crowd[29], 'room.leave', { room });
  const paged = await allPagesOf(newcomer, 'room.members', { room, limit: 4, cursor: first.cursor }, 'members');
  const ids = [...first.members, ...paged.items].map((m) => m.userId);
  assert.deepEqual(ids, [...everyone.slice(0, 29), 'newcomer', 'late'], 'each member present throughout once, the late one at the end');

  const snap = await allPagesOf(newcomer, 'room.snapshot', { room, limit: 80 }, 'members');
  assert.ok(snap.pages > 1, 'the snapshot came in pages');
  assert.deepEqual(snap.items.map((m) => m.userId), [...everyone.slice(0, 29), 'newcomer', 'late']);
  const messages = [];
  let page = await ok(newcomer, 'room.snapshot', { room, limit: 80 });
  messages.unshift(...page.messages);
  while (page.cursor) {
    page = await ok(newcomer, 'room.snapshot', { room, cursor: page.cursor });
    messages.unshift(...page.messages);
  }
  assert.deepEqual(messages.map((m) => m.offset), Array.from({ length: 80 }, (_, i) => i + 1), 'oldest first, each once');

  const history = await allPagesOf(newcomer, 'room.history', { room, limit: 1000 }, 'messages');
  assert.ok(history.pages > 1, 'history pages stay under the send queue too');
  assert.deepEqual(history.items.map((m) => m.offset), Array.from({ length: 80 }, (_, i) => 80 - i));

  // The server API pages the same way.
  const auth = { authorization: `Bearer ${apiCredential(small)}` };
  const http = [];
  let cursor = null;
  do {
    const res = await fetch(`${small.url}/v1/rooms/${room}/members?limit=7${cursor ? `&cursor=${cursor}` : ''}`, { headers: auth });
    assert.equal(res.status, 200);
    const body = await res.json();
    http.push(...body.members.map((m) => m.userId));
    cursor = body.cursor;
  } while (cursor);
  assert.deepEqual(http, [...everyone.slice(0, 29), 'newcomer', 'late']);
  const bad = await newcomer.request('room.members', { room, cursor: join.membersCursor + 'x!' });
  assert.equal(bad.error.code, 'invalid_argument');

  assert.equal(newcomer.ws.readyState, newcomer.ws.OPEN, 'the newcomer was not closed as a slow consumer');
  for (const c of [...crowd, newcomer, late]) c.close();
});

test('a resume whose missed messages would overflow the send queue answers recovered: false instead of closing', async () => {
  const room = unique('bulky');
  const reader = await connectClient(small, { sub: 'reader' });
  const joined = await ok(reader, 'room.join', { room });
  reader.close();
  const writer = await connectClient(small, { sub: 'writer' });
  // ~80 KiB missed: more than the whole 64 KiB send queue if replayed at once.
  for (let i = 0; i < 80; i++) await ok(writer, 'room.publish', { room, type: 'note', data: 'd'.repeat(1000) });
  const back = await connectClient(small, { sub: 'reader' });
  const resumed = await ok(back, 'room.join', { room, since: joined.position });
  assert.equal(resumed.recovered, false);
  assert.deepEqual(resumed.position, { offset: 80, epoch: joined.position.epoch });
  assert.ok(!back.events.some((e) => e.event === 'room.message'), 'nothing replayed');
  // A small gap is still replayed exactly.
  await ok(writer, 'room.publish', { room, type: 'note', data: 'last' });
  const live = await back.waitEvent((e) => e.event === 'room.message');
  assert.equal(live.data.offset, 81);
  const again = await connectClient(small, { sub: 'other' });
  const near = await ok(again, 'room.join', { room, since: { offset: 79, epoch: joined.position.epoch } });
  assert.equal(near.recovered, true);
  for (const offset of [80, 81]) await again.waitEvent((e) => e.event === 'room.message' && e.data.offset === offset);
  assert.equal(back.ws.readyState, back.ws.OPEN);
  for (const c of [writer, back, again]) c.close();
});
