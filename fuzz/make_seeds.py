#!/usr/bin/env python3
"""Regenerates the seed corpora in fuzz/corpus/ (run once; the seeds are committed).

ws_codec seeds start with the 6-byte harness header described in WsCodecFuzz.cpp.
token seeds starting with a control byte drive the harness's signing branch (TokenFuzz.cpp);
room_token seeds likewise (RoomTokenFuzz.cpp).
"""
import base64
import hashlib
import hmac
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
KEY, SECRET = "fuzzkey", b"fuzz-secret-0123456789abcdef"
NOW = 1700000000


def write(corpus, name, data):
    d = os.path.join(HERE, "corpus", corpus)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# ---- ws_codec ------------------------------------------------------------------------------

def frame(opcode, payload=b"", fin=True, key=b"\x37\xfa\x21\x3d"):
    n = len(payload)
    out = bytearray([(0x80 if fin else 0) | opcode])
    if n < 126:
        out.append(0x80 | n)
    elif n <= 0xFFFF:
        out += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        out += bytes([0x80 | 127]) + struct.pack(">Q", n)
    out += key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return bytes(out)


def ws_header(frame_shift=12, msg_shift=12, chunking=0, mask_seed=1):
    # 16 << 12 = 65536: the largest limits; smaller shifts give smaller limits.
    return bytes([frame_shift, 0, msg_shift, 0, chunking, mask_seed])


def close_payload(code, reason=b""):
    return struct.pack(">H", code) + reason


ws = {
    "text_hello": ws_header() + frame(1, b"hello"),
    "binary": ws_header(chunking=1) + frame(2, bytes(range(40))),
    "fragmented_text": ws_header(chunking=3)
    + frame(1, "h\u00e9".encode()[:2], fin=False)
    + frame(9, b"p")  # a ping between fragments
    + frame(0, "h\u00e9".encode()[2:] + b" w", fin=False)
    + frame(0, "\u20ac!".encode()),
    "fragmented_binary": ws_header(2, 4, chunking=2) + frame(2, b"\x00" * 30, fin=False) + frame(0, b"\xff" * 30),
    "ping_pong": ws_header() + frame(9, b"are you there") + frame(10, b"yes"),
    "close_normal": ws_header() + frame(1, b"bye") + frame(8, close_payload(1000, b"done")),
    "close_empty": ws_header() + frame(8),
    "close_bad_code": ws_header() + frame(8, close_payload(1005)),
    "len126": ws_header(chunking=5) + frame(2, b"x" * 300),
    "too_big": ws_header(0, 0) + frame(2, b"y" * 64),
    "bad_utf8": ws_header() + frame(1, b"\xc0\xaf"),
    "unmasked": ws_header() + b"\x81\x05hello",
    "several": ws_header(chunking=4) + b"".join(frame(1, f"msg {i}".encode()) for i in range(5)),
}

# ---- envelope ------------------------------------------------------------------------------

envelope = {
    "connect": '{"id":1,"op":"connect","args":{"token":"x"}}',
    "string_id": '{"id":"req-7","op":"room.join","args":{"room":"lobby","opts":{"history":10}}}',
    "no_args": '{"id":0,"op":"ping"}',
    "null_args": '{"op":"room.leave","id":18446744073709551615,"args":null}',
    "negative_id": '{"id":-1,"op":"connect"}',
    "bad_op": '{"id":2,"op":"room join!","args":{}}',
    "args_array": '{"id":3,"op":"x","args":[1,2]}',
    "no_id": '{"op":"connect","args":{"token":"x"}}',
    "not_object": '[{"id":1,"op":"connect"}]',
    "nested": '{"id":4,"op":"a.b","args":{"a":[[[[{"b":[1.5e10,-0,true,null,"\\u00e9\\ud83d\\ude00"]}]]]]}}',
    "long_id": '{"id":"' + "i" * 65 + '","op":"connect"}',
    "truncated": '{"id":1,"op":"conn',
}

# ---- token ---------------------------------------------------------------------------------

def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwt(header, payload, secret=SECRET):
    signing = b64u(json.dumps(header, separators=(",", ":")).encode()) + "." + b64u(
        json.dumps(payload, separators=(",", ":")).encode())
    sig = hmac.new(secret, signing.encode(), hashlib.sha256).digest()
    return signing + "." + b64u(sig)


access = {"iss": KEY, "aud": "onair", "sub": "user-1", "name": "Ada", "iat": NOW, "nbf": NOW, "exp": NOW + 600,
          "grants": {"room": {"project_*": ["publish", "subscribe"]}, "live": {"content:*": ["attach"]}},
          "attributes": {"team": "blue"}}
api = {"iss": KEY, "aud": "onair-api", "iat": NOW, "nbf": NOW, "exp": NOW + 60}
collab = {"aud": "onair-collab", "sub": "user-1", "room": "doc_1", "kind": "workspace", "scope": "read-write",
          "iat": NOW, "exp": NOW + 600}


