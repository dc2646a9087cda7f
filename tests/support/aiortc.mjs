// Runs tests/support/aiortc_peer.py (Debian's python3-aiortc under /usr/bin/python3) for a node
// test: the test does the peer's onair signaling and exchanges JSON lines with it. Stopped by PID.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const python = '/usr/bin/python3';
const script = fileURLToPath(new URL('./aiortc_peer.py', import.meta.url));

/** True when /usr/bin/python3 can import aiortc (python3-aiortc is installed). */
export function hasAiortc() {
  return spawnSync(python, ['-c', 'import aiortc'], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts the peer in `mode` ('publish' or 'subscribe'). `messages` holds every line it wrote so
 * far (parsed), `next(check, ms)` resolves with the first one `check` accepts, `send(obj)` writes a
 * line to it, `stop()` ends it by PID.
 */
export function startAiortcPeer(mode) {
  const proc = spawn(python, [script, mode], { stdio: ['pipe', 'pipe', 'pipe'] });
  const messages = [];
  let stderr = '';
  let buffered = '';
  const waiters = new Set();
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  proc.stderr.on('data', (chunk) => { stderr += chunk; });
  proc.stdout.on('data', (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      messages.push(JSON.parse(buffered.slice(0, newline)));
      buffered = buffered.slice(newline + 1);
      for (const waiter of waiters) waiter();
    }
  });
  return {
    pid: proc.pid,
    messages,
    stderr: () => stderr,
    send(message) { proc.stdin.write(JSON.stringify(message) + '\n'); },
    next(check, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const look = () => {
          const found = messages.find(check);
          if (!found) return false;
          waiters.delete(look);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(look);
          reject(new Error(`aiortc peer: nothing matching within ${ms} ms; lines: ${JSON.stringify(messages.slice(-5))}\n${stderr}`));
        }, ms);
        waiters.add(look);
        look();
      });
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.stdin.end();
      const timer = setTimeout(() => process.kill(proc.pid, 'SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
