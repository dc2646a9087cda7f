// room.send: a message to one member's connections in a room, never stored (peer-mesh signaling).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { connectClient, ok } from '../support/client.mjs';

let srv;
before(async () => { srv = await startOnair({ args: ['--rooms-max-message-bytes', '1024'] }); });
after(async () => { await srv.stop(); });

let counter = 0;
const unique = (prefix) => `${prefix}_${process.pid}_${++counter}`;
const settle = () => new Promise((r) => setTimeout(r, 200));
const directs = (client) => client.events.filter((e) => e.event === 'room.direct');

test('only the target member gets it, on every connection it joined with, and it is not stored', async () => {
  const room = unique('mesh');
  const alice = await connectClient(srv, { sub: 'alice' });
  const bobTab1 = await connectClient(srv, { sub: 'bob' });
  const bobTab2 = await connectClient(srv, { sub: 'bob' });
  const bobElsewhere = await connectClient(srv, { sub: 'bob' }); // not joined to this room
  const carol = await connectClient(srv, { sub: 'carol' });
  await ok(alice, 'room.join', { room });
  for (const c of [bobTab1, bobTab2, carol]) await ok(c, 'room.join', { room });

  const sent = await ok(alice, 'room.send', { room, to: 'bob', type: 'offer', data: { sdp: 'v=0' } });
  assert.deepEqual(sent, {});
  for (const tab of [bobTab1, bobTab2]) {
    const got = await tab.waitEvent((e) => e.event === 'room.direct' && e.target === room);
    assert.equal(got.data.type, 'offer');
    assert.deepEqual(got.data.data, { sdp: 'v=0' });
    assert.equal(got.data.from, 'alice');
    assert.equal(typeof got.data.fromSession, 'string');
    assert.ok(got.data.fromSession.length > 0);
    assert.equal(typeof got.data.timestamp, 'number');
  }
  await settle();
  assert.deepEqual(directs(carol), [], 'another member never sees it');
  assert.deepEqual(directs(alice), [], 'the sender does not get its own');
  assert.deepEqual(directs(bobElsewhere), [], 'a connection of the target that did not join does not get it');
  assert.ok(!carol.events.some((e) => e.event === 'room.message' && e.data.type === 'offer'), 'not a room message');
  const history = await ok(alice, 'room.history', { room });
  assert.deepEqual(history.messages, [], 'nothing stored');
  assert.equal(history.position.offset, 0);

  // The reply goes back the same way.
  await ok(bobTab1, 'room.send', { room, to: 'alice', type: 'answer', data: { sdp: 'v=1' } });
  const answer = await alice.waitEvent((e) => e.event === 'room.direct');
  assert.equal(answer.data.from, 'bob');
  assert.deepEqual(answer.data.data, { sdp: 'v=1' });
  for (const c of [alice, bobTab1, bobTab2, bobElsewhere, carol]) c.close();
});

test('a sender that has not joined, a target that is not a member, and a missing grant are refused', async () => {
  const room = unique('mesh_refused');
  const alice = await connectClient(srv, { sub: 'alice' });
  const bob = await connectClient(srv, { sub: 'bob' });
  const outsider = await connectClient(srv, { sub: 'mallory' });
  await ok(alice, 'room.join', { room });
  await ok(bob, 'room.join', { room });

  const notJoined = await outsider.request('room.send', { room, to: 'bob', type: 'offer', data: {} });
  assert.equal(notJoined.error.code, 'not_found');
  const noTarget = await alice.request('room.send', { room, to: 'nobody', type: 'offer', data: {} });
  assert.equal(noTarget.error.code, 'not_found');
  assert.match(noTarget.error.message, /nobody is not a member/);

  const reader = await connectClient(srv, { sub: 'reader', grants: { room: { '*': ['subscribe'] } } });
  await ok(reader, 'room.join', { room });
  const denied = await reader.request('room.send', { room, to: 'bob', type: 'offer', data: {} });
  assert.equal(denied.error.code, 'permission');

  const tooLarge = await alice.request('room.send', { room, to: 'bob', type: 'offer', data: 'x'.repeat(2000) });
  assert.equal(tooLarge.error.code, 'payload_too_large');
  const noType = await alice.request('room.send', { room, to: 'bob', data: {} });
  assert.equal(noType.error.code, 'invalid_argument');

  // A member who left is no longer a target; one who left cannot send.
  await ok(bob, 'room.leave', { room });
  assert.equal((await alice.request('room.send', { room, to: 'bob', type: 'offer', data: {} })).error.code, 'not_found');
  assert.equal((await bob.request('room.send', { room, to: 'alice', type: 'offer', data: {} })).error.code, 'not_found');
  await settle();
  assert.deepEqual(directs(bob), []);
  for (const c of [alice, bob, outsider, reader]) c.close();
});
