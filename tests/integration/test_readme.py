"""The README's commands work after `make up` alone: every program its shell blocks call is
installed, and its first example (an enterprise gets a token and submits its record) and its look
at a service's gRPC reflection run end to end, as written, against the test instance."""
from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess

import pytest

from services.kit import config

README = (config.REPO_ROOT / "README.md").read_text(encoding="utf-8")
DEMO = config.INSTANCES[""]
KC = config.keycloak()
SHELL_BUILTINS = {"cd", "export", "source", "echo", "set", "test", "["}


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def commands(block: str) -> set[str]:
    """The programs a block calls: the first word of each command, including those in $( … ) and after | && ; or a newline."""
    text = "\n".join(line.split(" # ", 1)[0] for line in block.replace("\\\n", " ").splitlines() if not line.lstrip().startswith("#"))
    lexer = shlex.shlex(text.replace("$(", " ( "), posix=True, punctuation_chars="();<>|&\n")
    lexer.whitespace = " \t\r"
    found, starting = set(), True
    for token in lexer:
        if set(token) <= set("();<>|&\n"):
            starting = True
        elif starting and not re.match(r"^[A-Za-z_]+=", token):  # VAR=value before a command is not one
            found.add(token)
            starting = False
    found.update(re.findall(r"\$\(\s*([A-Za-z0-9_./-]+)", text))  # command substitutions inside "…" too
    return found


def to_test_instance(text: str) -> str:
    """The README addresses the demo instance; the tests never write there (docs/test-instance.md)."""
    swaps = {f"http://127.0.0.1:{DEMO.gateway}": config.gateway_url(),
             "http://127.0.0.1:8180/realms/safety/": f"{KC.url}/realms/{KC.realm}/",
             f"127.0.0.1:{DEMO.services['datacenter'][0]}": config.grpc_target("datacenter")}
    for demo, test in swaps.items():
        text = text.replace(demo, test)
    assert f":{DEMO.gateway}" not in text and "/realms/safety/" not in text, text
    return text


def run(script: str) -> str:
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=config.REPO_ROOT)
    assert done.returncode == 0, f"exit {done.returncode}\n{script}\nstdout: {done.stdout}\nstderr: {done.stderr}"
    return done.stdout


@pytest.mark.parametrize("program", sorted(set().union(*map(commands, shell_blocks())) - SHELL_BUILTINS))
def test_every_program_the_readme_calls_is_installed(program):
    assert shutil.which(program) or (config.REPO_ROOT / program).exists(), f"{program} is not installed by `make up`"


def test_the_enterprise_example_runs_as_written():
    [example] = [b for b in shell_blocks() if "client_credentials" in b and "/api/v1/enterprises" in b]
    out = run(to_test_instance(example))
    record = json.loads(out)["enterprise"]
    assert record["uscc"] == "91620802MA71KT001D" and record["name"] == "平凉市崆峒化工有限公司", out


def test_the_grpc_reflection_example_runs_as_written():
    [example] = re.findall(r"`(grpcurl [^`]+)`", README)
    assert shutil.which("grpcurl"), "grpcurl is not installed by `make up`"
    out = run(to_test_instance(example))
    assert "grpc.health.v1.Health" in out and "safety.datacenter.v1.RecordService" in out, out
