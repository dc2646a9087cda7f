# The aiortc side of AiortcSdpInteropTest: aiortc 1.4 (Debian's python3-aiortc) makes an offer
# with an audio track, a video track and a data channel, writes it to DIR/offer.sdp, waits for
# onair's answer in DIR/answer.sdp, applies it with setRemoteDescription and prints
# "accepted <transceiver directions> sctp=<yes|no>" or "rejected: <error>".
#   /usr/bin/python3 aiortc_offer_answer.py DIR
import asyncio
import os
import sys
import time

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack


async def main(directory):
    pc = RTCPeerConnection()
    try:
        pc.addTransceiver(AudioStreamTrack(), direction="sendonly")
        pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
        pc.createDataChannel("chat")
        await pc.setLocalDescription(await pc.createOffer())
        with open(os.path.join(directory, "offer.tmp"), "w") as f:
            f.write(pc.localDescription.sdp)
    except Exception:
        with open(os.path.join(directory, "offer.tmp"), "w") as f:
            f.write("no offer")
        raise
    finally:
        os.rename(os.path.join(directory, "offer.tmp"), os.path.join(directory, "offer.sdp"))

    answer_path = os.path.join(directory, "answer.sdp")
    deadline = time.monotonic() + 20
    while not os.path.exists(answer_path) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    with open(answer_path) as f:
        answer = f.read()
    try:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        directions = " ".join(t.currentDirection or "none" for t in pc.getTransceivers())
        print("accepted %s sctp=%s" % (directions, "yes" if pc.sctp else "no"), flush=True)
    except Exception as e:
        print("rejected: %r" % e, flush=True)
    finally:
        await pc.close()


asyncio.run(main(sys.argv[1]))
