// Starts a real redis-server (`/usr/bin/redis-server`, Debian package `redis-server`) on a free
// 127.0.0.1 port with its own temporary directory, for tests of the Redis engine. Stopped and
// killed by PID only. restart() keeps the port and the directory (so an `appendonly` server
// comes back with its data); stop() also removes a directory it made.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const redisServerBinary = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
export const redisAvailable = () => existsSync(redisServerBinary);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
  });
}

/** Resolves true when Redis on `port` answers an inline PING with +PONG within `ms`. */
export function ping(port, ms = 300) {
  return new Promise((res) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok) => { clearTimeout(timer); sock.destroy(); res(ok); };
    const timer = setTimeout(() => done(false), ms);
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => { reply += d.toString(); if (reply.includes('\r\n')) done(reply.startsWith('+PONG')); });
    sock.on('error', () => done(false));
  });
}

/**
 * Starts redis-server and resolves once it answers PING.
 * @param {{appendonly?: boolean, dir?: string}} [options] appendonly: AOF with `appendfsync everysec`
 *   (as docs/operations.md recommends); dir: a data directory to use (kept on stop)
 * @returns {Promise<{url: string, port: number, pid: number, dir: string, output: () => string,
 *   stop: () => Promise<void>, restart: () => Promise<void>, kill: () => Promise<void>}>}
 */
export async function startRedis({ appendonly = false, dir } = {}) {
  const ownDir = !dir;
  const dataDir = dir ?? mkdtempSync(join(tmpdir(), 'onair-redis-'));
  let port = 0;
  let proc = null;
  let exited = null;
  let output = '';

  const spawnOn = async (p) => {
    const args = ['--port', String(p), '--bind', '127.0.0.1', '--dir', dataDir, '--save', '', '--daemonize', 'no',
      '--appendonly', appendonly ? 'yes' : 'no', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction'];
    proc = spawn(redisServerBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout.on('data', (d) => { output += d.toString(); });
    proc.stderr.on('data', (d) => { output += d.toString(); });
    exited = new Promise((res) => proc.once('exit', () => res()));
    for (let i = 0; i < 100; i++) {
      if (proc.exitCode !== null || proc.signalCode !== null) return false;
      if (await ping(p)) return true;
      await sleep(50);
    }
    return false;
  };

  // Stops the current process by its PID: SIGTERM, SIGKILL after 5 s.
  const terminate = async (signal) => {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    process.kill(proc.pid, signal);
    const timer = setTimeout(() => { if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid, 'SIGKILL'); }, 5000);
    await exited;
    clearTimeout(timer);
  };

  for (let attempt = 0; attempt < 5 && !port; attempt++) {
    const candidate = await freePort();
    if (await spawnOn(candidate)) port = candidate;
    else await terminate('SIGKILL');
  }
  if (!port) {
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw new Error('redis-server did not start:\n' + output);
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir: dataDir,
    get pid() { return proc.pid; },
    output: () => output,
    /** Stops Redis (SIGTERM: an AOF is flushed) and removes the directory it made. */
    async stop() {
      await terminate('SIGTERM');
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
    /** Kills Redis with SIGKILL, as a crash: writes not yet fsynced are lost. */
    async kill() { await terminate('SIGKILL'); },
    /** Starts Redis again on the same port and directory (after kill(), or stopping it first). */
    async restart() {
      await terminate('SIGTERM');
      for (let i = 0; i < 20; i++) {
        if (await spawnOn(port)) return;
        await terminate('SIGKILL');
        await sleep(100);  // the port may linger a moment
      }
      throw new Error('redis-server did not restart on port ' + port + ':\n' + output);
    },
  };
}
