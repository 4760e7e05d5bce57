"""The audit pack file: a plaintext header line, then a ZIP (or the ZIP encrypted).

    CASEAUDITPACK\\n
    {"encrypted":false,"format_version":1,"sha256":"<sha256 of the ZIP>"}\\n
    <ZIP bytes: manifest.json, payload.json>

An encrypted pack's header names the key derivation (scrypt, with its salt and cost) and
the cipher (AES-256-GCM, with its nonce) instead of a checksum; the ZIP is encrypted with the
header line as associated data, so a changed byte anywhere fails authentication. The header is
canonical JSON: a changed byte in it is caught too. Files are written to a temporary file and
renamed into place, so a full disk never leaves half a pack under the real name.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import secrets
import tempfile
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from auditor.errors import (
    NotAPackError,
    PackAuthenticationError,
    PackDamagedError,
    PackError,
    PackVersionError,
    PassphraseRequiredError,
    ValidationError,
)

MAGIC = b"CASEAUDITPACK\n"
FORMAT_VERSION = 1  # the newest pack format this version writes and reads
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1  # about 0.1 s and 32 MB per key on a laptop
_SCRYPT_LIMITS = {"n": (2**14, 2**20), "r": (1, 16), "p": (1, 4)}  # refuse absurd costs
MIN_PASSPHRASE = 8
_MAX_HEADER = 4096
_MAX_MEMBER = 2 * 1024**3  # bytes once unzipped: refuses a "zip bomb"
MEMBERS = ("manifest.json", "payload.json")


@dataclass(frozen=True)
class PackHeader:
    """What the plaintext header of a pack says, readable without the passphrase."""

    format_version: int
    encrypted: bool


def write_container(
    path: Path,
    members: Mapping[str, bytes],
    *,
    passphrase: str | None = None,
    scrypt_n: int = SCRYPT_N,
) -> str:
    """Write a pack file holding ``members``; returns the SHA-256 of the whole file."""
    body = _zip(members)
    if passphrase is None:
        header = _header_line(
            {
                "encrypted": False,
                "format_version": FORMAT_VERSION,
                "sha256": hashlib.sha256(body).hexdigest(),
            }
        )
    else:
        header, body = _encrypt(body, passphrase, scrypt_n)
    data = MAGIC + header + body
    _write_atomically(path, data)
    return hashlib.sha256(data).hexdigest()


def read_header(path: Path | str) -> PackHeader:
    """The header of the pack at ``path`` (is it encrypted? which format?) without opening it."""
    path = Path(path)
    header, _ = _split(path, _read_bytes(path))
    return PackHeader(int(header["format_version"]), bool(header["encrypted"]))


def read_container(path: Path, passphrase: str | None = None) -> tuple[dict[str, bytes], str, bool]:
    """The members of the pack at ``path``, the SHA-256 of the whole file, and whether it
    was encrypted.

    Raises a named :class:`PackError` for a file that is not a pack, a newer format, a
    missing or wrong passphrase, and a changed or damaged file.
    """
    data = _read_bytes(path)
    header, body = _split(path, data)
    line = data[len(MAGIC) : len(data) - len(body)]
    if header["encrypted"]:
        if passphrase is None:
            raise PassphraseRequiredError(f"{path.name} is protected by a passphrase")
        body = _decrypt(path, header, line, body, passphrase)
    elif hashlib.sha256(body).hexdigest() != header.get("sha256"):
        raise PackDamagedError(
            f"{path.name} was changed or damaged after it was made (its checksum does not "
            "match). Ask for the pack to be sent again."
        )
    return _unzip(path, body), hashlib.sha256(data).hexdigest(), bool(header["encrypted"])


# -- writing ---------------------------------------------------------------------------


def _zip(members: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in members.items():
            # A fixed timestamp: the same contents always make the same bytes.
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, content, compresslevel=6)
    return buffer.getvalue()


def _header_line(header: Mapping[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode("ascii") + b"\n"


def _encrypt(body: bytes, passphrase: str, n: int) -> tuple[bytes, bytes]:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError(f"a pack's passphrase needs at least {MIN_PASSPHRASE} characters")
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    header = _header_line(
        {
            "cipher": {"name": "AES-256-GCM", "nonce": _b64(nonce)},
            "encrypted": True,
            "format_version": FORMAT_VERSION,
            "kdf": {"n": n, "name": "scrypt", "p": SCRYPT_P, "r": SCRYPT_R, "salt": _b64(salt)},
        }
    )
    key = _derive(passphrase, salt, n, SCRYPT_R, SCRYPT_P)
    return header, AESGCM(key).encrypt(nonce, body, header)


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _write_atomically(path: Path, data: bytes) -> None:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise PackError(
            f"Could not write {path}: {exc.strerror or exc}. Nothing was saved."
        ) from exc


# -- reading ---------------------------------------------------------------------------


def _read_bytes(path: Path) -> bytes:
    path = Path(path)
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise NotAPackError(f"{path} is a folder, not an audit pack") from None
    except OSError as exc:
        raise PackError(f"Could not read {path}: {exc.strerror or exc}") from exc


def _split(path: Path, data: bytes) -> tuple[dict[str, Any], bytes]:
    """The parsed header and the body after it; refuses what is not a pack by name."""
    if not data.startswith(MAGIC):
        raise NotAPackError(f"{path.name} is not a Case Auditor audit pack")
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + _MAX_HEADER)
    damaged = PackDamagedError(f"{path.name} is damaged: its header cannot be read")
    if end < 0:
        raise damaged
    line = data[len(MAGIC) : end + 1]
    try:
        header = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise damaged from None
    if not isinstance(header, dict) or _header_line(header) != line:
        raise damaged
    version = header.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise damaged
    if version > FORMAT_VERSION:
        raise PackVersionError(
            f"{path.name} was made by a newer version of Case Auditor (pack format {version}; "
            f"this version reads up to {FORMAT_VERSION}). Update Case Auditor to import it."
        )
    if not isinstance(header.get("encrypted"), bool):
        raise damaged
    return header, data[end + 1 :]


def _decrypt(
    path: Path, header: Mapping[str, Any], line: bytes, body: bytes, passphrase: str
) -> bytes:
    salt, nonce, cost = _encryption_settings(path, header)
    key = _derive(passphrase, salt, cost["n"], cost["r"], cost["p"])
    try:
        return AESGCM(key).decrypt(nonce, body, line)
    except InvalidTag:
        raise PackAuthenticationError(
            f"{path.name} could not be opened: wrong passphrase, or the file was changed "
            "after it was made"
        ) from None


def _encryption_settings(
    path: Path, header: Mapping[str, Any]
) -> tuple[bytes, bytes, dict[str, int]]:
    """Salt, nonce and scrypt cost from the header, refusing anything unexpected."""
    damaged = PackDamagedError(f"{path.name} is damaged: its encryption settings cannot be read")
    kdf, cipher = header.get("kdf"), header.get("cipher")
    if not isinstance(kdf, dict) or not isinstance(cipher, dict):
        raise damaged
    if kdf.get("name") != "scrypt" or cipher.get("name") != "AES-256-GCM":
        raise damaged
    try:
        salt = base64.b64decode(kdf["salt"], validate=True)
        nonce = base64.b64decode(cipher["nonce"], validate=True)
        cost = {k: int(kdf[k]) for k in _SCRYPT_LIMITS}
    except (KeyError, TypeError, ValueError):
        raise damaged from None
    if len(salt) < 16 or len(nonce) != 12 or cost["n"] & (cost["n"] - 1):
        raise damaged
    if not all(lo <= cost[k] <= hi for k, (lo, hi) in _SCRYPT_LIMITS.items()):
        raise damaged
    return salt, nonce, cost


def _unzip(path: Path, body: bytes) -> dict[str, bytes]:
    damaged = f"{path.name} is damaged: its contents cannot be read"
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            infos = {i.filename: i for i in zf.infolist()}
            missing = [m for m in MEMBERS if m not in infos]
            if missing:
                raise PackDamagedError(f"{damaged} ({', '.join(missing)} is missing)")
            if any(infos[m].file_size > _MAX_MEMBER for m in MEMBERS):
                raise PackDamagedError(f"{damaged} (a part is implausibly large)")
            return {m: zf.read(infos[m]) for m in MEMBERS}
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
    ) as exc:
        raise PackDamagedError(f"{damaged} ({exc})") from None
