// bench/yjs/report.mjs DIR "SERVERS": the table of bench/yjs/run.sh from DIR/<server>-load.json,
// DIR/<server>-churn.json and DIR/<server>.missing, with the onair/hocuspocus ratios.
import { readFileSync } from 'node:fs';

const [dir, serverList] = process.argv.slice(2);
const kinds = serverList.split(/\s+/).filter(Boolean);
const read = (file) => { try { return readFileSync(`${dir}/${file}`, 'utf8'); } catch { return null; } };
const json = (file) => { const t = read(file); return t ? JSON.parse(t) : null; };
const names = { hocuspocus: '@hocuspocus/server 3.4', onair: 'onair (1 thread)' };
const num = (v, digits = 0) => (v == null || !Number.isFinite(v) ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const mib = (kib) => (kib == null ? null : kib / 1024);
const pad = (s, n) => String(s).padStart(n);
const row = (cells, widths) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[0]) : pad(c, widths[i]))).join('');

const r = Object.fromEntries(kinds.map((k) => [k, { load: json(`${k}-load.json`), churn: json(`${k}-churn.json`), missing: read(`${k}.missing`) }]));
const l0 = Object.values(r).find((x) => x.load)?.load, c0 = Object.values(r).find((x) => x.churn)?.churn;

if (l0) console.log(`\nload: ${l0.docs} documents × ${l0.clients} clients, ${l0.rate} updates/s each for ${num(l0.seconds, 1)} s (${l0.sockets} sockets)\n`);
const lw = [24, 8, 20, 13, 13, 11, 10, 10, 11, 13];
console.log(row(['server', 'sent', 'delivered/expected', 'delivered/s', 'server core', 'µs/deliv.', 'RSS MiB', 'HWM MiB', 'converged', 'client core'], lw));
for (const k of kinds) {
  const x = r[k].load;
  if (!x) { console.log(row([names[k] ?? k, r[k].missing ? 'not available (/v1/hocuspocus)' : '(no result)'], [24, 32])); continue; }
  console.log(row([names[k] ?? k, num(x.sent), `${num(x.delivered)}/${num(x.expected_deliveries)}`, num(x.delivered_per_s),
    `${num(x.server_core_pct)}%`, num(x.cpu_us_per_delivery, 2), num(mib(x.rss_after_kib), 1), num(mib(x.hwm_after_kib), 1),
    x.converged ? 'yes' : 'NO', `${num(x.client_core_pct)}%`], lw));
}

if (c0) console.log(`\nchurn: ${num(c0.docs)} documents opened (auth, sync, 1 update) and closed, batches of ${c0.batch}; settle ${c0.settle_seconds} s\n`);
const cw = [24, 8, 8, 11, 13, 12, 14, 12, 10];
console.log(row(['server', 'failed', 'docs/s', 'µs CPU/doc', 'RSS before', 'RSS after', 'RSS settled', '2nd round', 'HWM'], cw));
for (const k of kinds) {
  const x = r[k].churn;
  if (!x) { console.log(row([names[k] ?? k, r[k].missing ? 'not available (/v1/hocuspocus)' : '(no result)'], [24, 32])); continue; }
  console.log(row([names[k] ?? k, num(x.failed), num(x.docs_per_s), num(x.cpu_us_per_doc), `${num(mib(x.rss_before_kib), 1)} MiB`,
    `${num(mib(x.rss_after_kib), 1)} MiB`, `${num(mib(x.rss_settled_kib), 1)} MiB`, `${num(mib(x.rss_second_settled_kib), 1)} MiB`,
    `${num(mib(x.hwm_kib), 1)} MiB`], cw));
  if (x.first_error) console.log(`  first error: ${x.first_error}`);
}

const o = r.onair, h = r.hocuspocus;
if (o && h) {
  console.log('\nonair / hocuspocus');
  if (o.missing) console.log(`  ${o.missing.trim()}`);
  const ratio = (a, b) => (a != null && b ? num(a / b, 2) : '—');
  const lines = [
    ['CPU µs per delivered update (load)', o.load?.cpu_us_per_delivery, h.load?.cpu_us_per_delivery],
    ['RSS after load', o.load?.rss_after_kib, h.load?.rss_after_kib],
    ['HWM after load', o.load?.hwm_after_kib, h.load?.hwm_after_kib],
    ['CPU µs per document (churn)', o.churn?.cpu_us_per_doc, h.churn?.cpu_us_per_doc],
    ['RSS growth over churn (settled − before)', o.churn && o.churn.rss_settled_kib - o.churn.rss_before_kib, h.churn && h.churn.rss_settled_kib - h.churn.rss_before_kib],
    ['RSS after churn, settled', o.churn?.rss_settled_kib, h.churn?.rss_settled_kib],
    ['RSS growth over a second churn round', o.churn && o.churn.rss_second_settled_kib - o.churn.rss_settled_kib,
      h.churn && h.churn.rss_second_settled_kib - h.churn.rss_settled_kib],
  ];
  if (!o.missing) for (const [label, a, b] of lines) console.log(`  ${label.padEnd(44)}${pad(ratio(a, b), 8)}`);
}
