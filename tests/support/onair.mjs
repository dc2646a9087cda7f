// Starts a real `onair serve` process on a free loopback port for a test, and stops it by PID.
// Secrets are generated per run and passed through the environment; nothing is written to disk
// outside a fresh temporary data directory.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const onairBinary = process.env.ONAIR_BIN ?? join(repoRoot, 'build', 'onair');

/** `{'redis.url': u}` → `['--redis-url', u]`: the flag of a key is its name with '.' and '_' as '-'. */
export function configFlags(config) {
  return Object.entries(config).flatMap(([key, value]) => ['--' + key.replace(/[._]/g, '-'), String(value)]);
}

/**
 * Starts onair and resolves once it listens. Pass `dataDir` (kept after stop) and the same
 * `apiKey`/`apiSecret` to restart a server on the data of an earlier one.
 * `config` sets configuration keys by name, as flags: `{engine: 'redis', 'redis.url': redis.url,
 * 'node.id': 'a'}` (see `onair config reference`).
 * @param {{args?: string[], env?: Record<string,string>, config?: Record<string,string|number|boolean>, threads?: number,
 *   dataDir?: string, apiKey?: string, apiSecret?: string}} [options]
 * @returns {Promise<{url: string, wsUrl: string, port: number, apiKey: string, apiSecret: string,
 *   proc: import('node:child_process').ChildProcess, output: () => string, stop: (signal?: string) => Promise<number|null>}>}
 */
export async function startOnair(options = {}) {
  const ownDataDir = !options.dataDir;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'onair-test-'));
  const apiKey = options.apiKey ?? 'APItest' + randomBytes(6).toString('hex');
  const apiSecret = options.apiSecret ?? randomBytes(32).toString('base64url');
  const args = ['serve', '--http-host', '127.0.0.1', '--http-port', '0',
    '--threads', String(options.threads ?? 2), '--data-dir', dataDir, '--rtc-first-port', '0',
    ...configFlags(options.config ?? {}), ...(options.args ?? [])];
  const proc = spawn(onairBinary, args, {
    env: { ...process.env, ONAIR_API_KEY: apiKey, ONAIR_API_SECRET: apiSecret, ...(options.env ?? {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise((res) => proc.on('exit', (code) => res(code)));
  const port = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('onair did not start in 10 s:\n' + output)), 10_000);
    const onData = (chunk) => {
      output += chunk.toString();
      const m = output.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) { clearTimeout(timer); res(Number(m[1])); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); rej(new Error(`onair exited with ${code}:\n${output}`)); });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url, port, apiKey, apiSecret, proc, dataDir,
    wsUrl: `ws://127.0.0.1:${port}/v1/connect`,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      let timer;
      const code = await Promise.race([exited, new Promise((r) => { timer = setTimeout(() => r('timeout'), 8000); })]);
      clearTimeout(timer);
      if (code === 'timeout') { proc.kill('SIGKILL'); await exited; }
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
      return code === 'timeout' ? null : code;
    },
  };
}
