# An aiortc 1.4 peer (Debian's python3-aiortc, a WebRTC stack no one here wrote) for the node
# tests, which do its onair signaling and talk to it in JSON lines:
#   /usr/bin/python3 aiortc_peer.py publish|subscribe
# It writes {"offer": sdp, "mids": {"audio": mid, "video": mid}} (publish: a 320x240 test pattern
# and a 440 Hz tone, sendonly; subscribe: one recvonly video and one recvonly audio section),
# reads {"answer": sdp}, then writes {"state": <connection state>} on every change and, when
# subscribing, {"frames": {"video": n, "audio": n}} (decoded frames so far) twice a second.
# It ends on end of input; the test also stops it by PID. AIORTC_PEER_DEBUG=1 logs aiortc to stderr.
# aioice gathers no loopback candidates, so this peer, which lives on 127.0.0.1 only, hands it
# 127.0.0.1 as its only host address.
import asyncio
import fractions
import json
import logging
import math
import os
import struct
import sys

import aioice.ice
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack
from av import AudioFrame, VideoFrame

aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


def emit(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


class TestPattern(VideoStreamTrack):
    """320x240 frames at 30 fps whose luma moves with the frame count (never a still picture)."""

    def __init__(self):
        super().__init__()
        self.count = 0

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame(width=320, height=240)
        shade = (self.count * 4) % 220 + 16
        self.count += 1
        for index, plane in enumerate(frame.planes):
            plane.update(bytes([shade if index == 0 else 128]) * plane.buffer_size)
        frame.pts = pts
        frame.time_base = time_base
        return frame


class Tone(AudioStreamTrack):
    """A 440 Hz sine, 20 ms frames of 48 kHz mono s16."""

    rate = 48000
    samples = 960

    def __init__(self):
        super().__init__()
        self.sent = 0

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        if not hasattr(self, "_start"):
            self._start = asyncio.get_running_loop().time()
        wait = self._start + self.sent / self.rate - asyncio.get_running_loop().time()
        if wait > 0:
            await asyncio.sleep(wait)
        pcm = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * (self.sent + i) / self.rate)))
                       for i in range(self.samples))
        frame = AudioFrame(format="s16", layout="mono", samples=self.samples)
        frame.planes[0].update(pcm)
        frame.pts = self.sent
        frame.sample_rate = self.rate
        frame.time_base = fractions.Fraction(1, self.rate)
        self.sent += self.samples
        return frame


async def read_line():
    return await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


async def count_frames(track, frames):
    try:
        while True:
            await track.recv()
            frames[track.kind] += 1
    except MediaStreamError:
        pass


async def main(mode):
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    frames = {"video": 0, "audio": 0}
    readers = []
    pc.on("connectionstatechange", lambda: emit({"state": pc.connectionState}))
    pc.on("track", lambda track: readers.append(asyncio.ensure_future(count_frames(track, frames))))
    if mode == "publish":
        video = pc.addTransceiver(TestPattern(), direction="sendonly")
        audio = pc.addTransceiver(Tone(), direction="sendonly")
    else:
        video = pc.addTransceiver("video", direction="recvonly")
        audio = pc.addTransceiver("audio", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    emit({"offer": pc.localDescription.sdp, "mids": {"video": video.mid, "audio": audio.mid}})

    answer = json.loads(await read_line())["answer"]
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    emit({"state": "answered"})

    ended = asyncio.ensure_future(read_line())
    while not ended.done():
        if mode == "subscribe":
            emit({"frames": frames})
        await asyncio.wait([ended], timeout=0.5)
    for reader in readers:
        reader.cancel()
    await pc.close()


if os.environ.get("AIORTC_PEER_DEBUG"):
    logging.basicConfig(level=logging.DEBUG)
asyncio.run(main(sys.argv[1]))
