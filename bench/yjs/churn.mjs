// bench/yjs/churn.mjs: opens and closes N documents on a Hocuspocus 3.x server, in batches: each
// document gets its own socket, auth + sync, one small update (waiting for its SyncStatus ack),
// then the socket closes. Reports the server's RSS before, right after, and after a settle pause
// (does the server give the memory of closed documents back?). One JSON object on stdout.
//
//   node bench/yjs/churn.mjs --url ws://127.0.0.1:PORT[/v1/hocuspocus] [--server-pid PID]
//     [--docs 10000] [--batch 100] [--settle-seconds 10] [--prefix NAME]
// Tokens: tokens.mjs tokenSourceFromEnv (onair: BENCH_ONAIR_CONNECT_URL + BENCH_ONAIR_ACCESS_TOKEN).
import { LeanDoc } from './LeanDoc.mjs';
import { LeanSocket } from './LeanSocket.mjs';
import { tokenSourceFromEnv } from './tokens.mjs';
import { options, run, serverCpu, serverMemory, sleep } from './cli.mjs';

const usage = 'usage: node bench/yjs/churn.mjs --url ws://127.0.0.1:PORT/PATH [--server-pid PID] [--docs 10000] ' +
  '[--batch 100] [--settle-seconds 10] [--prefix NAME]';
const o = options({ url: undefined, 'server-pid': '', docs: 10000, batch: 100, 'settle-seconds': 10, prefix: `ychurn-${process.pid}` }, usage);
const pid = o['server-pid'];
const log = (s) => console.error(`churn: ${s}`);

// One document's life: open, auth, sync, one edit, its ack (after the sync's `syncAcks`), close.
async function cycle(name, token, syncAcks) {
  const s = await LeanSocket.open(o.url);
  try {
    const d = new LeanDoc(s, name);
    await d.join(token);
    d.edit();
    await d.waitAcks(syncAcks + 1);
    return d;
  } finally {
    await s.close();
  }
}

// How many acks the server sends for the sync alone (Hocuspocus: 1, for the Step2 answer): one
// document, then a quiet moment. Every later document waits for that many plus its update's.
async function syncAcksOf(tokens) {
  const name = `${o.prefix}-probe`;
  const s = await LeanSocket.open(o.url);
  const d = new LeanDoc(s, name);
  await d.join(await tokens.token(name));
  await sleep(500);
  await s.close();
  return d.syncAcks;
}

async function main() {
  const tokens = await tokenSourceFromEnv();
  const syncAcks = await syncAcksOf(tokens);
  await sleep(1000);
  const before = serverMemory(pid), cpu0 = serverCpu(pid), t0 = Date.now();
  let failed = 0, firstError = null;
  // One round: o.docs documents of their own, opened and closed in batches.
  const round = async (tag) => {
    for (let i = 0; i < o.docs; i += o.batch) {
      const names = Array.from({ length: Math.min(o.batch, o.docs - i) }, (_, k) => `${o.prefix}-${tag}${i + k}`);
      const batchTokens = await Promise.all(names.map((n) => tokens.token(n)));
      const results = await Promise.allSettled(names.map((n, k) => cycle(n, batchTokens[k], syncAcks)));
      for (const r of results) {
        if (r.status === 'fulfilled') continue;
        failed++;
        firstError ??= String(r.reason?.message ?? r.reason);
      }
    }
  };
  await round('d');
  const seconds = (Date.now() - t0) / 1000;
  const cpu1 = serverCpu(pid), after = serverMemory(pid);
  log(`${o.docs} documents in ${seconds.toFixed(1)} s (${failed} failed); settling ${o['settle-seconds']} s`);
  await sleep(o['settle-seconds'] * 1000);
  const settled = serverMemory(pid);
  // A second round of as many other documents: memory that documents leave behind would grow
  // again here; memory that is reused does not.
  log(`second round: ${o.docs} other documents; settling ${o['settle-seconds']} s`);
  await round('e');
  tokens.close();
  await sleep(o['settle-seconds'] * 1000);
  const second = serverMemory(pid);
  const r = {
    docs: o.docs, batch: o.batch, failed, first_error: firstError, seconds, docs_per_s: o.docs / seconds, sync_acks: syncAcks,
    server_cpu_s: cpu1 == null ? null : cpu1 - cpu0,
    cpu_us_per_doc: cpu1 == null ? null : (1e6 * (cpu1 - cpu0)) / o.docs,
    rss_before_kib: before.rssKiB, rss_after_kib: after.rssKiB, rss_settled_kib: settled.rssKiB, rss_second_settled_kib: second.rssKiB, hwm_kib: second.hwmKiB,
    settle_seconds: o['settle-seconds'],
  };
  log(`RSS ${r.rss_before_kib} → ${r.rss_after_kib} → ${r.rss_settled_kib} KiB, after a second round ${r.rss_second_settled_kib} KiB (HWM ${r.hwm_kib}); ` +
    `${Math.round(r.docs_per_s)} docs/s, ${r.cpu_us_per_doc?.toFixed(0)} µs server CPU/doc`);
  console.log(JSON.stringify(r));
}

run('churn', main);
