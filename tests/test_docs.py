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


def _module_map() -> set[str]:
    """Modules the README's map names, as paths under ``pipeline/``."""
    block = README.split("**Where each stage lives.**")[1].split("```")[1]
    named, package = set(), ""
    for line in block.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            first = line.split()[0]
            package = first if first.endswith("/") else ""
        elif not line.startswith(" "):
            package = None  # spiders/, db/: outside the package
        if package is None:
            continue
        named.update(package + name for name in re.findall(r"\b[\w/]+\.py\b", line))
    return named


def test_readme_module_map_matches_the_tree() -> None:
    """The README's map of modules is the tree (issue 10: the layout reads as the data flow)."""
    root = Path(__file__).parent.parent / "pipeline"
    modules = {
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "__init__.py" and "__pycache__" not in path.parts
    }
    assert _module_map() == modules


def test_every_stage_package_says_what_it_takes_and_gives() -> None:
    root = Path(__file__).parent.parent / "pipeline"
    for init in root.glob("*/__init__.py"):
        text = init.read_text(encoding="utf-8")
        assert text.startswith('"""') and "->" in text.split('"""')[1], init
