// The textarea ↔ Y.Text helpers of the collab demo (web/text-sync.js), in Node: the changed span
// rebuilds every edit a textarea can make and never splits a surrogate pair; indices follow
// remote changes that real Y.Text events describe; offsets translate across "\r\n".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { changedSpan, mapIndex, shownText, docOffset, shownOffset } from '../../web/text-sync.js';
import { prng } from '../support/yjs-sessions.mjs';

const seeded = (seed) => prng(seed).next;  // seeded, so a failure names its case

const ALPHABET = ['a', 'b', 'a', '\n', '😀', '😃', 'é'];
const randomText = (random, max) => Array.from({ length: Math.floor(random() * max) }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]).join('');
const splitsPair = (s, i) => i > 0 && i < s.length && s.charCodeAt(i) >= 0xdc00 && s.charCodeAt(i) <= 0xdfff;

test('changedSpan: the span rebuilds the new value from the old, for every replacement at any caret', () => {
  const random = seeded(1);
  for (let i = 0; i < 20000; i++) {
    const before = randomText(random, 12);
    // A replacement on whole characters, as a textarea makes it (selection replaced by typed text).
    const chars = [...before];
    const from = Math.floor(random() * (chars.length + 1));
    const to = from + Math.floor(random() * (chars.length - from + 1));
    const typed = randomText(random, 4);
    const after = chars.slice(0, from).join('') + typed + chars.slice(to).join('');
    const caret = chars.slice(0, from).join('').length + typed.length;
    const { start, removed, inserted } = changedSpan(before, after, caret);
    const rebuilt = before.slice(0, start) + inserted + before.slice(start + removed);
    assert.equal(rebuilt, after, `case ${i}: ${JSON.stringify({ before, after, caret })}`);
    assert.ok(!splitsPair(before, start) && !splitsPair(before, start + removed), `case ${i}: a surrogate pair split`);
  }
});

test('changedSpan: typing settles ambiguity at the caret, and one emoji replaces another whole', () => {
  assert.deepEqual(changedSpan('ab', 'abb', 2), { start: 1, removed: 0, inserted: 'b' });
  assert.deepEqual(changedSpan('ab', 'abb', 3), { start: 2, removed: 0, inserted: 'b' });
  assert.deepEqual(changedSpan('a😀b', 'a😃b', 3), { start: 1, removed: 2, inserted: '😃' });
  assert.deepEqual(changedSpan('abc', 'ac', 1), { start: 1, removed: 1, inserted: '' });
});

// Text whose every character is unique, so that "the same character" can be checked.
const uniqueText = (n, from) => Array.from({ length: n }, (_, i) => String.fromCharCode(0x4e00 + from + i)).join('');

test('mapIndex follows real Y.Text changes: the character left of a caret (right of a selection start) stays beside it', () => {
  const random = seeded(2);
  let next = 0;
  for (let i = 0; i < 3000; i++) {
    const local = new Y.Doc();
    const remote = new Y.Doc();
    const initial = uniqueText(1 + Math.floor(random() * 10), next);
    next += 20;
    remote.getText('t').insert(0, initial);
    Y.applyUpdate(local, Y.encodeStateAsUpdate(remote));
    const deltas = [];
    local.getText('t').observe((event) => deltas.push(event.delta));
    // A few remote edits, each a transaction of its own.
    for (let e = 0; e < 3; e++) {
      const t = remote.getText('t');
      const at = Math.floor(random() * (t.length + 1));
      if (random() < 0.5 && at < t.length) t.delete(at, 1 + Math.floor(random() * Math.min(3, t.length - at)));
      else t.insert(at, uniqueText(1 + Math.floor(random() * 3), next += 5));
      Y.applyUpdate(local, Y.encodeStateAsUpdate(remote, Y.encodeStateVector(local)));
    }
    const after = local.getText('t').toString();
    const survives = (ch) => after.includes(ch);
    for (let index = 0; index <= initial.length; index++) {
      let caret = index;
      let start = index;
      for (const delta of deltas) {
        caret = mapIndex(caret, delta);
        start = mapIndex(start, delta, true);
      }
      const what = `case ${i}, index ${index}: ${JSON.stringify({ initial, after, deltas })}`;
      assert.ok(caret >= 0 && caret <= after.length && start >= 0 && start <= after.length, what);
      if (index > 0 && survives(initial[index - 1])) assert.equal(after[caret - 1], initial[index - 1], what);
      if (index < initial.length && survives(initial[index])) assert.equal(after[start], initial[index], what);
    }
  }
});

test('offsets translate between a text with "\\r\\n" and "\\r" and what a textarea shows', () => {
  const doc = 'a\r\nb\rc\n';
  assert.equal(shownText(doc), 'a\nb\nc\n');
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => docOffset(doc, i)), [0, 1, 3, 4, 5, 6, 7, 7]);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => shownOffset(doc, i)), [0, 1, 2, 2, 3, 4, 5, 6]);
  assert.equal(docOffset('plain', 3), 3);
  assert.equal(shownOffset('plain', 3), 3);
});
