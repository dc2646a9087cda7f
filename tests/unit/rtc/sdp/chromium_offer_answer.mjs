// The Chromium side of ChromiumSdpInteropTest: Chromium (a canvas and an oscillator as camera and
// microphone) makes a
// unified-plan offer with audio, three-layer simulcast video and a data channel, writes it to
// DIR/offer.sdp, waits for onair's answer in DIR/answer.sdp, applies it with setRemoteDescription
// and prints "accepted <transceiver directions> sctp=<state>" or "rejected: <error>".
//   node chromium_offer_answer.mjs DIR
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumPath } from '../../../support/browser.mjs';

const dir = process.argv[2];
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage();
  await page.goto('about:blank');
  const offer = await page.evaluate(async () => {
    const pc = new RTCPeerConnection();
    window.pc = pc;
    // about:blank is no secure context, so no getUserMedia: a canvas and an oscillator instead.
    const canvas = Object.assign(document.createElement('canvas'), { width: 640, height: 480 });
    canvas.getContext('2d').fillRect(0, 0, 640, 480);
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const sink = audio.createMediaStreamDestination();
    tone.connect(sink);
    tone.start();
    const media = new MediaStream([...sink.stream.getAudioTracks(), ...canvas.captureStream(15).getVideoTracks()]);
    pc.addTransceiver(media.getAudioTracks()[0], { direction: 'sendonly', streams: [media] });
    pc.addTransceiver(media.getVideoTracks()[0], {
      direction: 'sendonly',
      streams: [media],
      sendEncodings: [{ rid: 'q', scaleResolutionDownBy: 4 }, { rid: 'h', scaleResolutionDownBy: 2 }, { rid: 'f' }],
    });
    pc.createDataChannel('chat');
    await pc.setLocalDescription(await pc.createOffer());
    return pc.localDescription.sdp;
  });
  writeFileSync(join(dir, 'offer.tmp'), offer);
  renameSync(join(dir, 'offer.tmp'), join(dir, 'offer.sdp'));

  const answerPath = join(dir, 'answer.sdp');
  const deadline = Date.now() + 20000;
  while (!existsSync(answerPath) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const answer = readFileSync(answerPath, 'utf8');
  const outcome = await page.evaluate(async (sdp) => {
    try {
      await window.pc.setRemoteDescription({ type: 'answer', sdp });
      const directions = window.pc.getTransceivers().map((t) => t.currentDirection).join(' ');
      return `accepted ${directions} sctp=${window.pc.sctp ? 'yes' : 'no'}`;
    } catch (e) {
      return `rejected: ${e.message}`;
    }
  }, answer);
  console.log(outcome);
} catch (e) {
  if (!existsSync(join(dir, 'offer.sdp'))) writeFileSync(join(dir, 'offer.sdp'), 'no offer');
  throw e;
} finally {
  await browser.close();
}
