// redis_acquire.mjs: the Lua of onair's slot acquire, for redis-benchmark (bench/live_churn/run.sh).
//
//   node redis_acquire.mjs lua <RedisLeases.cpp> <out.lua> [name pattern, default acquire]
//     Evaluates the initializer of the `RedisScript` whose name contains "acquire" (any case) in
//     the C++ source: raw string literals R"d(...)d", ordinary "..." literals, and names of other
//     string constants of the same file, joined with `+` or placed side by side. Writes the Lua to
//     out.lua and prints its SHA1 (what EVALSHA and SCRIPT LOAD use). Read from the source on every
//     run, so the benchmark runs exactly the script onair runs (run.sh also checks that Redis
//     knows this SHA after onair used it).
//   node redis_acquire.mjs args <monitor.log> <sha1> <user prefix>
//     From `redis-cli monitor` output captured while onair served a few attaches: the first
//     `EVALSHA <sha1> ...` call whose key names a user <user prefix><n> (a consumer's slot set,
//     not the producer's set of live entries, which the same script keeps). Prints its arguments
//     after the SHA as a JSON array, the user id in the key (<user prefix><n>) made a
//     `__rand_int__` placeholder for redis-benchmark -r. Exits 1 when there is none.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const fail = (why) => {
  process.stderr.write(`redis_acquire: ${why}\n`);
  process.exit(1);
};

// C++ source → the string values of its constants and scripts, by name.
function stringConstants(src) {
  const values = new Map();
  // `NAME = <expr>;` (constexpr const char*, std::string_view, std::string, const char[]) and
  // `RedisScript NAME(<expr>);` / `RedisScript NAME{<expr>};`.
  const decl = /(?:\b([A-Za-z_]\w*)\s*(?:\[\s*\])?\s*=\s*)|(?:\bRedisScript\s+([A-Za-z_]\w*)\s*[({])/g;
  let m;
  while ((m = decl.exec(src))) {
    const name = m[1] ?? m[2];
    const parsed = parseExpr(src, decl.lastIndex, values);
    if (parsed) {
      values.set(name, parsed.value);
      decl.lastIndex = parsed.end;
    }
  }
  return values;
}

// Reads string pieces from `at` until `;` or an unmatched `)`/`}` at depth 0. Returns null when
// the expression holds no string literal (not a string constant) or an unknown name.
function parseExpr(src, at, values) {
  let value = '', literal = false, depth = 0, i = at;
  while (i < src.length) {
    const c = src[i];
    if (src.startsWith('R"', i) && !/\w/.test(src[i - 1] ?? '')) {
      const open = src.indexOf('(', i + 2);
      const delim = src.slice(i + 2, open);
      const close = src.indexOf(`)${delim}"`, open + 1);
      if (open < 0 || close < 0) return null;
      value += src.slice(open + 1, close);
      literal = true;
      i = close + delim.length + 2;
    } else if (c === '"') {
      let j = i + 1, s = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') {
          const e = src[j + 1];
          s += { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", 0: '\0' }[e] ?? e;
          j += 2;
        } else s += src[j++];
      }
      value += s;
      literal = true;
      i = j + 1;
    } else if (c === '/' && src[i + 1] === '/') {
      i = src.indexOf('\n', i);
      if (i < 0) break;
    } else if (c === '(' || c === '{') {
      depth++;
      i++;
    } else if (c === ')' || c === '}') {
      if (depth === 0) break;
      depth--;
      i++;
    } else if (c === ';' || (c === ',' && depth === 0)) {
      break;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][\w:]*/.exec(src.slice(i, i + 200))[0];
      i += word.length;
      if (values.has(word)) value += values.get(word);
      else if (!/^(std::string|std::string_view|string|string_view|RedisScript|static|const|constexpr)$/.test(word)) return null;
    } else {
      i++;
    }
  }
  return literal ? { value, end: i } : null;
}

// One `redis-cli monitor` line → its command words (Redis quotes each, escaping like sdscatrepr).
function monitorWords(line) {
  const words = [];
  const re = /"((?:[^"\\]|\\.)*)"/g;
  let m;
  while ((m = re.exec(line))) {
    words.push(m[1].replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, e) =>
      e[0] === 'x' && e.length === 3 ? String.fromCharCode(parseInt(e.slice(1), 16))
        : { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b' }[e] ?? e));
  }
  return words;
}

const [mode, a, b, c] = process.argv.slice(2);
if (mode === 'lua') {
  if (!a || !b) fail('usage: lua <RedisLeases.cpp> <out.lua>');
  let src;
  try { src = readFileSync(a, 'utf8'); } catch { fail(`cannot read ${a}`); }
  const values = stringConstants(src);
  const pattern = new RegExp(c ?? 'acquire', 'i');  // a third argument picks another script (tests)
  const name = [...src.matchAll(/\bRedisScript\s+([A-Za-z_]\w*)\s*[({]/g)].map((x) => x[1]).find((n) => pattern.test(n) && values.has(n));
  if (!name) fail(`no RedisScript named *${pattern.source}* with a readable initializer in ${a}`);
  const lua = values.get(name);
  writeFileSync(b, lua);
  console.log(createHash('sha1').update(lua).digest('hex'));
} else if (mode === 'args') {
  if (!a || !b || !c) fail('usage: args <monitor.log> <sha1> <user prefix>');
  let log;
  try { log = readFileSync(a, 'latin1'); } catch { fail(`cannot read ${a}`); }
  for (const line of log.split('\n')) {
    const w = monitorWords(line);
    if (w.length < 4 || w[0].toUpperCase() !== 'EVALSHA' || w[1] !== b) continue;
    const keys = Number(w[2]);
    const args = w.slice(2);
    const user = new RegExp(`${c}\\d+`, 'g');
    if (!args.slice(1, keys + 1).some((k) => new RegExp(`${c}\\d+`).test(k))) continue;
    for (let k = 1; k <= keys; k++) args[k] = args[k].replace(user, 'u__rand_int__');
    console.log(JSON.stringify(args));
    process.exit(0);
  }
  fail(`no EVALSHA ${b} in ${a}`);
} else {
  fail('usage: lua <RedisLeases.cpp> <out.lua> | args <monitor.log> <sha1> <user prefix>');
}
