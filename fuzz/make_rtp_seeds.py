#!/usr/bin/env python3
"""Regenerates the seed corpora of fuzz_rtp and fuzz_rtcp: RTP packets with each kind of header
(CSRCs, RFC 8285 one-byte and two-byte extensions, padding) and keyframe payloads of each codec,
and RTCP packets of each type the parsers read, alone and in compounds. Run once; the seeds are
committed.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(corpus, name, data):
    d = os.path.join(HERE, "corpus", corpus)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def rtp(payload, pt=96, seq=0x1234, ts=90000, ssrc=0x11223344, csrcs=(), profile=None, ext=b"", padding=0, marker=0):
    first = 0x80 | (0x20 if padding else 0) | (0x10 if profile is not None else 0) | len(csrcs)
    out = struct.pack("!BBHII", first, (marker << 7) | pt, seq, ts, ssrc)
    out += b"".join(struct.pack("!I", c) for c in csrcs)
    if profile is not None:
        ext += b"\0" * (-len(ext) % 4)
        out += struct.pack("!HH", profile, len(ext) // 4) + ext
    out += payload
    if padding:
        out += b"\0" * (padding - 1) + bytes([padding])
    return out


def rtcp(packet_type, count, body, padding=0):
    if padding:
        body += b"\0" * (padding - 1) + bytes([padding])
    return struct.pack("!BBH", 0x80 | (0x20 if padding else 0) | count, packet_type, len(body) // 4) + body


def block(ssrc):
    return struct.pack("!IB", ssrc, 25) + b"\xff\xff\xfe" + struct.pack("!IIII", 0x10005, 32, 0x2F4A1B80, 4096)


def rtp_seeds():
    one_byte = b"\x10\xaa\x21\xbb\xcc\x00\x33\x01\x02\x03\x04"
    two_byte = b"\x01\x00\x02\x02\xbb\xcc\x00\xc8\x03\x0a\x0b\x0c"
    write("rtp", "plain", rtp(b"\x01\x02\x03\x04"))
    write("rtp", "csrcs_padding", rtp(b"\x09\x08\x07", csrcs=(1, 2), padding=4, marker=1))
    write("rtp", "one_byte_ext", rtp(b"\x01\x02\x03", profile=0xBEDE, ext=one_byte))
    write("rtp", "two_byte_ext", rtp(b"\x01\x02\x03", profile=0x1000, ext=two_byte))
    write("rtp", "other_profile", rtp(b"\x07", profile=0xABCD, ext=b"\x10\xaa"))
    write("rtp", "padding_only", rtp(b"", padding=32))
    write("rtp", "vp8_key", rtp(b"\x90\xe0\x81\x23\x05\x40\x50\x2a\x00\x9d\x01\x2a", profile=0xBEDE, ext=one_byte))
    write("rtp", "vp9_key", rtp(b"\xa8\x81\x23\x00\x05\x00"))
    write("rtp", "h264_stap_a", rtp(b"\x78\x00\x04\x67\x42\xc0\x1f\x00\x02\x68\xce\x00\x03\x65\x88\x84"))
    write("rtp", "h264_fu_a", rtp(b"\x7c\x85\x88\x84" + bytes(range(64))))
    write("rtp", "rtx", rtp(b"\xbe\xef" + bytes(range(32)), pt=97, csrcs=(3,), profile=0xBEDE, ext=one_byte))
    write("rtp", "seq_wrap", struct.pack("!8H", 65533, 65534, 65535, 0, 0xFF00, 5, 3, 4) + b"\0" * 8)


def rtcp_seeds():
    sr = rtcp(200, 1, struct.pack("!IQIII", 0x11223344, 0xE12F4A1B80000000, 90000, 10, 1000) + block(0x55667788))
    rr = rtcp(201, 1, struct.pack("!I", 0x11223344) + block(0x55667788))
    sdes = rtcp(202, 1, struct.pack("!I", 0x11223344) + b"\x01\x03abc\x00\x00\x00")
    bye = rtcp(203, 1, struct.pack("!I", 0x11223344) + b"\x04bye!\x00\x00\x00")
    nack = rtcp(205, 1, struct.pack("!IIHHHH", 1, 2, 100, 0x8001, 65535, 1))
    pli = rtcp(206, 1, struct.pack("!II", 1, 2))
    fir = rtcp(206, 4, struct.pack("!IIIBxxx", 1, 0, 0xAAAAAAAA, 7))
    remb = rtcp(206, 15, struct.pack("!II", 1, 0) + b"REMB" + b"\x02\x0f\xff\xff" + struct.pack("!II", 10, 11))
    tcc = rtcp(205, 15, struct.pack("!IIHH", 1, 2, 256, 5) + b"\xff\xff\xfe\x09" + b"\x20\x05\x00\x00")
    for name, data in [("sr", sr), ("rr", rr), ("sdes", sdes), ("bye", bye), ("nack", nack), ("pli", pli),
                       ("fir", fir), ("remb", remb), ("tcc", tcc)]:
        write("rtcp", name, data)
    write("rtcp", "compound_rr_sdes_bye", rr + sdes + bye)
    write("rtcp", "compound_sr_remb_nack", sr + remb + nack)
    write("rtcp", "padded_pli", rtcp(206, 1, struct.pack("!II", 1, 2), padding=4))


if __name__ == "__main__":
    rtp_seeds()
    rtcp_seeds()
