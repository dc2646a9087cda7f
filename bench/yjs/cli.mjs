// What load.mjs and churn.mjs share: option parsing, a bounded-concurrency map, the server
// process's figures, and the exit for a missing endpoint.
import { parseArgs } from 'node:util';
import { EndpointMissing } from './LeanSocket.mjs';
import { cpuSeconds, memory } from './procStats.mjs';

/** Exit status when the server has no Hocuspocus endpoint at --url (run.sh reports it). */
export const ENDPOINT_MISSING = 3;

/** Parses argv against `spec` ({name: default}); every option takes a value. */
export function options(spec, usage) {
  const { values } = parseArgs({
    options: Object.fromEntries(Object.keys(spec).map((k) => [k, { type: 'string' }])),
    strict: true,
  });
  const out = {};
  for (const [k, def] of Object.entries(spec)) {
    const v = values[k] ?? def;
    if (v === undefined) { console.error(usage); process.exit(2); }
    out[k] = typeof def === 'number' ? Number(v) : v;
    if (typeof def === 'number' && !Number.isFinite(out[k])) { console.error(`--${k} must be a number\n${usage}`); process.exit(2); }
  }
  return out;
}

/** Runs fn over items with at most `limit` at once; resolves to the results in order. */
export async function pool(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => { while (next < items.length) { const i = next++; out[i] = await fn(items[i], i); } };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

/** The server's CPU seconds and memory, or nulls without a PID (a server elsewhere). */
export const serverCpu = (pid) => (pid ? cpuSeconds(pid) : null);
export const serverMemory = (pid) => (pid ? memory(pid) : { rssKiB: null, hwmKiB: null });

/** Runs main(); a missing endpoint exits ENDPOINT_MISSING with one line, other errors 1. */
export function run(tag, main) {
  main().then(() => process.exit(0), (e) => {
    if (e instanceof EndpointMissing) {
      console.error(`${tag}: endpoint not available: ${e.message}`);
      process.exit(ENDPOINT_MISSING);
    }
    console.error(`${tag}: ${e.stack ?? e}`);
    process.exit(1);
  });
}
