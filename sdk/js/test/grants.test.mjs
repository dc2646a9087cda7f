import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGrant, OnairError } from '../dist/server/index.js';

test('parseGrant splits at the first and last colon', () => {
  assert.deepEqual(parseGrant('room:project_*:publish,subscribe,presence,history'), {
    surface: 'room', pattern: 'project_*', actions: ['publish', 'subscribe', 'presence', 'history'],
  });
  assert.deepEqual(parseGrant('live:content:*:attach'), { surface: 'live', pattern: 'content:*', actions: ['attach'] });
  assert.deepEqual(parseGrant('channel:a:b:c:subscribe'), { surface: 'channel', pattern: 'a:b:c', actions: ['subscribe'] });
  assert.deepEqual(parseGrant('collab:doc_*:read-write'), { surface: 'collab', pattern: 'doc_*', actions: ['read-write'] });
  assert.deepEqual(parseGrant('stage:st_1:*'), { surface: 'stage', pattern: 'st_1', actions: ['*'] });
  assert.deepEqual(parseGrant('stream:*:join,join,manage'), { surface: 'stream', pattern: '*', actions: ['join', 'manage'] });
});

function rejects(grant, pattern) {
  assert.throws(() => parseGrant(grant), (err) => {
    assert.ok(err instanceof OnairError, `expected OnairError for ${grant}`);
    assert.equal(err.code, 'invalid_argument');
    assert.match(err.message, pattern);
    return true;
  });
}

test('parseGrant rejects an unknown surface', () => {
  rejects('rooms:x:publish', /unknown surface "rooms"/);
  rejects(':x:publish', /unknown surface ""/);
});

test('parseGrant rejects an action the surface does not have', () => {
  rejects('live:x:subscribe', /unknown action "subscribe" for surface "live"/);
  rejects('room:x:publish,bogus', /unknown action "bogus"/);
  rejects('room:x:publish,,history', /empty action/);
});

test('parseGrant rejects missing parts', () => {
  rejects('room', /must have the form/);
  rejects('room:publish', /must have the form/);
  rejects('room::publish', /pattern is empty/);
  rejects('room:x:', /no actions/);
  rejects('', /must have the form/);
  rejects(`room:${'x'.repeat(256)}:publish`, /longer than 255 bytes/);
  assert.equal(parseGrant(`room:${'x'.repeat(255)}:publish`).pattern.length, 255);
});