def signed(variant, mutation, payload):
    # Control byte 0x01 selects the harness's signing branch.
    return bytes([0x01, variant, mutation]) + payload


token = {
    "access_valid": jwt({"alg": "HS256", "typ": "JWT", "kid": KEY}, access),
    "api_valid": jwt({"alg": "HS256", "typ": "JWT", "kid": KEY}, api),
    "alg_none": b64u(b'{"alg":"none","typ":"JWT"}') + "." + b64u(json.dumps(access).encode()) + ".",
    "wrong_secret": jwt({"alg": "HS256", "kid": KEY}, access, b"wrong"),
    "expired": jwt({"alg": "HS256", "kid": KEY}, dict(access, exp=NOW - 3600)),
    "two_parts": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0",
    "signed_access": signed(0, 0, json.dumps(access, separators=(",", ":")).encode()),
    "signed_api_iss": signed(1, 0, json.dumps(api, separators=(",", ":")).encode()),
    "signed_bad_grants": signed(0, 0, json.dumps(dict(access, grants={"room": {"*": ["fly"]}})).encode()),
    "signed_attrs": signed(0, 3, json.dumps(dict(access, attributes={"a": 1})).encode()),
    "signed_float_exp": signed(0, 0, b'{"iss":"fuzzkey","aud":"onair","sub":"u","exp":1700000600.5,"nbf":1.7e9}'),
    "signed_api_no_aud": signed(1, 0, json.dumps({k: v for k, v in api.items() if k != "aud"}).encode()),
    "signed_access_no_aud": signed(0, 0, json.dumps({k: v for k, v in access.items() if k != "aud"}).encode()),
    "signed_collab": signed(0, 0, json.dumps(collab, separators=(",", ":")).encode()),
    "signed_iss_not_kid": signed(0, 0, json.dumps(dict(access, iss="otherkey")).encode()),
    "signed_own_header": signed(7, 0, b'{"alg":"HS256","kid":"fuzzkey"}\x00'
                                + json.dumps(access, separators=(",", ":")).encode()),
}

# ---- room_token ----------------------------------------------------------------------------

COLLAB_SECRET = b"fuzz-collab-secret-0123456789"
HS256 = {"alg": "HS256", "typ": "JWT"}
OWN_ROOM = 8  # bit 3 of the header-variant byte


def compact(payload):
    return json.dumps(payload, separators=(",", ":")).encode()


room_token = {
    "valid": jwt(HS256, collab, COLLAB_SECRET),
    "readonly": jwt(HS256, dict(collab, scope="readonly", kind="code"), COLLAB_SECRET),
    "other_room": jwt(HS256, dict(collab, room="doc_2"), COLLAB_SECRET),
    "expired": jwt(HS256, dict(collab, exp=NOW - 3600), COLLAB_SECRET),
    "wrong_secret": jwt(HS256, collab, b"wrong"),
    "access_token": jwt(HS256, dict(access, aud="onair"), COLLAB_SECRET),
    "alg_none": b64u(b'{"alg":"none","typ":"JWT"}') + "." + b64u(compact(collab)) + ".",
    # Control byte 0x01: signed by the harness (JwtForge.hpp); OWN_ROOM asks for the payload's room.
    "signed_valid": signed(0 | OWN_ROOM, 0, compact(collab)),
    "signed_nbf": signed(1 | OWN_ROOM, 0, compact(dict(collab, nbf=NOW + 60))),
    "signed_no_scope": signed(0 | OWN_ROOM, 0, compact({k: v for k, v in collab.items() if k != "scope"})),
    "signed_bad_scope": signed(0 | OWN_ROOM, 0, compact(dict(collab, scope="admin"))),
    "signed_sub_number": signed(0 | OWN_ROOM, 0, compact(dict(collab, sub=7))),
    "signed_float_exp": signed(0 | OWN_ROOM, 0, b'{"aud":"onair-collab","sub":"u","room":"r","kind":"item",'
                                                b'"scope":"readonly","exp":1700000600.5,"nbf":1.7e9}'),
    "signed_hs512": signed(3 | OWN_ROOM, 0, compact(collab)),
    "signed_own_header": signed(7 | OWN_ROOM, 0, b'{"alg":"HS256"}\x00' + compact(collab)),
}

# ---- loopback_host -------------------------------------------------------------------------

loopback_host = {
    "localhost": "localhost", "localhost_port": "LocalHost:7880", "ipv4": "127.0.0.1:7880",
    "ipv4_other": "127.8.9.10", "ipv6": "[::1]:7880", "evil": "evil.example:7880",
    "rebinding": "127.0.0.1.nip.io", "mapped": "[::ffff:127.0.0.1]",
}

for corpus, seeds in (("ws_codec", ws), ("envelope", envelope), ("token", token), ("room_token", room_token),
                      ("loopback_host", loopback_host)):
    for name, data in seeds.items():
        write(corpus, name, data)
