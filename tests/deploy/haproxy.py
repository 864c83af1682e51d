"""HAProxy for the deployment tests: Debian's binary, and deploy/haproxy.cfg made local."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

HAPROXY = Path("/usr/sbin/haproxy")
CONFIG = ROOT / "deploy" / "haproxy.cfg"


def haproxy() -> Path:
    """The binary, or a failed test saying how to get it (the deployment is not tested without it)."""
    if not HAPROXY.exists():
        pytest.fail(f"{HAPROXY} is missing: install Debian's haproxy (apt-get install haproxy); "
                    "scripts/test does so")  # fmt: skip
    return HAPROXY


def _replace_once(pattern: str, replacement: str, text: str) -> str:
    new, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    assert count == 1, f"deploy/haproxy.cfg changed shape: {pattern!r} matched {count} times"
    return new


def local_config(port: int, app_ports: list[int]) -> str:
    """deploy/haproxy.cfg with its DNS-discovered replicas replaced by app processes on
    localhost ports and the frontend on a local port; everything else as deployed."""
    text = CONFIG.read_text()
    text = _replace_once(r"^resolvers docker\n(?:[ \t]+\S.*\n)+", "", text)
    text = _replace_once(r"^(\s+bind) :8501$", rf"\1 127.0.0.1:{port}", text)
    servers = "".join(f"    server app{i} 127.0.0.1:{p} check\n" for i, p in enumerate(app_ports, 1))
    return _replace_once(r"^\s+server-template app .*\n", servers, text)
