"""Publishing is safe: the workflows and the lock file, read as GitHub and pip read them.

Pull requests are built and tested with a read-only token and no secrets;
only the deploy job may write to Pages; every action is pinned by a full
commit hash (its version in a comment); no checkout keeps its token; the
publishing build installs ``requirements.lock`` with ``--require-hashes``,
and the lock pins exactly ``requirements.txt`` plus everything it pulls in.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"
LOCK = REPO / "requirements.lock"
_USES = re.compile(r"^\s*(?:-\s*)?uses:\s*(\S+)(.*)$")
_PIN = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
_VERSION_COMMENT = re.compile(r"^\s*#\s*v\d+(\.\d+)*\s*$")


def workflow(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key 'on' as true
    return data


def all_workflows() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.y*ml"))


def steps(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job_name, step) for job_name, job in data["jobs"].items()
            for step in job.get("steps", [])]


def test_pull_requests_are_built_and_tested_read_only() -> None:
    data = workflow("pull-request.yml")
    assert set(data["on"]) == {"pull_request"}  # never pull_request_target
    assert data["permissions"] == {"contents": "read"}
    for name, job in data["jobs"].items():
        assert job["permissions"] == {"contents": "read"}, name
    runs = " ".join(step.get("run", "") for _, step in steps(data))
    assert "sphinx-build -b html -W --keep-going -n" in runs
    assert "bash .ci/run" in runs
    text = (WORKFLOWS / "pull-request.yml").read_text(encoding="utf-8")
    assert not re.search(r"\$\{\{[^}]*secrets", text)  # no secret is used


def test_only_the_deploy_job_may_write() -> None:
    data = workflow("pages.yml")
    assert data["permissions"] == {}
    assert data["jobs"]["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert data["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    deploy_uses = [step.get("uses", "") for step in data["jobs"]["deploy"]["steps"]]
    assert [u.split("@")[0] for u in deploy_uses] == ["actions/deploy-pages"]  # no repo code


@pytest.mark.parametrize("path", all_workflows(), ids=lambda p: p.name)
def test_no_workflow_grants_write_elsewhere(path: Path) -> None:
    code = "\n".join(line.split("#")[0] for line in
                     path.read_text(encoding="utf-8").splitlines())
    assert "pull_request_target" not in code
    assert "write-all" not in code
    data = workflow(path.name)
    for name, job in data["jobs"].items():
        for scope, level in (job.get("permissions") or {}).items():
            if level == "write":
                assert name == "deploy" and scope in ("pages", "id-token"), (name, scope)


@pytest.mark.parametrize("path", all_workflows(), ids=lambda p: p.name)
def test_actions_are_pinned_by_commit_with_the_version(path: Path) -> None:
    found = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _USES.match(line)
        if match:
            found += 1
            assert _PIN.match(match.group(1)), line
            assert _VERSION_COMMENT.match(match.group(2)), line
    assert found


@pytest.mark.parametrize("path", all_workflows(), ids=lambda p: p.name)
def test_checkout_keeps_no_token(path: Path) -> None:
    checkouts = [step for _, step in steps(workflow(path.name))
                 if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False


@pytest.mark.parametrize("path", all_workflows(), ids=lambda p: p.name)
def test_site_builds_install_only_the_hashed_lock(path: Path) -> None:
    runs = [step.get("run", "") for _, step in steps(workflow(path.name))]
    installs = [line for run in runs for line in run.splitlines() if "pip install" in line]
    assert installs
    for line in installs:
        assert "--require-hashes" in line and "-r requirements.lock" in line, line
    assert not any("cache" in step.get("with", {}) for _, step in steps(workflow(path.name)))


# -- the lock ----------------------------------------------------------------------------

def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", requirement.split("[")[0].split("=")[0].strip()).lower()


def lock_entries() -> dict[str, list[tuple[str, list[str]]]]:
    """name -> [(version, hashes)] of requirements.lock (a name can differ by marker)."""
    entries: dict[str, list[tuple[str, list[str]]]] = {}
    text = LOCK.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        spec = line.split(";")[0].split("--hash")[0].strip()
        assert "==" in spec, line
        name, version = spec.split("==")
        hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", line)
        entries.setdefault(_name(name), []).append((version.strip(), hashes))
    return entries


def direct_pins() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[_name(name)] = version.strip()
    return pins


def test_lock_covers_requirements_txt_exactly() -> None:
    """Every pin of requirements.txt is in the lock at the same version (make lock)."""
    entries = lock_entries()
    for name, version in direct_pins().items():
        assert name in entries, f"{name} is not in requirements.lock: run make lock"
        assert [v for v, _ in entries[name]] == [version], \
            f"{name}: requirements.txt says {version}, the lock {entries[name]}: run make lock"


def test_lock_pins_the_indirect_dependencies_with_hashes() -> None:
    entries = lock_entries()
    for name in ("jinja2", "markupsafe", "markdown-it-py", "mdit-py-plugins", "pygments",
                 "pagefind-bin-extended"):
        assert name in entries, name
    for name, versions in entries.items():
        for _, hashes in versions:
            assert hashes, f"{name} has no hash"
    # pagefind's binary comes as one wheel per platform: the lock has them all.
    assert len(entries["pagefind-bin-extended"][0][1]) >= 4


def test_lock_is_made_by_make_lock() -> None:
    assert LOCK.read_text(encoding="utf-8").startswith(
        "# This file was autogenerated by uv via the following command:\n#    make lock\n")
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^lock:", makefile, re.MULTILINE)
    assert "--generate-hashes" in makefile
    dev = (REPO / "requirements-dev.txt").read_text(encoding="utf-8")
    assert re.search(r"^uv==\d", dev, re.MULTILINE)  # the tool that writes it, pinned
