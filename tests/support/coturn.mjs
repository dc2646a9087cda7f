// Starts a real coturn (`/usr/bin/turnserver`, Debian package `coturn`) on a free loopback port
// with a generated static-auth-secret (TURN REST credentials), and stops it by PID. Everything it
// writes (pid file, user database) goes to a fresh temporary directory, removed on stop.
import { spawn, execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, createHmac } from 'node:crypto';

export const turnserverBinary = process.env.TURNSERVER_BIN ?? '/usr/bin/turnserver';
export const uclientBinary = process.env.TURNUTILS_UCLIENT_BIN ?? '/usr/bin/turnutils_uclient';

export const coturnAvailable = () => existsSync(turnserverBinary) && existsSync(uclientBinary);

/** base64(HMAC-SHA1(secret, username)): the coturn REST credential, computed independently of onair. */
export const turnCredential = (secret, username) => createHmac('sha1', secret).update(username).digest('base64');

// A port free for both UDP and TCP on 127.0.0.1 right now (coturn listens on both).
async function freePort() {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise((res, rej) => {
      const s = createServer();
      s.once('error', rej);
      s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
    });
    const udpFree = await new Promise((res) => {
      const u = createSocket('udp4');
      u.once('error', () => { u.close(); res(false); });
      u.bind(port, '127.0.0.1', () => u.close(() => res(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free loopback port for coturn');
}

// One STUN Binding request (RFC 5389 §6: type 0x0001, length 0, magic cookie, 96-bit
// transaction id); resolves true when a Binding success response (0x0101) with the same id
// comes back within `ms`.
function stunPing(port, ms = 300) {
  return new Promise((res) => {
    const sock = createSocket('udp4');
    const id = randomBytes(12);
    const request = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), id]);
    const done = (ok) => { clearTimeout(timer); sock.close(); res(ok); };
    const timer = setTimeout(() => done(false), ms);
    sock.on('error', () => done(false));
    sock.on('message', (msg) => done(msg.length >= 20 && msg.readUInt16BE(0) === 0x0101 && msg.subarray(8, 20).equals(id)));
    sock.send(request, port, '127.0.0.1');
  });
}

/**
 * Starts turnserver and resolves once it answers STUN on its port.
 * @returns {Promise<{port: number, secret: string, realm: string, pid: number, output: () => string, stop: () => Promise<void>}>}
 */
export async function startCoturn({ secret = randomBytes(24).toString('base64url'), realm = 'onair.test' } = {}) {
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await launch(port, secret, realm);
    } catch (e) {
      lastError = e;  // most likely the port was taken between the probe and the bind: try another
    }
  }
  throw lastError;
}

async function launch(port, secret, realm) {
  const dir = mkdtempSync(join(tmpdir(), 'onair-coturn-'));
  // -n: no config file. Loopback peers must be allowed because the relay address is 127.0.0.1.
  // --verbose logs one line per processed request, which the tests read to confirm outcomes.
  const args = ['-n', '--no-cli', '--log-file', 'stdout', '--simple-log', '--verbose',
    '--listening-ip', '127.0.0.1', '--relay-ip', '127.0.0.1', '--listening-port', String(port),
    '--use-auth-secret', '--static-auth-secret', secret, '--realm', realm,
    '--no-tls', '--no-dtls', '--allow-loopback-peers',
    '--pidfile', join(dir, 'turnserver.pid'), '--userdb', join(dir, 'turndb')];
  const proc = spawn(turnserverBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (c) => { output += c.toString(); });
  proc.stderr.on('data', (c) => { output += c.toString(); });
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res(code ?? signal)));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid, 'SIGTERM');
    let timer;
    const r = await Promise.race([exited, new Promise((res) => { timer = setTimeout(() => res('timeout'), 5000); })]);
    clearTimeout(timer);
    if (r === 'timeout') { process.kill(proc.pid, 'SIGKILL'); await exited; }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  let exitedEarly = false;
  exited.then(() => { exitedEarly = true; });
  while (Date.now() < deadline && !exitedEarly) {
    if (await stunPing(port)) return { port, secret, realm, pid: proc.pid, output: () => output, stop };
  }
  await stop();
  throw new Error(`turnserver did not answer STUN on 127.0.0.1:${port} within 10 s:\n${output.slice(-4000)}`);
}

/**
 * Runs turnutils_uclient for one allocation pair (-y: two clients relaying to each other, -c: no
 * RTCP allocations, -n 1 -m 1: one message, one client) and resolves {code, output}; killed
 * after `timeoutMs`.
 */
export function uclientAllocate(port, username, credential, { timeoutMs = 20_000 } = {}) {
  return new Promise((res) => {
    execFile(uclientBinary, ['-y', '-c', '-n', '1', '-m', '1', '-l', '100', '-u', username, '-w', credential, '-p', String(port), '127.0.0.1'],
      { timeout: timeoutMs, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : (err.killed ? 'timeout' : err.code)) : 0;
        res({ code, output: stdout + stderr });
      });
  });
}
