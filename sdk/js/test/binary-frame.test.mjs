// common/binaryFrame: onair's binary frame layout (docs/protocol.md, "Binary frames"), shared by
// portal-relay chunks and Yjs rooms. Pure: no server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBinaryFrame, encodeBinaryFrame } from '../dist/common/binaryFrame.js';

test('encode writes version 1, flags, the u16 BE target length, the target and the payload', () => {
  assert.deepEqual([...encodeBinaryFrame('yjs:d', new Uint8Array([0, 1, 2]))], [1, 0, 0, 5, ...Buffer.from('yjs:d'), 0, 1, 2]);
  assert.deepEqual([...encodeBinaryFrame('é', new Uint8Array(0), 3)], [1, 3, 0, 2, 0xc3, 0xa9]);
});

test('decode reads back what encode wrote, the payload a view into the frame', () => {
  const target = `yjs:${'r'.repeat(251)}`;
  const frame = encodeBinaryFrame(target, new Uint8Array([9, 8]), 2);
  const got = decodeBinaryFrame(frame);
  assert.equal(got.target, target);
  assert.equal(got.flags, 2);
  assert.deepEqual([...got.payload], [9, 8]);
  assert.equal(got.payload.buffer, frame.buffer);
  assert.deepEqual([...decodeBinaryFrame(new Uint8Array([1, 0, 0, 1, 0x78])).payload], []);
});

test('encode refuses an empty target and one over 255 UTF-8 bytes, naming what it was', () => {
  assert.throws(() => encodeBinaryFrame('', new Uint8Array(0)), { code: 'invalid_argument' });
  assert.throws(() => encodeBinaryFrame('é'.repeat(128), new Uint8Array(0), 0, 'crdt room'), {
    code: 'invalid_argument',
    message: /^crdt room must be 1 to 255 UTF-8 bytes/,
  });
  assert.equal(encodeBinaryFrame('x'.repeat(255), new Uint8Array(0)).length, 259);
});

test('decode refuses bytes that are not a frame with internal', () => {
  for (const bytes of [
    [1, 0, 0], // shorter than the header
    [2, 0, 0, 1, 0x78], // version
    [1, 4, 0, 1, 0x78], // unknown flag bit
    [1, 0, 0, 0], // empty target
    [1, 0, 0, 2, 0x78], // target past the end
  ]) {
    assert.throws(() => decodeBinaryFrame(new Uint8Array(bytes)), { code: 'internal' }, String(bytes));
  }
});
