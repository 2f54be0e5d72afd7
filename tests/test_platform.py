"""Health, readiness, the OpenAPI document and the command line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.helpers import bearer


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}


def test_openapi_documents_every_json_route(client, app):
    schema = client.get("/schema/openapi.json").json()
    documented = {(path, method.upper()) for path, ops in schema["paths"].items()
                  for method in ops}
    for route in app.routes:
        if not route.path.startswith("/api/"):
            continue
        for handler in getattr(route, "route_handlers", []):
            if handler.include_in_schema is False:  # e.g. the Seller API's wrong-method answers
                continue
            for method in handler.http_methods:
                if method in {"HEAD", "OPTIONS"}:
                    continue
                path = re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route.path)  # OpenAPI: no types
                assert (path, method) in documented, (path, method)
    assert "bearer" in schema["components"]["securitySchemes"]
    assert not any(p.startswith(("/signup", "/login")) for p in schema["paths"])


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "clipcart.cli", *args], env=dict(os.environ),
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", [[], ["serve"], ["worker"], ["migrate"], ["demo"],
                                     ["admin"], ["admin", "create-operator"]])
def test_every_command_has_help(command):
    result = _cli(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


def test_create_operator_prints_json_and_grants_the_role(client):
    result = _cli("admin", "create-operator", "--email", "ops@example.com",
                  "--password", "operator-pass-1", "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["email"] == "ops@example.com"
    assert answer["roles"] == ["buyer", "operator"]
    token = client.post("/api/v1/auth/token", json={"email": "ops@example.com",
                                                    "password": "operator-pass-1"})
    me = client.get("/api/v1/me", headers=bearer(token.json()["access_token"]))
    assert me.json()["roles"] == ["buyer", "operator"]
    again = _cli("admin", "create-operator", "--email", "ops@example.com",
                 "--password", "operator-pass-1", "--json")
    assert json.loads(again.stdout)["id"] == answer["id"]


def test_cli_errors_are_clear_and_json_when_asked():
    result = _cli("admin", "create-operator", "--email", "not-an-email", "--password", "pw123456",
                  "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["error"]["code"] == "VALIDATION_ERROR"


def test_migrate_is_idempotent():
    result = _cli("migrate")
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
