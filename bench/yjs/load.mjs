// bench/yjs/load.mjs: D documents × C clients typing into a Hocuspocus 3.x server for T seconds
// at R updates/s per client, through lean raw-`ws` clients (LeanDoc: real Y.Doc edits out,
// received updates counted, not applied). One socket per (client, doc) unless --docs-per-socket.
// Afterwards: waits for the acks and deliveries to drain (bounded), checks convergence on a
// sample of documents with fresh clients that apply the server's state, reads the server's
// memory, closes everything. Prints one JSON object on stdout, a summary on stderr.
//
//   node bench/yjs/load.mjs --url ws://127.0.0.1:PORT[/v1/hocuspocus] [--server-pid PID]
//     [--docs 100] [--clients 10] [--seconds 20] [--rate 2] [--docs-per-socket 1] [--verify 3]
//     [--prefix NAME] [--concurrency 50] [--drain-seconds 20] [--awareness 0|1]
// --awareness 1: every edit also sends the client's cursor (an awareness update), as editor
// bindings do per keystroke; CPU is still divided by the delivered document updates.
// Tokens: tokens.mjs tokenSourceFromEnv (onair: BENCH_ONAIR_CONNECT_URL + BENCH_ONAIR_ACCESS_TOKEN).
import { LeanDoc } from './LeanDoc.mjs';
import { LeanSocket } from './LeanSocket.mjs';
import { tokenSourceFromEnv } from './tokens.mjs';
import { options, pool, run, serverCpu, serverMemory, sleep } from './cli.mjs';

const usage = 'usage: node bench/yjs/load.mjs --url ws://127.0.0.1:PORT/PATH [--server-pid PID] [--docs 100] [--clients 10] ' +
  '[--seconds 20] [--rate 2] [--docs-per-socket 1] [--verify 3] [--prefix NAME] [--concurrency 50] [--drain-seconds 20] [--awareness 0|1]';
const o = options({
  url: undefined, 'server-pid': '', docs: 100, clients: 10, seconds: 20, rate: 2, 'docs-per-socket': 1, verify: 3,
  prefix: `ybench-${process.pid}`, concurrency: 50, 'drain-seconds': 20, awareness: 0,
}, usage);
const pid = o['server-pid'];
const sum = (xs, f) => xs.reduce((a, x) => a + f(x), 0);
const log = (s) => console.error(`load: ${s}`);

// Every client's sockets: client c holds the documents in groups of --docs-per-socket.
function socketGroups(names) {
  const groups = [];
  for (let c = 0; c < o.clients; c++) {
    for (let i = 0; i < names.length; i += o['docs-per-socket']) groups.push(names.slice(i, i + o['docs-per-socket']));
  }
  return groups;
}

async function connectAll(names, tokenOf) {
  const sockets = [], clients = [];
  await pool(socketGroups(names), o.concurrency, async (group) => {
    const s = await LeanSocket.open(o.url);
    sockets.push(s);
    const docs = group.map((n) => new LeanDoc(s, n, { awareness: Number(o.awareness) === 1 }));
    clients.push(...docs);
    await Promise.all(docs.map((d) => d.join(tokenOf.get(d.name))));
  });
  return { sockets, clients };
}

// Each client edits every 1/R s from a random phase, for the window; resolves when it ends.
async function type(clients) {
  const period = 1000 / o.rate, timers = [];
  let typing = true;
  const start = (c) => {
    if (!typing) return;
    c.edit();
    timers.push(setInterval(() => c.edit(), period));
  };
  for (const c of clients) timers.push(setTimeout(() => start(c), Math.random() * period));
  await sleep(o.seconds * 1000);
  typing = false;
  for (const t of timers) clearInterval(t);  // clears the timeouts as well
}

// Waits until every update is acked and delivered to the other C−1 clients, or nothing moves
// for 3 s, or --drain-seconds pass. Returns the seconds it took.
async function drain(clients, expected) {
  const start = Date.now();
  let last = -1, lastMove = start;
  while (Date.now() - start < o['drain-seconds'] * 1000) {
    const delivered = sum(clients, (c) => c.delivered), acked = sum(clients, (c) => c.acked);
    if (delivered >= expected && acked >= sum(clients, (c) => c.sent)) break;
    if (delivered + acked !== last) { last = delivered + acked; lastMove = Date.now(); }
    if (Date.now() - lastMove > 3000) break;
    await sleep(100);
  }
  return (Date.now() - start) / 1000;
}

