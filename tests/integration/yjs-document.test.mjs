// Differential test of onair's server-side document (src/collab/yjs/DocumentState) against npm
// yjs: seeded random editing sessions (tests/support/yjs-sessions.mjs) make update streams, which
// build/onair_yjs_tool appends to a DocumentState, compacting whenever it is due (random
// thresholds per session, so compaction falls between appends at random). yjs checks that:
//   - after every append (stream order), the document's state vector is the one a Y.Doc given
//     the same updates has;
//   - the full state read back (also when the updates were appended shuffled, with holes until
//     the end) loaded into a fresh Y.Doc equals the documents' state, and its state vector too;
//   - diffs against stale documents' state vectors bring them to the same state, and diffs
//     against random (partial, unknown-client) state vectors are the bytes Y.diffUpdate makes
//     from the document's full state.
// YJS_DOC_SESSIONS (default 2000) and YJS_SEED (default 1) choose the run; the tool runs once per
// batch of sessions.
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
const sessions = Number(process.env.YJS_DOC_SESSIONS ?? 2000);
const firstSeed = Number(process.env.YJS_SEED ?? 1);
const batchSize = 100;

// A session's inputs written to `dir`; what the checks need kept in memory.
function prepare(seed, dir) {
  const { r, docs, stream, staleStates } = runSession(seed);
  const truth = picture(docs[0]);
  const shuffled = r.chance(0.25);
  const order = stream.map((_, i) => i);
  if (shuffled) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
  }
  mkdirSync(dir);
  order.forEach((k, i) => writeFileSync(join(dir, `append-${i}.bin`), stream[k]));
  const compactAfterUpdates = 1 + r.int(8);
  const compactAfterBytes = r.chance(0.5) ? 1e9 : 64 + r.int(4000);
  writeFileSync(join(dir, 'limits.txt'), `${compactAfterUpdates} ${compactAfterBytes}\n`);

  const stale = staleStates.map((s) => docFrom([s]));
  stale.push(docFrom(stream.filter(() => r.chance(0.5))));
  stale.push(new Y.Doc());
  const svs = stale.map((d) => Y.encodeStateVector(d));
  const fullSv = Y.decodeStateVector(Y.encodeStateVector(docs[0]));
  for (let k = 0; k < 2; k++) {
    const sv = new Map();
    for (const [client, clock] of fullSv) if (r.chance(0.7)) sv.set(client, r.int(clock + 3));
    if (r.chance(0.3)) sv.set(4294967295, 7);
    svs.push(Y.encodeStateVector(sv));
  }
  svs.forEach((sv, j) => writeFileSync(join(dir, `sv-${j}.bin`), sv));
  return { seed, dir, stream, order, shuffled, truth, stale, svs };
}

function check({ dir, stream, order, shuffled, truth, stale, svs }) {
  const read = (name) => new Uint8Array(readFileSync(join(dir, name)));
  if (!shuffled) {
    const replay = new Y.Doc();
    order.forEach((k, i) => {
      Y.applyUpdate(replay, stream[k]);
      assert.deepEqual(svMap(read(`doc-sv-${i}.bin`)), svMap(Y.encodeStateVector(replay)), `state vector after append ${i}`);
    });
  }
  const full = read('doc-full.bin');
  assert.deepEqual(picture(docFrom([full])), truth, 'the full state gives the same document');
  assert.deepEqual(svMap(read('doc-sv.bin')), truth.sv, 'the state vector is the documents\'');
  assert.deepEqual(svMap(read('doc-sv.bin')), svMap(Y.encodeStateVectorFromUpdate(full)), 'the state vector is the full state\'s');
  const [count, bytes] = readFileSync(join(dir, 'doc-stored.txt'), 'utf8').trim().split(' ').map(Number);
  assert.ok(count >= 1 && bytes > 0, 'the document holds its updates');
  svs.forEach((sv, j) => {
    const diff = read(`doc-diff-${j}.bin`);
    assert.deepEqual(diff, Y.diffUpdate(full, sv), `diff ${j} is the bytes Y.diffUpdate makes`);
    if (j < stale.length) {
      Y.applyUpdate(stale[j], diff);
      assert.deepEqual(picture(stale[j]), truth, `diff ${j} brings the stale document up to date`);
    }
  });
}

test(`DocumentState holds ${sessions} random yjs sessions as yjs does`, () => {
  assert.ok(existsSync(tool), `${tool} is built by make build`);
  const scratch = mkdtempSync(join(tmpdir(), 'onair-yjs-doc-'));
  try {
    for (let batchStart = firstSeed; batchStart < firstSeed + sessions; batchStart += batchSize) {
      const batch = [];
      for (let seed = batchStart; seed < Math.min(batchStart + batchSize, firstSeed + sessions); seed++) {
        batch.push(prepare(seed, join(scratch, String(seed))));
      }
      const out = spawnSync(tool, ['document', ...batch.map((s) => s.dir)], { encoding: 'utf8' });
      assert.equal(out.status, 0, `onair_yjs_tool failed: ${out.stderr}`);
      for (const session of batch) {
        try {
          check(session);
        } catch (err) {
          err.message = `seed ${session.seed}${session.shuffled ? ' (shuffled)' : ''}: ${err.message}`;
          throw err;
        }
        rmSync(session.dir, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
