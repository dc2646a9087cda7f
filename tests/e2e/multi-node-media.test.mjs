// Media across nodes (issue 14): a stream room lives on one node, its owner. A Chromium page
// connected to node B publishes camera and microphone into a room node A owns — its signaling is
// relayed to node A, and its peer connection goes to node A's own UDP port (the candidates in
// node A's answer) — and a page connected to node A receives and decodes the video. Runs on one
// Redis server and on a Redis Cluster.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { startRedis, startRedisCluster } from '../support/redis.mjs';
import { randomSecret } from '../support/tokens.mjs';
import { launchBrowser, WEBRTC_ARGS } from '../support/browser.mjs';
import { openStreamPage, publishFakeDevices, inbound, waitFor } from '../support/streamPages.mjs';
import { OnairServer } from '../../sdk/js/dist/server/index.js';

const apiKey = 'APImedia' + process.pid;
const apiSecret = randomSecret();

const deployments = [
  { name: 'one Redis server', start: () => startRedis() },
  { name: 'a Redis Cluster', start: () => startRedisCluster() },
];

// The UDP ports a node's log names for its WebRTC media ("WebRTC media on UDP <addr> port(s) 1, 2").
function mediaPorts(node) {
  const line = /WebRTC media on UDP \S+ port\(s\) ([\d, ]+)/.exec(node.output());
  assert.ok(line, 'the node logged its media ports');
  return line[1].split(',').map((p) => Number(p.trim()));
}

for (const deployment of deployments) {
  describe(`media across two nodes on ${deployment.name}`, () => {
    let redis;
    let nodeA;
    let nodeB;
    let browser;
    const startNode = (id) => startOnair({
      apiKey, apiSecret,
      args: ['--engine', 'redis', '--redis-url', redis.url, '--redis-prefix', 'mm' + process.pid, '--node-id', id],
    });

    before(async () => {
      redis = await deployment.start();
      nodeA = await startNode('media-a');
      nodeB = await startNode('media-b');
      browser = await launchBrowser(WEBRTC_ARGS);
    });
    after(async () => {
      await browser?.close();
      await nodeA?.stop();
      await nodeB?.stop();
      await redis?.stop();
    });

    test('a page on node B publishes into a room node A owns; a page on node A decodes the video', async () => {
      const api = new OnairServer({ url: nodeA.url, apiKey, apiSecret });
      const context = `ctx-media-${process.pid}`;
      const roomId = await api.streams.createStreamRoom(context, ['ana', 'ben'], [], new Uint8Array(), new Uint8Array());
      // ana joins first, on node A: node A becomes the room's owner.
      const onA = await openStreamPage({ browser, srv: nodeA, api, userId: 'ana', roomId, context });
      const onB = await openStreamPage({ browser, srv: nodeB, api: new OnairServer({ url: nodeB.url, apiKey, apiSecret }), userId: 'ben', roomId, context });

      const published = await publishFakeDevices(onB.page, roomId);
      // The answer node B's client applied names node A's media ports, not node B's.
      const answerPorts = await onB.page.evaluate(() => window.pcs.map((pc) => pc.remoteDescription?.sdp ?? '')
        .join('\n').match(/^a=candidate:\S+ \d+ udp \d+ \S+ (\d+)/gmi)?.map((l) => Number(l.split(' ').at(-1))) ?? []);
      assert.ok(answerPorts.length > 0, 'the answer has candidates');
      for (const port of answerPorts) {
        assert.ok(mediaPorts(nodeA).includes(port), `candidate port ${port} is one of node A's ${mediaPorts(nodeA)}`);
        assert.ok(!mediaPorts(nodeB).includes(port), `candidate port ${port} is not node B's`);
      }

      await waitFor('streamPublished on node A', 5000, () => onA.page.evaluate((id) => window.events.some((e) => e.name === 'streamPublished' && e.data.streamId === id), published.streamId));
      await onA.page.evaluate(({ roomId, streamId }) => window.client.streams.subscribeToRemoteStreams(roomId, [{ streamId }]), { roomId, streamId: published.streamId });
      await waitFor('node A\'s page decodes video from node B\'s page', 15_000, async () => {
        const first = await inbound(onA.page);
        await new Promise((r) => setTimeout(r, 300));
        const second = await inbound(onA.page);
        return (second.framesDecoded > first.framesDecoded && second.audioPackets > 0) || second;
      });
      assert.deepEqual(onA.errors, []);
      assert.deepEqual(onB.errors, []);
      await onA.context.close();
      await onB.context.close();
    });
  });
}
