// bench/yjs/hocuspocus-peer.mjs: the peer for bench/yjs — a plain @hocuspocus/server 3.x
// (in memory, no extensions; onAuthenticate takes any token, read-write) on 127.0.0.1. Prints
// "listening on 127.0.0.1:<port>" and runs until SIGTERM/SIGINT.
//
//   node bench/yjs/hocuspocus-peer.mjs [--port 0]
import { parseArgs } from 'node:util';
import { Server } from '@hocuspocus/server';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });

const server = new Server({
  quiet: true,
  stopOnSignals: false,
  async onAuthenticate({ connectionConfig }) {
    connectionConfig.readOnly = false;
  },
});

// Server.listen passes {address} to http's listen, which reads {host}: it would bind every
// interface. The server's own HTTP server is started here instead, on loopback only.
server.httpServer.listen({ port: Number(values.port), host: '127.0.0.1' }, () => {
  console.log(`listening on 127.0.0.1:${server.httpServer.address().port}`);
});

const stop = () => {
  server.destroy().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
