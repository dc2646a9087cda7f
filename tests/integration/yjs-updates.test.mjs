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

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tool = join(root, 'build', 'onair_yjs_tool');
const sessions = Number(process.env.YJS_SESSIONS ?? 300);
const firstSeed = Number(process.env.YJS_SEED ?? 1);
const corpusOut = process.env.YJS_CORPUS_OUT;

// mulberry32: a small seeded PRNG, so a failing seed can be replayed.
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (xs) => xs[int(xs.length)];
  return { next, int, pick, chance: (p) => next() < p };
}

const pieces = ['a', 'bc', 'é', '中文', '😀', '👩‍👩‍👧', '𝄞x', '\n', 'hello ', '∑', 'z'];

function randomText(r) {
  let s = '';
  for (let i = 1 + r.int(3); i > 0; i--) s += r.pick(pieces);
  return s;
}

function randomValue(r, depth = 0) {
  switch (r.int(depth > 1 ? 6 : 9)) {
    case 0: return r.int(1000) - 500;
    case 1: return randomText(r);
    case 2: return r.chance(0.5);
    case 3: return null;
    case 4: return r.next() * 1e6;
    case 5: return 2 ** 40 + r.int(1000);
    case 6: return [randomValue(r, depth + 1), randomValue(r, depth + 1)];
    case 7: return { k: randomValue(r, depth + 1), [randomText(r)]: randomValue(r, depth + 1) };
    default: return new Uint8Array([r.int(256), r.int(256), r.int(256)]);
  }
}

function randomNested(r) {
  switch (r.int(4)) {
    case 0: return new Y.Map();
    case 1: return new Y.Array();
    case 2: { const t = new Y.Text(); return t; }
    default: return r.chance(0.5) ? new Y.Doc({ guid: `sub-${r.int(1e9)}` }) : new Y.Map();
  }
}

// Every shared type reachable from the roots, to edit nested ones as well.
function reachableTypes(doc) {
  const out = [];
  const visit = (type) => {
    out.push(type);
    if (type instanceof Y.Map) for (const v of type.values()) if (v instanceof Y.AbstractType) visit(v);
    if (type instanceof Y.Array || type instanceof Y.XmlFragment) {
      for (const v of type.toArray()) if (v instanceof Y.AbstractType) visit(v);
    }
  };
  for (const name of ['text', 'map', 'array', 'xml']) visit(rootType(doc, name));
  return out;
}

function rootType(doc, name) {
  if (name === 'text') return doc.getText('text');
  if (name === 'map') return doc.getMap('map');
  if (name === 'array') return doc.getArray('array');
  return doc.getXmlFragment('xml');
}

// The UTF-16 offsets of a Y.Text that fall between code points (an embed counts as one unit):
// yjs documents diverge when an edit splits a surrogate pair, so the sessions never do.
function boundaries(text) {
  const out = [0];
  let at = 0;
  for (const { insert } of text.toDelta()) {
    if (typeof insert !== 'string') out.push(++at);
    else for (const ch of insert) out.push((at += ch.length));
  }
  return out;
}

function editText(r, text) {
  const cuts = boundaries(text);
  const n = cuts.length - 1;
  const op = r.int(10);
  if (op < 5 || n === 0) {
    const attrs = r.chance(0.15) ? { bold: r.chance(0.5) ? true : null } : undefined;
    text.insert(r.pick(cuts), randomText(r), attrs);
  } else if (op < 8) {
    const from = r.int(n);
    const to = from + 1 + r.int(Math.min(n - from, 6));
    text.delete(cuts[from], cuts[to] - cuts[from]);
  } else if (op < 9) {
    text.insertEmbed(r.pick(cuts), { image: randomText(r) });
  } else {
    const from = r.int(n);
    const to = from + 1 + r.int(Math.min(n - from, 4));
    text.format(cuts[from], cuts[to] - cuts[from], { italic: r.chance(0.7) ? true : null });
  }
}

function editArray(r, array) {
  const len = array.length;
  if (r.int(3) > 0 || len === 0) {
    const values = [];
    for (let i = 1 + r.int(3); i > 0; i--) values.push(r.chance(0.2) ? randomNested(r) : randomValue(r));
    array.insert(r.int(len + 1), values);
  } else {
    const at = r.int(len);
    array.delete(at, 1 + r.int(Math.min(len - at, 3)));
  }
}