// Fresh clients that apply the server's state: the text length must equal the edits sent.
async function verify(names, clients, tokenOf) {
  return pool(names.slice(0, o.verify), 4, async (name) => {
    const s = await LeanSocket.open(o.url);
    const d = new LeanDoc(s, name, { apply: true });
    await d.join(tokenOf.get(name));
    const expected = sum(clients.filter((c) => c.name === name), (c) => c.sent);
    await s.close();
    return { doc: name, expected, got: d.text.length };
  });
}

async function main() {
  const tokens = await tokenSourceFromEnv();
  const names = Array.from({ length: o.docs }, (_, i) => `${o.prefix}-d${i}`);
  const tokenOf = new Map(await pool(names, 50, async (n) => [n, await tokens.token(n)]));
  tokens.close();
  log(`${o.docs} docs × ${o.clients} clients, ${o.rate} updates/s each for ${o.seconds} s; connecting`);
  const { sockets, clients } = await connectAll(names, tokenOf);
  await sleep(1000);  // the sync's acks come in before the first edit (LeanDoc.syncAcks)
  const memConnected = serverMemory(pid);

  const cpu0 = serverCpu(pid), own0 = process.cpuUsage(), t0 = process.hrtime.bigint();
  await type(clients);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu1 = serverCpu(pid), own = process.cpuUsage(own0);
  const sentInWindow = sum(clients, (c) => c.sent), deliveredInWindow = sum(clients, (c) => c.delivered);

  const expected = sentInWindow * (o.clients - 1);
  const drainSeconds = await drain(clients, expected);
  const cpu2 = serverCpu(pid);
  const memAfter = serverMemory(pid);
  const delivered = sum(clients, (c) => c.delivered);
  const verified = await verify(names, clients, tokenOf);
  const closedEarly = sockets.filter((s) => s.isClosed).length;
  await pool(sockets, o.concurrency, (s) => s.close());

  const r = {
    docs: o.docs, clients: o.clients, rate: o.rate, seconds, sockets: sockets.length,
    sent: sentInWindow, acked: sum(clients, (c) => c.acked), sync_acks: sum(clients, (c) => c.syncAcks), refused: sum(clients, (c) => c.refused),
    expected_deliveries: expected, delivered, delivered_in_window: deliveredInWindow,
    echoes: sum(clients, (c) => c.echoes), awareness_received: sum(clients, (c) => c.awarenessIn), stray_frames: sum(sockets, (s) => s.strayFrames), closed_early: closedEarly,
    delivered_per_s: deliveredInWindow / seconds, drain_seconds: drainSeconds,
    server_cpu_s: cpu1 == null ? null : cpu1 - cpu0,
    server_cpu_s_with_drain: cpu2 == null ? null : cpu2 - cpu0,
    cpu_us_per_delivery: cpu1 == null ? null : (1e6 * (cpu1 - cpu0)) / deliveredInWindow,
    cpu_us_per_delivery_with_drain: cpu2 == null ? null : (1e6 * (cpu2 - cpu0)) / delivered,
    server_core_pct: cpu1 == null ? null : (100 * (cpu1 - cpu0)) / seconds,
    client_core_pct: (100 * (own.user + own.system)) / 1e6 / seconds,
    rss_connected_kib: memConnected.rssKiB, rss_after_kib: memAfter.rssKiB, hwm_after_kib: memAfter.hwmKiB,
    verified, converged: verified.every((v) => v.expected === v.got && v.expected > 0),
  };
  log(`sent ${r.sent}, acked ${r.acked}, delivered ${r.delivered}/${expected} (${Math.round(r.delivered_per_s)}/s in the window), ` +
    `echoes ${r.echoes}${o.awareness == 1 ? `, awareness received ${r.awareness_received}` : ''}; server ${r.server_core_pct?.toFixed(0)}% of a core, ${r.cpu_us_per_delivery?.toFixed(2)} µs/delivery; ` +
    `client ${r.client_core_pct.toFixed(0)}% of a core; RSS ${r.rss_after_kib} KiB (HWM ${r.hwm_after_kib}); ` +
    `converged ${r.converged} (${verified.map((v) => `${v.got}/${v.expected}`).join(' ')})`);
  if (r.client_core_pct > 90) log('warning: the client is near a full core; lower --rate');
  console.log(JSON.stringify(r));
}

run('load', main);
