"""The README and the CLI agree: every command is documented and every documented option exists."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from pipeline.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
COMMAND_LINES = re.findall(r"^python -m pipeline (\w+)(.*)$", README, flags=re.M)


def _options(command: click.Command) -> set[str]:
    return {opt for param in command.params for opt in getattr(param, "opts", [])} | {"--help"}


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


def test_readme_shows_command_lines() -> None:
    assert len(COMMAND_LINES) >= 5


@pytest.mark.parametrize(("name", "rest"), COMMAND_LINES)
def test_documented_commands_and_options_exist(name: str, rest: str) -> None:
    assert name in cli.commands, f"README shows `{name}`, which the CLI does not have"
    used = set(re.findall(r"(--[a-z][a-z-]*)", rest.split("#")[0]))
    assert used <= _options(cli.commands[name]), used - _options(cli.commands[name])


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_and_option_is_documented(name: str) -> None:
    assert f"python -m pipeline {name}" in README
    for option in _options(cli.commands[name]) - {"--help"}:
        if option.startswith("--"):
            assert option in README, f"{name} {option} is not in the README"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci and "make test" in README
