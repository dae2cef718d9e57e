"""The tool's RSA key pair: the private key outside the repository (its path in an environment
variable), the public half as a JWKS the hub serves at ``/hub/lti13/jwks``.

The key id (``kid``) is the RFC 7638 thumbprint of the public key, so the same key always has
the same id and a platform that cached the keyset finds it again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from c4c_lms.core.config import Course
from c4c_lms.core.files import write_text_atomic
from c4c_lms.lms.lti.errors import LtiError


def jwks_path(course: Course) -> Path:
    """The public keyset (no secret): beside the gradebook in the working folder."""
    return course.workdir / "lti_jwks.json"


def private_key_path(course: Course) -> Path:
    """The private key's path, from the variable named in ``[lti] private_key_env``."""
    env = course.config.lti.private_key_env
    value = os.environ.get(env, "")
    if not value:
        raise LtiError("no_key_env", name=env)
    return Path(value).expanduser().resolve()


def _kid(public_key: rsa.RSAPublicKey) -> str:
    jwk = json.loads(RSAAlgorithm.to_jwk(public_key))
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(canonical.encode())
    return jwt.utils.base64url_encode(digest.finalize()).decode()


def public_jwks(public_key: rsa.RSAPublicKey) -> dict:
    jwk = json.loads(RSAAlgorithm.to_jwk(public_key))
    jwk.update({"kid": _kid(public_key), "alg": "RS256", "use": "sig"})
    return {"keys": [jwk]}


def create_keys(course: Course, *, replace: bool = False) -> dict[str, str]:
    """Write a new 2048-bit RSA key pair; refuse a key path inside the course folder, and an
    existing key unless ``replace``. Returns ``private``, ``jwks`` (paths) and ``kid``."""
    path = private_key_path(course)
    root = course.root.resolve()
    if path == root or root in path.parents:
        raise LtiError("key_in_repo", path=path)
    if path.exists() and not replace:
        raise LtiError("key_exists", path=path)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.replace(path.with_suffix(".tmp"), path)
    jwks = public_jwks(key.public_key())
    course.workdir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(jwks_path(course), json.dumps(jwks, indent=1))
    return {"private": str(path), "jwks": str(jwks_path(course)), "kid": jwks["keys"][0]["kid"]}


def load_private_key(course: Course) -> tuple[rsa.RSAPrivateKey, str]:
    """(private key, kid) for signing client assertions."""
    path = private_key_path(course)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise LtiError("no_key", path=path) from None
    except (ValueError, TypeError) as err:
        raise LtiError("bad_key", path=path, error=err) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise LtiError("bad_key", path=path, error="not an RSA key")
    return key, _kid(key.public_key())
