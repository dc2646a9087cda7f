// Differential test of onair's Yjs update code (src/collab/yjs) against npm yjs: seeded random
// editing sessions (Y.Text inserts, deletes, formats and embeds with non-BMP characters, Y.Map and
// Y.Array edits, nested types, XML, sub-documents, concurrent clients, offline clients that come
// back, full-state syncs that carry GC structs) make update streams; the test-only tool
// build/onair_yjs_tool merges, diffs, re-encodes and computes state vectors, and yjs checks that:
//   - the merged update (and a merge of two merged halves, and one of every other update, with
//     gaps) loaded into a fresh Y.Doc equals the
//     documents' state (toJSON of every type, state vector), and is the bytes Y.mergeUpdates makes;
//   - decode→encode of every update is the same bytes; state vectors equal
//     Y.encodeStateVectorFromUpdate;
//   - diffs against stale documents' state vectors bring them to the same state, and diffs against
//     random (partial, unknown-client) state vectors are the bytes Y.diffUpdate makes.
// YJS_SESSIONS (default 300) and YJS_SEED (default 1) choose the run; YJS_CORPUS_OUT=DIR writes
// the updates out as fuzz seeds (fuzz/corpus/yjs_update).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import { docFrom, picture, runSession, svMap } from '../support/yjs-sessions.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tool = join(root, 'build', 'onair_yjs_tool');
const sessions = Number(process.env.YJS_SESSIONS ?? 300);
const firstSeed = Number(process.env.YJS_SEED ?? 1);
const corpusOut = process.env.YJS_CORPUS_OUT;

function runTool(dir) {
  const out = spawnSync(tool, ['session', dir], { encoding: 'utf8' });
  assert.equal(out.status, 0, `onair_yjs_tool failed: ${out.stderr}`);
}

function checkSession(seed, scratch) {
  const { r, docs, stream, staleStates } = runSession(seed);
  const truth = picture(docs[0]);
  for (const doc of docs) assert.deepEqual(picture(doc), truth, 'yjs docs converged');
  const dir = join(scratch, String(seed));
  mkdirSync(dir);
  stream.forEach((u, i) => writeFileSync(join(dir, `update-${i}.bin`), u));

  // Stale documents: a past full state, a random subset of the stream (with pending structs).
  const stale = staleStates.map((s) => docFrom([s]));
  stale.push(docFrom(stream.filter(() => r.chance(0.5))));
  stale.push(new Y.Doc());
  const svs = stale.map((d) => Y.encodeStateVector(d));
  // Random state vectors: arbitrary clocks for known clients, and an unknown client.
  const fullSv = Y.decodeStateVector(Y.encodeStateVector(docs[0]));
  for (let k = 0; k < 3; k++) {
    const sv = new Map();
    for (const [client, clock] of fullSv) if (r.chance(0.7)) sv.set(client, r.int(clock + 3));
    if (r.chance(0.3)) sv.set(4294967295, 7);
    svs.push(Y.encodeStateVector(sv));
  }
  svs.forEach((sv, j) => writeFileSync(join(dir, `sv-${j}.bin`), sv));

  runTool(dir);
  const read = (name) => new Uint8Array(readFileSync(join(dir, name)));
  const merged = read('merged.bin');

  stream.forEach((u, i) => {
    assert.deepEqual(read(`roundtrip-${i}.bin`), u, `update ${i} re-encodes to the same bytes`);
    assert.deepEqual(svMap(read(`update-sv-${i}.bin`)), svMap(Y.encodeStateVectorFromUpdate(u)), `state vector of update ${i}`);
  });
  assert.deepEqual(picture(docFrom([merged])), truth, 'merged update gives the same document');
  assert.deepEqual(picture(docFrom([read('merged-halves.bin')])), truth, 'merge of merged halves gives the same document');
  if (stream.length > 1) assert.deepEqual(merged, Y.mergeUpdates(stream), 'merged bytes are Y.mergeUpdates bytes');
  const odd = stream.filter((_, i) => i % 2 === 1);
  if (odd.length > 1) assert.deepEqual(read('merged-odd.bin'), Y.mergeUpdates(odd), 'merge with gaps is the bytes Y.mergeUpdates makes');
  assert.deepEqual(picture(docFrom([read('merged-odd.bin')])), picture(docFrom(odd)), 'merge with gaps gives the same document');
  assert.deepEqual(svMap(read('merged-sv.bin')), svMap(Y.encodeStateVectorFromUpdate(merged)), 'state vector of merged');
  assert.deepEqual(svMap(read('merged-sv.bin')), truth.sv, 'merged state vector is the documents\'');

  svs.forEach((sv, j) => {
    const diff = read(`diff-${j}.bin`);
    assert.deepEqual(diff, Y.diffUpdate(merged, sv), `diff ${j} is the bytes Y.diffUpdate makes`);
    if (j < stale.length) {
      Y.applyUpdate(stale[j], diff);
      assert.deepEqual(picture(stale[j]), truth, `diff ${j} brings the stale document up to date`);
    }
  });

  if (corpusOut && seed - firstSeed < 200) {
    mkdirSync(corpusOut, { recursive: true });
    stream.slice(0, 3).forEach((u, i) => writeFileSync(join(corpusOut, `s${seed}-u${i}.bin`), u));
    writeFileSync(join(corpusOut, `s${seed}-merged.bin`), merged);
  }
  rmSync(dir, { recursive: true, force: true });
}

test(`onair merges, diffs and re-encodes ${sessions} random yjs sessions as yjs does`, () => {
  assert.ok(existsSync(tool), `${tool} is built by make build`);
  const scratch = mkdtempSync(join(tmpdir(), 'onair-yjs-'));
  try {
    for (let seed = firstSeed; seed < firstSeed + sessions; seed++) {
      try {
        checkSession(seed, scratch);
      } catch (err) {
        err.message = `seed ${seed}: ${err.message}`;
        throw err;
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
