// onair gives back the memory of Yjs documents that left memory: 11,000 documents are opened,
// written once and closed over the Hocuspocus protocol (the lean raw client of bench/yjs), and
// after each round has been evicted (onair_collab_documents back at 0) the server's RSS has grown
// by a bounded amount only; a sample of the documents still reads back intact from storage.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startOnair } from '../support/onair.mjs';
import { documentsInMemory, tokenMinter, waitFor } from '../support/yjs-clients.mjs';
import { LeanDoc } from '../../bench/yjs/LeanDoc.mjs';
import { LeanSocket } from '../../bench/yjs/LeanSocket.mjs';

const WARMUP_DOCS = 1000;
const DOCS = 10000;
const BATCH = 100;
const SAMPLE = 20;
// Measured on the 2-core test machine (onair --threads 2, Release): after the 1,000-document
// warm-up, 10,000 more documents grow RSS by 4.6–5.5 MiB once evicted (not diagnosed: plausibly
// allocator arenas and tables sized for the peak, SQLite's page cache over a larger database);
// further rounds of 10,000 add ~1 MiB each. With eviction off, the same 10,000 documents held in
// memory grow it by ~12 MiB (~1.2 KiB each). So 10 MiB is about twice the measured growth, while
// a server that kept ≥ 0.5 KiB per closed document (half of what one in memory costs) fails.
const MAX_GROWTH_BYTES = 10 * 1024 * 1024;
// Acks a document gets before its edit's: the client answers the server's SyncStep1 with a
// SyncStep2, which onair acknowledges with a SyncStatus like any update (as Hocuspocus does).
const SYNC_ACKS = 1;

const prefix = `ymem-${process.pid}`;
const nameOf = (round, i) => `${prefix}-${round}${i}`;

/** The server's resident set size in bytes (/proc/<pid>/status VmRSS). */
function rssOf(pid) {
  const kib = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB$/m);
  return Number(kib[1]) * 1024;
}


/** One document's life: open, auth, sync, its own name typed in, that update acknowledged, close. */
async function cycle(srv, name, token) {
  const socket = await LeanSocket.open(`ws://127.0.0.1:${srv.port}/v1/hocuspocus`);
  try {
    const doc = new LeanDoc(socket, name);
    await doc.join(token);
    doc.text.insert(0, name);
    await doc.waitAcks(SYNC_ACKS + 1);
    assert.equal(doc.refused, 0, `${name}: no update refused`);
  } finally {
    await socket.close();
  }
}

/** What a fresh client reads from document `name` (its Y.Text 'text'). */
async function readBack(srv, name, token) {
  const socket = await LeanSocket.open(`ws://127.0.0.1:${srv.port}/v1/hocuspocus`);
  try {
    const doc = new LeanDoc(socket, name, { apply: true });
    await doc.join(token);
    return doc.text.toString();
  } finally {
    await socket.close();
  }
}

/** `count` documents of round `round`, BATCH at a time concurrently. */
async function churn(srv, minter, round, count) {
  for (let i = 0; i < count; i += BATCH) {
    const names = Array.from({ length: Math.min(BATCH, count - i) }, (_, k) => nameOf(round, i + k));
    const tokens = await Promise.all(names.map((n) => minter.token(n)));
    await Promise.all(names.map((n, k) => cycle(srv, n, tokens[k])));
  }
}

async function evicted(srv) {
  let last;
  await waitFor(async () => (last = await documentsInMemory(srv)) === 0, () => `every document to leave memory (still ${last})`, 20000);
}

describe('Yjs document memory', () => {
  let srv;
  let minter;
  before(async () => {
    srv = await startOnair({ config: { 'collab.document_idle_ms': 200, 'collab.save_interval_ms': 50 } });
    minter = await tokenMinter(srv);
  });
  after(async () => {
    minter?.close();
    await srv?.stop();
  });

  test(`${DOCS} documents opened, written and closed leave bounded memory behind once evicted`, async (t) => {
    await churn(srv, minter, 'w', WARMUP_DOCS);
    await evicted(srv);
    const baseline = rssOf(srv.proc.pid);
    await churn(srv, minter, 'd', DOCS);
    await evicted(srv);
    const growth = rssOf(srv.proc.pid) - baseline;
    const mib = (n) => (n / 1048576).toFixed(1);
    t.diagnostic(`RSS after the warm-up ${mib(baseline)} MiB, growth after ${DOCS} documents ${mib(growth)} MiB`);
    assert.ok(growth < MAX_GROWTH_BYTES, `RSS grew by ${mib(growth)} MiB (bound ${mib(MAX_GROWTH_BYTES)} MiB)`);
  });

  test(`a sample of ${SAMPLE} evicted documents reads back intact`, async () => {
    const step = Math.floor(DOCS / SAMPLE);
    const names = [nameOf('w', 0), ...Array.from({ length: SAMPLE - 1 }, (_, k) => nameOf('d', k * step + 7))];
    for (const name of names) assert.equal(await readBack(srv, name, await minter.token(name)), name, `${name} holds its update`);
  });
});
