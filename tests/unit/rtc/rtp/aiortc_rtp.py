# The aiortc side of AiortcRtpInteropTest: aiortc 1.4 (Debian's python3-aiortc) as the reference
# for RTP and RTCP wire formats. Two modes:
#
#   /usr/bin/python3 aiortc_rtp.py generate SEED COUNT
#       writes COUNT random RTP packets and COUNT random RTCP compound packets, serialised by
#       aiortc from a seeded generator, one JSON object a line: the bytes in hex and the fields
#       aiortc put in (for extensions and REMB, what aiortc's own parser reads back).
#   /usr/bin/python3 aiortc_rtp.py video FRAMES
#       encodes FRAMES frames of a moving gradient with aiortc's VP8 and H.264 encoders, forcing a
#       keyframe at frames 5 and 9, and writes each frame's RTP payloads as aiortc packetised them:
#       {"codec", "frame", "forced", "payloads": [hex...]} a line.
#   /usr/bin/python3 aiortc_rtp.py parse FILE
#       parses each line of FILE (hex of an RTCP compound packet written by onair) with aiortc's
#       RtcpPacket.parse and prints the fields it read, one JSON object a line ({"error": ...}
#       when aiortc refuses the packet).
import json
import random
import sys

from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters, RTCRtpParameters
from aiortc.rtp import (
    HeaderExtensionsMap,
    RtcpByePacket,
    RtcpPacket,
    RtcpPsfbPacket,
    RtcpReceiverInfo,
    RtcpRrPacket,
    RtcpRtpfbPacket,
    RtcpSdesPacket,
    RtcpSenderInfo,
    RtcpSourceInfo,
    RtcpSrPacket,
    RtpPacket,
    pack_remb_fci,
    unpack_header_extensions,
    unpack_remb_fci,
)

EXTENSION_URIS = [
    "urn:ietf:params:rtp-hdrext:sdes:mid",
    "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
]


def u32(rng):
    return rng.getrandbits(32)


def extension_map(rng):
    # Ids 1..14 give the one-byte form; an id above 14 forces the two-byte form.
    high = rng.random() < 0.3
    ids = rng.sample(range(1, 15), len(EXTENSION_URIS))
    if high:
        ids[0] = rng.randint(15, 255)
    params = RTCRtpParameters(
        headerExtensions=[RTCRtpHeaderExtensionParameters(id=i, uri=u) for i, u in zip(ids, EXTENSION_URIS)]
    )
    m = HeaderExtensionsMap()
    m.configure(params)
    return m


def random_rtp(rng):
    packet = RtpPacket(
        payload_type=rng.randint(0, 127),
        marker=rng.randint(0, 1),
        sequence_number=rng.getrandbits(16),
        timestamp=u32(rng),
        ssrc=u32(rng),
        payload=bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 1000))),
    )
    packet.csrc = [u32(rng) for _ in range(rng.randint(0, 3))]
    xmap = extension_map(rng)
    if rng.random() < 0.8:
        x = packet.extensions
        if rng.random() < 0.7:
            x.mid = str(rng.randint(0, 99))
        if rng.random() < 0.5:
            x.rtp_stream_id = rng.choice(["h", "m", "l", "hi-res"])
        if rng.random() < 0.5:
            x.abs_send_time = rng.getrandbits(24)
        if rng.random() < 0.5:
            x.audio_level = (rng.random() < 0.5, rng.randint(0, 127))
        if rng.random() < 0.7:
            x.transport_sequence_number = rng.getrandbits(16)
    if rng.random() < 0.3:
        packet.padding_size = rng.randint(1, 255)
    data = packet.serialize(xmap)
    # The elements as aiortc's own RFC 8285 parser reads them back.
    profile, value = xmap.set(packet.extensions)
    elements = unpack_header_extensions(profile, value) if value else []
    return {
        "kind": "rtp",
        "hex": data.hex(),
        "pt": packet.payload_type,
        "marker": packet.marker,
        "seq": packet.sequence_number,
        "ts": packet.timestamp,
        "ssrc": packet.ssrc,
        "csrc": packet.csrc,
        "payload": packet.payload.hex(),
        "padding": packet.padding_size,
        "profile": profile,
        "ext": [[i, v.hex()] for i, v in elements],
    }


def random_report(rng):
    return RtcpReceiverInfo(
        ssrc=u32(rng),
        fraction_lost=rng.getrandbits(8),
        packets_lost=rng.randint(-(1 << 23), (1 << 23) - 1),
        highest_sequence=u32(rng),
        jitter=u32(rng),
        lsr=u32(rng),
        dlsr=u32(rng),
    )


def report_json(r):
    return [r.ssrc, r.fraction_lost, r.packets_lost, r.highest_sequence, r.jitter, r.lsr, r.dlsr]


