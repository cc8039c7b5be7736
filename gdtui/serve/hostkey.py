"""The SSH server's host key: made once, kept, and shown so students can check it."""

from __future__ import annotations

import os
from pathlib import Path

import asyncssh


class HostKeyError(Exception):
    """The host key file cannot be read or written: one line for the user."""


def default_path() -> Path:
    """Where the key lives unless `--host-key` says otherwise: the user's data directory."""
    data = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(data) / "gdtui" / "ssh_host_ed25519_key"


def load_or_create(path: Path) -> asyncssh.SSHKey:
    """The key at `path`, made there first (ed25519, mode 0600) if there is none.

    Raises:
        HostKeyError: The file exists but is not a private key, or cannot be written.
    """
    if path.exists():
        try:
            return asyncssh.read_private_key(path)
        except (OSError, ValueError, asyncssh.KeyImportError) as error:
            raise HostKeyError(f"{path}: not a readable private key ({error})") from None
    key = asyncssh.generate_private_key("ssh-ed25519", comment="gdtui host key")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # O_EXCL and the mode at creation: the key is never readable by others, not even
        # between the write and a chmod, and two servers starting at once cannot both write.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_or_create(path)
    except OSError as error:
        raise HostKeyError(f"{path}: cannot create the host key ({error.strerror})") from None
    with os.fdopen(fd, "wb") as stream:
        stream.write(key.export_private_key())
    return key


def fingerprint(key: asyncssh.SSHKey) -> str:
    """The SHA256 fingerprint, as `ssh` shows it on first connection."""
    return key.get_fingerprint("sha256")
