"""The deployment's files: HAProxy accepts its config, which does what compose.yaml relies on."""

from __future__ import annotations

import re
import subprocess

from tests.conftest import ROOT
from tests.deploy.haproxy import CONFIG, haproxy, local_config

COMPOSE = ROOT / "compose.yaml"


def _directives(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_haproxy_accepts_the_deployed_config():
    run = subprocess.run([haproxy(), "-c", "-f", CONFIG], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_haproxy_accepts_the_local_variant(tmp_path):
    path = tmp_path / "haproxy.cfg"
    path.write_text(local_config(18501, [18502, 18503]))
    run = subprocess.run([haproxy(), "-c", "-f", path], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "server app2 127.0.0.1:18503 check" in _directives(path.read_text())


def test_the_config_pins_sessions_checks_health_and_keeps_websockets_open():
    lines = _directives(CONFIG.read_text())
    assert any(re.fullmatch(r"cookie SERVERID insert indirect nocache( dynamic)?", line) for line in lines), lines
    assert "option httpchk GET /_stcore/health" in lines
    assert "http-check expect string ok" in lines
    assert "http-response set-header X-Served-By %s" in lines  # what ui.loadtest reads
    tunnel = next(line for line in lines if line.startswith("timeout tunnel "))
    assert tunnel.endswith("h"), tunnel  # hours, not the seconds of an HTTP request
    assert "server-template app 1-10 app:8501 check resolvers docker init-addr none" in lines
    assert "nameserver docker 127.0.0.11:53" in lines
    assert "bind :8501" in lines


def test_compose_runs_replicas_of_the_image_behind_haproxy():
    text = COMPOSE.read_text()
    lines = _directives(text)
    assert "build: ." in lines
    assert any(re.fullmatch(r"replicas: \$\{REPLICAS:-2\}", line) for line in lines), lines
    assert any(re.fullmatch(r"image: haproxy:2\.6(\.\d+)?", line) for line in lines), lines
    assert "- ./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in lines
    assert '- "8501:8501"' in lines
    assert "JAX_PLATFORMS: cpu" in lines