function editMap(r, map) {
  const key = r.pick(['a', 'b', 'c', 'ключ', '🔑', 'd']);
  if (r.int(4) > 0) map.set(key, r.chance(0.2) ? randomNested(r) : randomValue(r));
  else map.delete(key);
}

function editXml(r, xml) {
  const len = xml.length;
  if (r.int(3) > 0 || len === 0) {
    const node = r.chance(0.5) ? new Y.XmlElement(r.pick(['p', 'h1'])) : new Y.XmlText(randomText(r));
    xml.insert(r.int(len + 1), [node]);
  } else {
    xml.delete(r.int(len), 1);
  }
}

function edit(r, doc) {
  const types = reachableTypes(doc);
  const type = r.pick(types);
  doc.transact(() => {
    if (type instanceof Y.Text) editText(r, type);
    else if (type instanceof Y.Map) editMap(r, type);
    else if (type instanceof Y.Array) editArray(r, type);
    else if (type instanceof Y.XmlElement) type.setAttribute('class', randomText(r));
    else if (type instanceof Y.XmlFragment) editXml(r, type);
  });
}

function syncPair(a, b) {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), 'remote');
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)), 'remote');
}

// A comparable picture of a document: every root's JSON (sub-documents by guid) and its state vector.
function picture(doc) {
  const plain = (v) => {
    if (v instanceof Y.Doc) return { subdoc: v.guid };
    if (v instanceof Y.Text) return { text: v.toDelta().map((d) => ({ ...d, insert: plain(d.insert) })) };
    if (v instanceof Y.XmlFragment || v instanceof Y.XmlElement) return v.toString();
    if (v instanceof Y.Map) return Object.fromEntries([...v.entries()].sort().map(([k, x]) => [k, plain(x)]));
    if (v instanceof Y.Array) return v.toArray().map(plain);
    if (v instanceof Uint8Array) return { bytes: [...v] };
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v;
  };
  const roots = Object.fromEntries(['text', 'map', 'array', 'xml'].map((n) => [n, plain(rootType(doc, n))]));
  return { roots, sv: [...Y.decodeStateVector(Y.encodeStateVector(doc))].sort((x, y) => x[0] - y[0]) };
}

function docFrom(updates) {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc;
}

const svMap = (bytes) => [...Y.decodeStateVector(bytes)].sort((x, y) => x[0] - y[0]);

// One editing session: its update stream, the final state, stale states to diff against.
function runSession(seed) {
  const r = prng(seed);
  const clients = 2 + r.int(3);
  const docs = [];
  const stream = [];
  const ids = new Set();
  for (let i = 0; i < clients; i++) {
    const doc = new Y.Doc({ gc: r.chance(0.6) });
    do doc.clientID = 1 + r.int(r.chance(0.5) ? 100 : 2 ** 32 - 2); while (ids.has(doc.clientID));
    ids.add(doc.clientID);
    doc.on('update', (u, origin) => { if (origin !== 'remote') stream.push(u); });
    docs.push(doc);
  }
  const offline = new Set();
  const staleStates = [];
  for (let step = 10 + r.int(60); step > 0; step--) {
    const i = r.int(clients);
    const roll = r.next();
    if (roll < 0.65) edit(r, docs[i]);
    else if (roll < 0.8 && !offline.has(i)) {
      const j = r.int(clients);
      if (j !== i && !offline.has(j)) syncPair(docs[i], docs[j]);
    } else if (roll < 0.88) {
      if (offline.has(i)) offline.delete(i); else offline.add(i);
    } else if (roll < 0.94) {
      stream.push(Y.encodeStateAsUpdate(docs[i]));  // a full state, as sync step 2 sends it (GC structs)
    } else {
      staleStates.push(Y.encodeStateAsUpdate(docs[i]));
    }
  }
  for (let round = 0; round < 2; round++) for (let i = 1; i < clients; i++) syncPair(docs[0], docs[i]);
  return { r, docs, stream, staleStates };
}

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
