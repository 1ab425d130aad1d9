"""docker-compose*.yml, docker/env/*.env and .env.example."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.helpers import REPO, run, tool

BASE = REPO / "docker-compose.yml"
OVERRIDE = REPO / "docker-compose.override.yml"
ENVIRONMENTS = ("staging", "production")
SERVICES = {
    "migrate",
    "backend",
    "worker",
    "agent",
    "agent-worker",
    "redis",
    "postgres",
    "prometheus",
    "grafana",
    "cloudflared",
    "redis-exporter",
    "node-exporter",
    "robot",
}
# Run once and exit (no healthcheck, never restarted); something waits for each to succeed.
ONE_SHOT = {"migrate"}
VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::?([-?])([^}]*))?\}")


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    return data


def env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value.strip("'\"")
    return values


def interpolate(node: Any, env: dict[str, str]) -> Any:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} interpolation."""
    if isinstance(node, dict):
        return {k: interpolate(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate(v, env) for v in node]
    if not isinstance(node, str):
        return node

    def replace(match: re.Match[str]) -> str:
        name, op, arg = match.groups()
        value = env.get(name, "")
        if op == "?" and not value:
            raise KeyError(f"{name}: {arg}")
        if op == "-" and not value:
            return arg
        return value

    return VARIABLE.sub(replace, node)


@pytest.mark.parametrize("path", [BASE, OVERRIDE], ids=lambda p: p.name)
def test_compose_files_match_the_compose_specification(path: Path) -> None:
    result = run([tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_compose_file(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(BASE.read_text().replace("    healthcheck:", "    healthcheque:", 1))
    result = run([tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(broken)])
    assert result.returncode != 0


def test_every_service_is_healthchecked_restarted_and_log_limited() -> None:
    services = load(BASE)["services"]
    assert set(services) == SERVICES
    for name, service in services.items():
        options = service.get("logging", {}).get("options", {})
        assert options.get("max-size") and options.get("max-file"), f"{name}: logs unbounded"
        image = service["image"]
        assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"), image
        if name in ONE_SHOT:
            assert service.get("restart") == "no", f"{name}: a one-shot must not restart"
            assert "healthcheck" not in service, f"{name}: a one-shot exits, nothing to check"
        else:
            check = service.get("healthcheck", {})
            assert check.get("test") and not check.get("disable"), f"{name}: no healthcheck"
            assert service.get("restart") == "unless-stopped", name
        for dependency, condition in service.get("depends_on", {}).items():
            assert dependency in services
            wanted = (
                "service_completed_successfully" if dependency in ONE_SHOT else "service_healthy"
            )
            assert condition == {"condition": wanted}, f"{name} -> {dependency}"


def test_every_one_shot_is_waited_for() -> None:
    services = load(BASE)["services"]
    for one_shot in ONE_SHOT:
        waiting = [name for name, s in services.items() if one_shot in s.get("depends_on", {})]
        assert waiting, f"nothing waits for {one_shot} to complete"


def test_the_backend_starts_after_the_migration() -> None:
    services = load(BASE)["services"]
    migrate, backend = services["migrate"], services["backend"]
    script = migrate["command"][-1]
    assert migrate["command"][:2] == ["sh", "-c"] and "exec posestudio db upgrade" in script
    assert '"${POSE_STUDIO_MIGRATE:-yes}" = no' in script, "a rollback must skip migrations"
    assert migrate["image"] == backend["image"]
    assert migrate["environment"] == backend["environment"]
    assert backend["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert migrate["depends_on"]["postgres"] == {"condition": "service_healthy"}


def test_the_backend_jobs_run_in_a_worker_of_the_same_image_on_redis() -> None:
    services = load(BASE)["services"]
    backend, worker = services["backend"], services["worker"]
    assert worker["command"] == ["posestudio", "worker"]
    assert worker["image"] == backend["image"]
    assert worker["environment"] == backend["environment"]
    redis_url = backend["environment"]["POSE_STUDIO_REDIS_URL"]
    assert redis_url.startswith("redis://redis:6379/")
    # The agent's jobs keep their own Redis database.
    agent_url = services["agent"]["environment"]["POSE_STUDIO_AGENT_REDIS_URL"]
    assert redis_url != agent_url
    # Local storage: the worker reads recordings and writes clips where the backend does.
    assert "backend-data:/data" in worker["volumes"] and "backend-data:/data" in backend["volumes"]
    assert "POSE_STUDIO_REDIS_URL" in " ".join(worker["healthcheck"]["test"])
    for name in ("backend", "worker"):
        assert services[name]["depends_on"]["redis"] == {"condition": "service_healthy"}
    assert worker["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def test_backend_reserves_the_gpu_and_gets_shared_memory() -> None:
    backend = load(BASE)["services"]["backend"]
    (device,) = backend["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and "gpu" in device["capabilities"]
    assert backend["shm_size"]
    assert "ready" in " ".join(backend["healthcheck"]["test"])
    assert backend["healthcheck"]["start_period"]
    assert backend["environment"]["POSE_STUDIO_DATABASE_URL"].startswith("postgresql://")
    assert "@postgres:5432/" in backend["environment"]["POSE_STUDIO_DATABASE_URL"]


def test_the_backend_offers_the_gpu_engine_beside_mediapipe() -> None:
    environment = load(BASE)["services"]["backend"]["environment"]
    engines = environment["POSE_STUDIO_ENGINES"].split(":-", 1)[1].rstrip("}").split(",")
    default = environment["POSE_STUDIO_DEFAULT_ENGINE"].split(":-", 1)[1].rstrip("}")
    assert "blazepose" in engines and default in engines


def test_state_lives_in_named_volumes() -> None:
    compose = load(BASE)
    declared = set(compose["volumes"])
    used = set()
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                used.add(source)
    assert used == declared
    assert {"backend-data", "postgres-data", "redis-data", "prometheus-data"} <= declared


def test_secrets_are_required_and_none_is_in_the_repo() -> None:
    text = BASE.read_text()
    for secret in (
        "POSE_STUDIO_TOKEN",
        "POSE_STUDIO_METRICS_TOKEN",
        "POSTGRES_PASSWORD",
        "GRAFANA_ADMIN_PASSWORD",
        "CLOUDFLARE_TUNNEL_TOKEN",
    ):
        uses = [m for m in VARIABLE.finditer(text) if m.group(1) == secret]
        assert uses and all(m.group(2) == "?" for m in uses), secret
        assert env_file(REPO / ".env.example")[secret] == "", f"{secret} has a value"


def test_env_example_documents_every_variable_compose_reads() -> None:
    documented = set(env_file(REPO / ".env.example"))
    for path in (BASE, OVERRIDE):
        for match in VARIABLE.finditer(path.read_text()):
            assert match.group(1) in documented, f"{match.group(1)} ({path.name})"


def test_the_deploy_writes_every_variable_the_environment_files_do_not_set() -> None:
    script = (REPO / "docker" / "deploy" / "write-env.sh").read_text()
    written = set(re.findall(r"^  ([A-Z][A-Z0-9_]+)$", script, re.MULTILINE))
    per_environment = set(env_file(REPO / "docker" / "env" / "staging.env"))
    documented = set(env_file(REPO / ".env.example"))
    # The deploy script exports POSE_STUDIO_TAG (the commit) and POSE_STUDIO_MIGRATE itself.
    assert written == documented - per_environment - {"POSE_STUDIO_TAG", "POSE_STUDIO_MIGRATE"}


def test_staging_and_production_differ_only_in_names_and_ports() -> None:
    staging = env_file(REPO / "docker" / "env" / "staging.env")
    production = env_file(REPO / "docker" / "env" / "production.env")
    assert set(staging) == set(production)
    assert staging["COMPOSE_PROJECT_NAME"] != production["COMPOSE_PROJECT_NAME"]
    assert staging["POSE_STUDIO_ENVIRONMENT"] == "staging"
    assert production["POSE_STUDIO_ENVIRONMENT"] == "production"
    for key in set(staging) - {"COMPOSE_PROJECT_NAME", "POSE_STUDIO_ENVIRONMENT"}:
        assert key.endswith("_PORT"), f"{key} differs between environments but is no port"
    staging_text = re.sub(r"=.*", "=", (REPO / "docker/env/staging.env").read_text())
    production_text = re.sub(r"=.*", "=", (REPO / "docker/env/production.env").read_text())
    assert staging_text.lower() == production_text.lower().replace("production", "staging")


def _rendered(environment: str) -> dict[str, Any]:
    env = {
        **env_file(REPO / ".env.example"),
        **env_file(REPO / "docker" / "env" / f"{environment}.env"),
        **{
            name: "x" * 24
            for name in (
                "POSE_STUDIO_TOKEN",
                "POSE_STUDIO_METRICS_TOKEN",
                "POSTGRES_PASSWORD",
                "GRAFANA_ADMIN_PASSWORD",
                "CLOUDFLARE_TUNNEL_TOKEN",
            )
        },
    }
    rendered: dict[str, Any] = interpolate(load(BASE), env)
    return rendered


def test_both_environments_fit_on_one_host() -> None:
    published: dict[str, set[str]] = {}
    for environment in ENVIRONMENTS:
        compose = _rendered(environment)
        assert compose["name"] == f"posestudio-{environment}"
        ports = set()
        for service in compose["services"].values():
            for mapping in service.get("ports", []):
                host, port, _ = mapping.split(":")
                assert host == "127.0.0.1", f"{mapping}: only the tunnel is public"
                ports.add(port)
        published[environment] = ports
    assert published["staging"] and not published["staging"] & published["production"]


def test_a_missing_secret_stops_compose_before_anything_starts() -> None:
    env = {**env_file(REPO / ".env.example"), **env_file(REPO / "docker/env/staging.env")}
    with pytest.raises(KeyError, match="POSE_STUDIO_TOKEN"):
        interpolate(load(BASE), env)


def test_bind_mounted_configs_exist_and_deploy_copies_them() -> None:
    deploy = (REPO / "docker" / "deploy" / "deploy.sh").read_text()
    for service in load(BASE)["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (REPO / source).exists(), source
                top = "/".join(source[2:].split("/")[:2])
                assert f'"$repo/{top}"' in deploy, f"deploy.sh does not stage {top}"
