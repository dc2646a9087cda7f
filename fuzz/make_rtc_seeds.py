#!/usr/bin/env python3
"""Regenerates the seed corpora of the media-plane fuzzers (fuzz_stun, fuzz_packet_classifier).

The STUN seeds are the RFC 5769 vectors and checks signed with the harnesses' fixed password
(StunFuzz.cpp: ufrag "fuzz", password "fuzz-password-0123456789"), so the fuzzer starts past the
MESSAGE-INTEGRITY check. Run once; the seeds are committed.
"""
import binascii
import hashlib
import hmac
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
COOKIE = 0x2112A442
PASSWORD = b"fuzz-password-0123456789"
TXID = bytes(range(1, 13))


def write(corpus, name, data):
    d = os.path.join(HERE, "corpus", corpus)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def attr(kind, value):
    return struct.pack("!HH", kind, len(value)) + value + b"\0" * (-len(value) % 4)


def message(kind, attrs, password=PASSWORD, fingerprint=True, txid=TXID):
    body = b"".join(attrs)
    head = lambda extra: struct.pack("!HHI", kind, len(body) + extra, COOKIE) + txid
    if password is not None:
        mac = hmac.new(password, head(24) + body, hashlib.sha1).digest()
        body += attr(0x0008, mac)
    if fingerprint:
        crc = binascii.crc32(head(8) + body) ^ 0x5354554E
        body += attr(0x8028, struct.pack("!I", crc))
    return head(0) + body


def xor_address(ip, port, txid=TXID):
    pad = struct.pack("!I", COOKIE) + txid
    family = 1 if len(ip) == 4 else 2
    return struct.pack("!BBH", 0, family, port ^ (COOKIE >> 16)) + bytes(b ^ pad[i] for i, b in enumerate(ip))


USERNAME = attr(0x0006, b"fuzz:peer")
PRIORITY = attr(0x0024, struct.pack("!I", 0x6E7F1EFF))
CONTROLLING = attr(0x802A, struct.pack("!Q", 0x1122334455667788))
CONTROLLED = attr(0x8029, struct.pack("!Q", 0x1122334455667788))
USE_CANDIDATE = attr(0x0025, b"")

rfc5769 = {
    "rfc5769_request": "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e20746573742063"
                       "6c69656e74002400046e0001ff80290008932ff9b151263b3600060009657674"
                       "6a3a68367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"
                       "80280004e57a3bcf",
    "rfc5769_ipv4_response": "0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563"
                             "746f7220002000080001a147e112a643000800142b91f599fd9e90c38c7489f9"
                             "2af9ba53f06be7d780280004c07d4c96",
    "rfc5769_ipv6_response": "010100482112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563"
                             "746f7220002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d900080014"
                             "a382954e4be67bf11784c97c8292c275bfe3ed4180280004c8fb0b4c",
}
stun = {name: bytes.fromhex(h) for name, h in rfc5769.items()}
stun.update({
    "check": message(0x0001, [USERNAME, PRIORITY, CONTROLLING]),
    "check_nominating": message(0x0001, [USERNAME, PRIORITY, CONTROLLING, USE_CANDIDATE]),
    "check_controlled": message(0x0001, [USERNAME, PRIORITY, CONTROLLED]),
    "check_unknown_required": message(0x0001, [USERNAME, PRIORITY, CONTROLLING, attr(0x0042, b"x")]),
    "check_wrong_password": message(0x0001, [USERNAME, PRIORITY, CONTROLLING], password=b"wrong"),
    "check_no_fingerprint": message(0x0001, [USERNAME, PRIORITY, CONTROLLING], fingerprint=False),
    "indication": message(0x0011, [], password=None),
    "success_ipv6": message(0x0101, [attr(0x0020, xor_address(bytes(range(16)), 9))]),
    "error_401": message(0x0111, [attr(0x0009, b"\0\0\x04\x01Unauthenticated")], password=None),
    "allocate": message(0x0003, [USERNAME, attr(0x8022, b"software"), PRIORITY]),
})
for name, data in stun.items():
    write("stun", name, data)

packets = {
    "stun_check": stun["check_nominating"],
    "dtls_client_hello": bytes.fromhex("16fefd0000000000000000002f") + b"\x01" + b"\0" * 46,
    "rtp_opus": bytes.fromhex("80 6f 1a 2b 00 00 03 c0 12 34 56 78".replace(" ", "")) + b"\xfc" * 40,
    "rtp_ext": bytes.fromhex("90 e0 00 01 00 00 00 10 aa bb cc dd be de 00 01 10 ff 00 00".replace(" ", "")),
    "rtcp_rr": bytes.fromhex("81c90007aabbccdd" + "11223344" + "00" * 20),
    "rtcp_pli": bytes.fromhex("81ce0002aabbccdd11223344"),
}
for name, data in packets.items():
    write("packet_classifier", name, data)
