// Seeded random Yjs editing sessions for the differential tests against npm yjs
// (tests/integration/yjs-updates.test.mjs, yjs-document.test.mjs): Y.Text inserts, deletes,
// formats and embeds with non-BMP characters, Y.Map and Y.Array edits, nested types, XML,
// sub-documents, concurrent clients, offline clients that come back, full-state syncs that carry
// GC structs. runSession(seed) returns the update stream and the converged documents.
import * as Y from 'yjs';

// mulberry32: a small seeded PRNG, so a failing seed can be replayed.
export function prng(seed) {
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

export function randomText(r) {
  let s = '';
  for (let i = 1 + r.int(3); i > 0; i--) s += r.pick(pieces);
  return s;
}

export function randomValue(r, depth = 0) {
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

export function randomNested(r) {
  switch (r.int(4)) {
    case 0: return new Y.Map();
    case 1: return new Y.Array();
    case 2: { const t = new Y.Text(); return t; }
    default: return r.chance(0.5) ? new Y.Doc({ guid: `sub-${r.int(1e9)}` }) : new Y.Map();
  }
}

// Every shared type reachable from the roots, to edit nested ones as well.
export function reachableTypes(doc) {
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

export function rootType(doc, name) {
  if (name === 'text') return doc.getText('text');
  if (name === 'map') return doc.getMap('map');
  if (name === 'array') return doc.getArray('array');
  return doc.getXmlFragment('xml');
}

// The UTF-16 offsets of a Y.Text that fall between code points (an embed counts as one unit):
// yjs documents diverge when an edit splits a surrogate pair, so the sessions never do.
export function boundaries(text) {
  const out = [0];
  let at = 0;
  for (const { insert } of text.toDelta()) {
    if (typeof insert !== 'string') out.push(++at);
    else for (const ch of insert) out.push((at += ch.length));
  }
  return out;
}

export function editText(r, text) {
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

export function editArray(r, array) {
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

export function editMap(r, map) {
  const key = r.pick(['a', 'b', 'c', 'ключ', '🔑', 'd']);
  if (r.int(4) > 0) map.set(key, r.chance(0.2) ? randomNested(r) : randomValue(r));
  else map.delete(key);
}

export function editXml(r, xml) {
  const len = xml.length;
  if (r.int(3) > 0 || len === 0) {
    const node = r.chance(0.5) ? new Y.XmlElement(r.pick(['p', 'h1'])) : new Y.XmlText(randomText(r));
    xml.insert(r.int(len + 1), [node]);
  } else {
    xml.delete(r.int(len), 1);
  }
}

export function edit(r, doc) {
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

export function syncPair(a, b) {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), 'remote');
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)), 'remote');
}

// A comparable picture of a document: every root's JSON (sub-documents by guid) and its state vector.
export function picture(doc) {
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

export function docFrom(updates) {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc;
}

export const svMap = (bytes) => [...Y.decodeStateVector(bytes)].sort((x, y) => x[0] - y[0]);

// One editing session: its update stream, the final state, stale states to diff against.
export function runSession(seed) {
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
