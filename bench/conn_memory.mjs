// bench/conn_memory: server memory per idle authenticated WebSocket connection.
//
// Starts onair (2 shards), measures its RSS, opens N connections (default 10,000) spread over
// source addresses 127.0.0.2… so no single address runs out of ports, authenticates each with
// `connect`, lets them idle, measures RSS again and prints bytes per connection.
//
//   node bench/conn_memory.mjs [N]        (make bench runs it with the default)
//
// Peer figure: Centrifugo documents roughly 30 KB per idle connection; we cannot run Centrifugo
// here (not packaged in Debian), so the ratio is against that published figure.
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { startOnair } from '../tests/support/onair.mjs';
import { clientToken } from '../tests/support/tokens.mjs';

const N = Number(process.argv[2] ?? process.env.CONN_MEMORY_N ?? 10_000);
const PER_ADDRESS = 1000;
const CENTRIFUGO_BYTES = 30 * 1024;
const TARGET_BYTES = 4 * 1024;

const rssOf = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)[1]) * 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function openOne(srv, token, i) {
  return new Promise((resolve, reject) => {
    const localAddress = `127.0.0.${2 + Math.floor(i / PER_ADDRESS)}`;
    const ws = new WebSocket(srv.wsUrl, { localAddress, perMessageDeflate: false });
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ id: 1, op: 'connect', args: { token } })));
    ws.once('message', (m) => {
      const reply = JSON.parse(m.toString());
      if (reply.result) resolve(ws);
      else reject(new Error(JSON.stringify(reply)));
    });
  });
}

const srv = await startOnair({ threads: 2 });
const pid = srv.proc.pid;
const sockets = [];
try {
  const token = clientToken(srv, { grants: { room: { 'bench_*': ['subscribe'] } } });
  // Warm up: one connection and one HTTP request so lazily made state exists before the baseline.
  sockets.push(await openOne(srv, token, 0));
  await fetch(srv.url + '/metrics');
  await sleep(300);
  const baseline = rssOf(pid);
  const t0 = Date.now();
  const BATCH = 200;
  for (let i = 1; i < N; i += BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(N, i + BATCH); j++) batch.push(openOne(srv, token, j));
    sockets.push(...(await Promise.all(batch)));
    if (process.stderr.isTTY) process.stderr.write(`\rconnected ${sockets.length}/${N}`);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  const connectSeconds = (Date.now() - t0) / 1000;
  await sleep(2000);  // idle: let any per-connection handshake state go away
  const loaded = rssOf(pid);
  const open = (await (await fetch(srv.url + '/metrics')).text())
    .split('\n').filter((l) => l.startsWith('onair_connections{')).reduce((s, l) => s + Number(l.split(' ').pop()), 0);
  const perConn = (loaded - baseline) / (N - 1);
  console.log(`connections open (server metric): ${open}`);
  console.log(`connect + authenticate: ${N} in ${connectSeconds.toFixed(1)} s (${Math.round(N / connectSeconds)}/s)`);
  console.log(`server RSS: ${(baseline / 1048576).toFixed(1)} MiB idle -> ${(loaded / 1048576).toFixed(1)} MiB with ${N} connections`);
  console.log(`per idle authenticated connection: ${Math.round(perConn)} bytes (target <= ${TARGET_BYTES}: ${perConn <= TARGET_BYTES ? 'met' : 'MISSED'})`);
  console.log(`ratio vs Centrifugo's published ~30 KB: ${(CENTRIFUGO_BYTES / perConn).toFixed(1)}x less memory`);
} finally {
  for (const ws of sockets) ws.terminate();
  await srv.stop();
}
