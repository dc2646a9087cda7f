// The client entry point must run in browsers: no Node built-ins anywhere in its import graph.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

function importGraph(entry, { allowNode = false } = {}) {
  const seen = new Set();
  const stack = [entry];
  while (stack.length) {
    const file = stack.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1];
      if (allowNode && spec.startsWith('node:')) continue;
      assert.ok(spec.startsWith('.'), `${file} imports "${spec}": the client may import only its own files`);
      stack.push(resolve(dirname(file), spec));
    }
  }
  return seen;
}

test('the client import graph uses no Node built-ins or Node globals', () => {
  const files = importGraph(resolve(dist, 'client', 'index.js'));
  assert.ok(files.size >= 4, `expected the client and common modules, got ${[...files]}`);
  for (const file of files) {
    const source = readFileSync(file, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
    for (const forbidden of [/\bBuffer\b/, /\bprocess\./, /\brequire\(/, /['"]node:/]) {
      assert.doesNotMatch(source, forbidden, `${file} uses ${forbidden}`);
    }
  }
});

test('the crdt entry point imports yjs, y-protocols and lib0 by name; the client entry never loads it', () => {
  const bare = new Set();
  const stack = [resolve(dist, 'crdt', 'index.js')];
  const seen = new Set();
  while (stack.length) {
    const file = stack.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      if (m[1].startsWith('.')) stack.push(resolve(dirname(file), m[1]));
      else bare.add(m[1]);
    }
  }
  assert.deepEqual([...bare].sort(), ['lib0/decoding', 'lib0/encoding', 'y-protocols/awareness', 'y-protocols/sync', 'yjs']);
  const client = importGraph(resolve(dist, 'client', 'index.js'));
  assert.ok(![...client].some((f) => f.startsWith(resolve(dist, 'crdt'))));
});

test('the server entry point is separate and may use node:crypto', () => {
  const files = importGraph(resolve(dist, 'server', 'index.js'), { allowNode: true });
  assert.ok([...files].some((f) => f.endsWith('jwt.js')));
  // The client must not pull in the server's modules.
  const client = importGraph(resolve(dist, 'client', 'index.js'));
  assert.ok(![...client].some((f) => f.includes(`${'/'}server${'/'}`)));
});
