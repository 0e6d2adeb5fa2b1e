"""The documentation: generated pages up to date, the MkDocs build clean (no broken link), the README a front page."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from fixture_paths import unavailable

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
README = (REPO / "README.md").read_text(encoding="utf-8")

sys.path.insert(0, str(DOCS))
import gen_reference  # noqa: E402


def _mkdocs() -> None:
    if importlib.util.find_spec("mkdocs") is None:
        unavailable("mkdocs", "it is in the dev extra: pip install -e '.[dev]'")


def _build(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("page", sorted(gen_reference.PAGES), ids=lambda p: p.name)
def test_generated_page_is_up_to_date(page: Path) -> None:
    assert page.read_text(encoding="utf-8") == gen_reference.PAGES[page](), (
        f"{page.name} is out of date: run python docs/gen_reference.py"
    )


def test_config_reference_lists_every_key_of_the_schema() -> None:
    import json

    schema = json.loads(gen_reference.SCHEMA.read_text(encoding="utf-8"))
    page = (DOCS / "config-reference.md").read_text(encoding="utf-8")
    for definition in [schema, *schema["$defs"].values()]:
        for key in definition.get("properties", {}):
            assert f"| `{key}` |" in page, key


def test_gen_reference_check_reports_a_stale_page(tmp_path: Path, monkeypatch, capsys) -> None:
    stale = tmp_path / "controls.md"
    stale.write_text("# Controls\n", encoding="utf-8")
    monkeypatch.setattr(gen_reference, "REPO", tmp_path)
    monkeypatch.setattr(gen_reference, "PAGES", {stale: gen_reference.controls_page})
    assert gen_reference.main(["--check"]) == 1
    assert "controls.md is out of date" in capsys.readouterr().err
    assert gen_reference.main([]) == 0 and stale.read_text(encoding="utf-8") == gen_reference.controls_page()
    assert gen_reference.main(["--check"]) == 0


def test_mkdocs_build_is_strict_and_clean(tmp_path: Path) -> None:
    _mkdocs()
    done = _build(REPO, tmp_path / "site")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "controls" / "index.html").is_file()


def test_mkdocs_build_fails_on_a_broken_link(tmp_path: Path) -> None:
    _mkdocs()
    root = tmp_path / "repo"
    shutil.copytree(DOCS, root / "docs")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    page = root / "docs" / "scan.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [the missing page](no-such-page.md).\n")
    done = _build(root, tmp_path / "site")
    assert done.returncode != 0 and "no-such-page.md" in done.stdout + done.stderr


def test_every_docs_page_is_in_the_nav() -> None:
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    for page in DOCS.glob("*.md"):
        assert f": {page.name}\n" in nav, page.name


def test_readme_is_a_front_page_whose_links_resolve() -> None:
    assert len(README.splitlines()) < 400
    for target in re.findall(r"\]\((?!https?://|#)([^)#]+)", README):
        assert (REPO / target).exists(), target


def test_readme_and_docs_deploy_show_the_same_commands() -> None:
    import readme_commands

    docs_deploy = (DOCS / "deploy.md").read_text(encoding="utf-8")
    commands = [
        line for block in docs_deploy.split("```bash\n")[1:] for line in block.split("```", 1)[0].splitlines()
    ]
    readme = readme_commands.deploy_commands()
    assert [c.split() for c in commands if c.strip()] == [" ".join(c).split() for c in readme]


def test_license_matches_pyproject() -> None:
    license_id = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"]
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert license_id == "Apache-2.0"
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_gen_reference_rewrites_the_readme_controls_table_in_place() -> None:
    rows = gen_reference.controls_table().splitlines()
    stale = (
        "# x\n\nintro\n\n" + "\n".join(rows[:3]) + "\n| ZZ-99 | gone | Bucket | low | warn | — |\n\n## Next\n"
    )
    fixed = gen_reference.readme_with_controls_table(stale)
    assert fixed == "# x\n\nintro\n\n" + gen_reference.controls_table() + "\n## Next\n"
    assert gen_reference.readme_with_controls_table(README) == README
    with pytest.raises(SystemExit, match="no controls table"):
        gen_reference.readme_with_controls_table("# no table\n")
