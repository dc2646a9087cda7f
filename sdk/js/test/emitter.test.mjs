import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from '../dist/common/Emitter.js';
import { OnairError, isErrorCode } from '../dist/common/OnairError.js';

test('on() returns a remover that removes only that registration', () => {
  const e = new Emitter();
  const calls = [];
  const h = (x) => calls.push(x);
  const off1 = e.on('a', h);
  e.on('a', h);
  e.emit('a', 1);
  off1();
  e.emit('a', 2);
  off1(); // idempotent
  e.emit('a', 3);
  assert.deepEqual(calls, [1, 1, 2, 3]);
  assert.equal(e.listenerCount('a'), 1);
});

test('once() fires a single time; off() removes a handler', () => {
  const e = new Emitter();
  const calls = [];
  e.once('a', (x, y) => calls.push(['once', x, y]));
  const h = (x) => calls.push(['on', x]);
  e.on('a', h);
  e.emit('a', 1, 2);
  e.emit('a', 3);
  e.off('a', h);
  assert.equal(e.emit('a', 4), false);
  assert.deepEqual(calls, [['once', 1, 2], ['on', 1], ['on', 3]]);
});

test('a throwing handler does not stop the others; the error is rethrown from a microtask', () => {
  const e = new Emitter();
  const calls = [];
  const boom = new Error('boom');
  e.on('a', () => { throw boom; });
  e.on('a', () => calls.push('second'));
  const scheduled = [];
  const original = globalThis.queueMicrotask;
  globalThis.queueMicrotask = (fn) => scheduled.push(fn);
  try {
    assert.equal(e.emit('a'), true);
  } finally {
    globalThis.queueMicrotask = original;
  }
  assert.deepEqual(calls, ['second']);
  assert.equal(scheduled.length, 1);
  assert.throws(() => scheduled[0](), (err) => err === boom);
});

test('a handler removed during emit by an earlier handler is not called', () => {
  const e = new Emitter();
  const calls = [];
  let offB;
  e.on('a', () => { calls.push('a'); offB(); });
  offB = e.on('a', () => calls.push('b'));
  e.emit('a');
  assert.deepEqual(calls, ['a']);
});

test('OnairError carries code, retryAfterMs and maps unknown server codes', () => {
  const err = OnairError.fromWire({ code: 'rate_limited', message: 'slow down', retryAfterMs: 1500 });
  assert.ok(err instanceof Error);
  assert.ok(err instanceof OnairError);
  assert.equal(err.name, 'OnairError');
  assert.equal(err.code, 'rate_limited');
  assert.equal(err.message, 'slow down');
  assert.equal(err.retryAfterMs, 1500);
  const odd = OnairError.fromWire({ code: 'brand_new', message: 'x' });
  assert.equal(odd.code, 'internal');
  assert.deepEqual(odd.details, { serverCode: 'brand_new' });
  assert.equal(OnairError.fromWire({ message: 'y' }, 'unauthenticated').code, 'unauthenticated');
  assert.equal(isErrorCode('timeout'), true);
  assert.equal(isErrorCode('nope'), false);
});