def random_rtcp_packet(rng):
    kind = rng.choice(["sr", "rr", "sdes", "bye", "nack", "pli", "remb"])
    if kind == "sr":
        p = RtcpSrPacket(
            ssrc=u32(rng),
            sender_info=RtcpSenderInfo(
                ntp_timestamp=rng.getrandbits(64), rtp_timestamp=u32(rng), packet_count=u32(rng), octet_count=u32(rng)
            ),
            reports=[random_report(rng) for _ in range(rng.randint(0, 4))],
        )
        i = p.sender_info
        fields = {"ssrc": p.ssrc, "ntp": str(i.ntp_timestamp), "rtp": i.rtp_timestamp,
                  "packets": i.packet_count, "octets": i.octet_count, "reports": [report_json(r) for r in p.reports]}
    elif kind == "rr":
        p = RtcpRrPacket(ssrc=u32(rng), reports=[random_report(rng) for _ in range(rng.randint(0, 4))])
        fields = {"ssrc": p.ssrc, "reports": [report_json(r) for r in p.reports]}
    elif kind == "sdes":
        # One chunk: aiortc does not align chunks after the first to 32 bits (RFC 3550 §6.5).
        cname = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789-{}") for _ in range(rng.randint(1, 40)))
        p = RtcpSdesPacket(chunks=[RtcpSourceInfo(ssrc=u32(rng), items=[(1, cname.encode())])])
        fields = {"chunks": [[p.chunks[0].ssrc, cname]]}
    elif kind == "bye":
        p = RtcpByePacket(sources=[u32(rng) for _ in range(rng.randint(0, 3))])
        fields = {"ssrcs": p.sources}
    elif kind == "nack":
        start = rng.randint(0, 60000)
        lost = sorted(set(start + rng.randint(0, 200) for _ in range(rng.randint(1, 30))))
        p = RtcpRtpfbPacket(fmt=1, ssrc=u32(rng), media_ssrc=u32(rng), lost=lost)
        fields = {"sender": p.ssrc, "media": p.media_ssrc, "lost": lost}
    elif kind == "pli":
        p = RtcpPsfbPacket(fmt=1, ssrc=u32(rng), media_ssrc=u32(rng))
        fields = {"sender": p.ssrc, "media": p.media_ssrc}
    else:
        ssrcs = [u32(rng) for _ in range(rng.randint(0, 3))]
        fci = pack_remb_fci(rng.randint(0, 10**10), ssrcs)
        p = RtcpPsfbPacket(fmt=15, ssrc=u32(rng), media_ssrc=0, fci=fci)
        fields = {"sender": p.ssrc, "bitrate": unpack_remb_fci(fci)[0], "ssrcs": ssrcs}
    fields["type"] = kind
    return bytes(p), fields


def random_rtcp(rng):
    parts = [random_rtcp_packet(rng) for _ in range(rng.randint(1, 4))]
    return {"kind": "rtcp", "hex": b"".join(b for b, _ in parts).hex(), "packets": [f for _, f in parts]}


def generate(seed, count):
    rng = random.Random(seed)
    for _ in range(count):
        print(json.dumps(random_rtp(rng)))
        print(json.dumps(random_rtcp(rng)))


FORCED_KEYFRAMES = (5, 9)


def gradient(index, width=320, height=240):
    import fractions

    import av

    frame = av.VideoFrame(width, height, "yuv420p")
    for plane, rows in zip(frame.planes, (height, height // 2, height // 2)):
        row = bytes(((x + 3 * index) * 2) & 0xFF for x in range(plane.line_size))
        plane.update(row * rows)
    frame.pts = index * 3000
    frame.time_base = fractions.Fraction(1, 90000)
    return frame


def video(frames):
    from aiortc.codecs.h264 import H264Encoder
    from aiortc.codecs.vpx import Vp8Encoder

    for codec, encoder in (("vp8", Vp8Encoder()), ("h264", H264Encoder())):
        for i in range(frames):
            forced = i in FORCED_KEYFRAMES
            payloads, _ = encoder.encode(gradient(i), force_keyframe=forced)
            print(json.dumps({"codec": codec, "frame": i, "forced": forced, "payloads": [p.hex() for p in payloads]}))


def describe(packet):
    if isinstance(packet, RtcpSrPacket):
        i = packet.sender_info
        return {"type": "sr", "ssrc": packet.ssrc, "ntp": str(i.ntp_timestamp), "rtp": i.rtp_timestamp,
                "packets": i.packet_count, "octets": i.octet_count, "reports": [report_json(r) for r in packet.reports]}
    if isinstance(packet, RtcpRrPacket):
        return {"type": "rr", "ssrc": packet.ssrc, "reports": [report_json(r) for r in packet.reports]}
    if isinstance(packet, RtcpRtpfbPacket):
        return {"type": "rtpfb", "fmt": packet.fmt, "sender": packet.ssrc, "media": packet.media_ssrc,
                "lost": packet.lost}
    if isinstance(packet, RtcpPsfbPacket):
        return {"type": "psfb", "fmt": packet.fmt, "sender": packet.ssrc, "media": packet.media_ssrc,
                "fci": packet.fci.hex()}
    return {"type": type(packet).__name__}


def parse(path):
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                packets = RtcpPacket.parse(bytes.fromhex(line))
                print(json.dumps({"packets": [describe(p) for p in packets]}))
            except ValueError as e:
                print(json.dumps({"error": str(e)}))


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(int(sys.argv[2]), int(sys.argv[3]))
    elif sys.argv[1] == "video":
        video(int(sys.argv[2]))
    else:
        parse(sys.argv[2])
