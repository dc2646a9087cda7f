// A lossy UDP relay on 127.0.0.1 for media tests (this kernel has no netem): a peer sends to the
// relay's port as if it were onair's, the relay forwards to onair from one upstream socket per peer
// address and back, dropping each datagram in either direction with probability `loss` from a
// seeded generator (the same seed drops the same packets in the same order).
import dgram from 'node:dgram';

// mulberry32: a small seeded generator of floats in [0, 1).
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const bind = (socket) => new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));

/**
 * Relays to `targetPort` on 127.0.0.1. `stats` counts datagrams forwarded and dropped per direction
 * ('up': peer to onair, 'down': onair to peer). `close()` closes every socket it opened.
 */
export async function startLossyRelay({ targetPort, loss, seed }) {
  const random = seededRandom(seed);
  const stats = { up: { forwarded: 0, dropped: 0 }, down: { forwarded: 0, dropped: 0 } };
  const front = dgram.createSocket('udp4');
  const upstreams = new Map();  // "address:port" of a peer -> its socket towards onair
  const pass = (direction) => {
    if (random() < loss) {
      stats[direction].dropped++;
      return false;
    }
    stats[direction].forwarded++;
    return true;
  };
  front.on('message', async (message, peer) => {
    const key = `${peer.address}:${peer.port}`;
    let upstream = upstreams.get(key);
    if (!upstream) {
      upstream = dgram.createSocket('udp4');
      upstreams.set(key, upstream);
      upstream.on('message', (reply) => { if (pass('down')) front.send(reply, peer.port, peer.address); });
      upstream.on('error', () => {});
      upstream.ready = bind(upstream);
    }
    await upstream.ready;
    if (pass('up')) upstream.send(message, targetPort, '127.0.0.1');
  });
  front.on('error', () => {});
  await bind(front);
  return {
    port: front.address().port,
    stats,
    close() {
      for (const upstream of upstreams.values()) upstream.close();
      front.close();
    },
  };
}
