// Starts a real redis-server (`/usr/bin/redis-server`, Debian package `redis-server`) on a free
// 127.0.0.1 port with its own temporary directory, for tests of the Redis engine; or a Redis
// Cluster of six (startRedisCluster()). Stopped and
// killed by PID only. restart() keeps the port and the directory (so an `appendonly` server
// comes back with its data); stop() also removes a directory it made.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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

/** Runs redis-cli with `args`; resolves its stdout (rejects on a non-zero exit or after `ms`). */
export function redisCli(args, ms = 30000) {
  return new Promise((res, rej) => {
    execFile(redisCliBinary, args, { timeout: ms }, (error, stdout, stderr) => {
      if (error) rej(new Error(`redis-cli ${args.join(' ')}: ${error.message}\n${stderr}`));
      else res(stdout);
    });
  });
}

export const redisCliBinary = process.env.REDIS_CLI_BIN ?? '/usr/bin/redis-cli';

// A free port whose cluster bus port (port + 10000) is free too, and neither in `taken` (ports of
// nodes not listening yet: the kernel may hand the same free port out again).
async function freeClusterPort(taken) {
  for (;;) {
    const port = await freePort();
    if (port + 10000 > 65535 || taken.has(port) || taken.has(port + 10000)) continue;
    const bus = await new Promise((res) => {
      const s = createServer();
      s.once('error', () => res(false));
      s.listen(port + 10000, '127.0.0.1', () => s.close(() => res(true)));
    });
    if (!bus) continue;
    taken.add(port).add(port + 10000);
    return port;
  }
}

/** The nodes of a cluster as `CLUSTER NODES` on `port` lists them: {port, master, failed, slots}. */
async function clusterNodes(port) {
  const text = await redisCli(['-p', String(port), 'cluster', 'nodes'], 2000);
  return text.trim().split('\n').filter(Boolean).map((line) => {
    const [, address, flags, , , , , , ...slots] = line.split(' ');
    return {
      port: Number(address.split('@')[0].split(':').at(-1)),
      master: flags.split(',').includes('master'),
      failed: flags.includes('fail'),
      slots: slots.filter((s) => !s.startsWith('[')).map((s) => s.split('-').map(Number)),
    };
  });
}

/**
 * Starts a Redis Cluster of 3 masters and 3 replicas (redis-server --cluster-enabled yes on free
 * 127.0.0.1 ports, each in its own temporary directory, node timeout 1 s), made with
 * `redis-cli --cluster create ... --cluster-replicas 1`; resolves once every node says
 * cluster_state:ok and every replica has synced with its master. Processes are stopped and killed
 * by PID only.
 * @returns {Promise<{url: string, masters: {port: number, pid: number}[], nodes: {port: number, pid: number}[],
 *   masterOf: (key: string) => Promise<number>, kill: (port: number) => Promise<void>, stop: () => Promise<void>}>}
 */
export async function startRedisCluster() {
  const root = mkdtempSync(join(tmpdir(), 'onair-redis-cluster-'));
  const nodes = [];
  const taken = new Set();
  const stopAll = async () => {
    for (const node of nodes) await node.terminate('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 6; i++) {
      const port = await freeClusterPort(taken);
      const dir = join(root, String(port));
      mkdirSync(dir);
      const proc = spawn(redisServerBinary, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
        '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-node-timeout', '1000',
        '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--repl-diskless-sync-delay', '0',
        '--repl-ping-replica-period', '1', '--logfile', join(dir, 'redis.log')], { stdio: 'ignore' });
      const exited = new Promise((res) => proc.once('exit', () => res()));
      const terminate = async (signal) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        process.kill(proc.pid, signal);
        const timer = setTimeout(() => { if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid, 'SIGKILL'); }, 5000);
        await exited;
        clearTimeout(timer);
      };
      nodes.push({ port, pid: proc.pid, terminate });
    }
    for (const node of nodes) {
      let up = false;
      for (let i = 0; i < 100 && !up; i++) up = await ping(node.port) || (await sleep(50), false);
      if (!up) throw new Error(`redis-server on port ${node.port} did not start`);
    }
    await redisCli(['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes']);
    const until = Date.now() + 20000;
    for (;;) {
      const states = await Promise.all(nodes.map(async (n) => {
        const info = await redisCli(['-p', String(n.port), 'cluster', 'info'], 2000);
        const replication = await redisCli(['-p', String(n.port), 'info', 'replication'], 2000);
        return info.includes('cluster_state:ok') && (replication.includes('role:master') || replication.includes('master_link_status:up'));
      }));
      if (states.every(Boolean)) break;
      if (Date.now() > until) throw new Error('the Redis Cluster did not become healthy');
      await sleep(100);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  const layout = await clusterNodes(nodes[0].port);
  const masters = nodes.filter((n) => layout.find((l) => l.port === n.port)?.master).map(({ port, pid }) => ({ port, pid }));
  return {
    url: `redis+cluster://127.0.0.1:${nodes[0].port}`,
    masters,
    nodes: nodes.map(({ port, pid }) => ({ port, pid })),
    /** The port of the master serving `key`'s slot now, asked from a live node. */
    async masterOf(key) {
      const live = nodes.find((n) => !n.killed);
      const slot = Number((await redisCli(['-p', String(live.port), 'cluster', 'keyslot', key], 2000)).trim());
      const serving = (await clusterNodes(live.port))
        .find((n) => n.master && !n.failed && n.slots.some(([first, last = first]) => slot >= first && slot <= last));
      return serving?.port ?? 0;
    },
    /** SIGKILL of the node on `port` (a crash): its replica takes over after the node timeout. */
    async kill(port) {
      const node = nodes.find((n) => n.port === port);
      node.killed = true;
      await node.terminate('SIGKILL');
    },
    stop: stopAll,
  };
}
