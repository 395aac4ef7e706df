"""Writes the seed corpus of the fuzz targets: tokens signed with harness.rs's SECRET, valid
ones (no `exp`, so they stay valid) and one of each malformation the verifier refuses."""
import base64, hashlib, hmac, json, os

SECRET = b"fuzz-secret-fuzz-secret-fuzz-secret-0123"
HERE = os.path.dirname(os.path.abspath(__file__))


def b64(raw: bytes, pad=False) -> str:
    text = base64.urlsafe_b64encode(raw).decode()
    return text if pad else text.rstrip("=")


def sign(header: str, payload: str, pad=False) -> str:
    signing_input = f"{b64(header.encode(), pad)}.{b64(payload.encode(), pad)}"
    mac = hmac.new(SECRET, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac, pad)}"


HEADER = '{"alg":"HS256","typ":"JWT"}'
BASE = {"fresh": False, "iat": 1700000000, "jti": "5f1c8a3e-6a0b-4c4e-9a55-4f1f2b0d7c11",
        "type": "access", "sub": "alice", "nbf": 1700000000, "csrf": "c"}


def payload(**changes):
    claims = dict(BASE, **changes)
    return json.dumps(claims, separators=(",", ":"))


tokens = {
    "valid": sign(HEADER, payload()),
    "refresh": sign(HEADER, payload(type="refresh")),
    "custom": sign(HEADER, payload(roles=["admin"], n=1.5, deep={"a": [1, {"b": None}]})),
    "fresh-until": sign(HEADER, payload(fresh=1800000000.25)),
    "padded": sign(HEADER, payload(x="ab"), pad=True),
    "duplicate": sign(HEADER, '{"type":"refresh",' + payload()[1:]),
    "deep": sign(HEADER, payload()[:-1] + ',"d":' + "[" * 70 + "]" * 70 + "}"),
    "surrogate": sign(HEADER, payload()[:-1] + ',"s":"\\ud800"}'),
    "crit": sign('{"alg":"HS256","crit":["exp"]}', payload()),
    "none": b64(b'{"alg":"none"}') + "." + b64(payload().encode()) + ".",
    "expired": sign(HEADER, payload(exp=1700000001)),
    "sub-number": sign(HEADER, payload(sub=7)),
}

for name, token in tokens.items():
    with open(os.path.join(HERE, "corpus", "verify", name), "w") as f:
        f.write(f"Bearer {token}")
    # The request target: the first byte picks the location (see harness.rs).
    for selector, body in [(0, f"Bearer {token}"), (1, token), (2, f"jwt={token}"),
                           (3, json.dumps({"access_token": token}))]:
        with open(os.path.join(HERE, "corpus", "request", f"{name}-{selector}"), "wb") as f:
            f.write(bytes([selector]) + body.encode())
