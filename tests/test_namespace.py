"""gasmix installs as one package, `gasmix`, and nothing a user's folder holds can shadow it."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import PurePosixPath

import gasmix

SNIPPET = ("import gasmix; from gasmix.models import load_case, default_case; "
           "from gasmix.optimizer import solve; "
           "print(gasmix.solve(gasmix.default_case()).summary['objective_musd'])")


def _python(code: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_a_users_own_models_and_optimizer_folders_do_not_shadow_gasmix(tmp_path):
    # A notebook folder with packages of the generic names gasmix's rooms have: importing
    # either would fail loudly, so the run proves gasmix never imports them.
    for name in ("models", "optimizer", "inputs", "cli"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "__init__.py").write_text(f"raise ImportError('the user\\'s own {name}')\n")
    expected = gasmix.solve(gasmix.default_case()).summary["objective_musd"]
    done = _python(SNIPPET, tmp_path)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout.strip()) == expected
    # And the user's own package still imports as theirs.
    mine = _python("import models", tmp_path)
    assert "the user's own models" in mine.stderr


def test_the_installed_distribution_puts_only_gasmix_at_the_top_of_site_packages():
    # The installed distribution in site-packages (not a build's egg-info in the checkout,
    # which a run from the repository's folder would find first).
    site = sysconfig.get_paths()["purelib"]
    found = [d for d in metadata.distributions(path=[site]) if d.metadata["Name"] == "gasmix"]
    assert len(found) == 1, "gasmix is not installed in this environment's site-packages"
    # ('..' entries are the console script in bin/, outside site-packages.)
    tops = {PurePosixPath(str(f)).parts[0] for f in found[0].files or []} - {".."}
    # An editable install adds its path hook files beside the package (setuptools names
    # them after the distribution); a wheel install has the package and its dist-info.
    generic = {"models", "optimizer", "inputs", "cli", "cli.py", "benchmarks", "tests"}
    assert not tops & generic, tops
    assert any(t.startswith("gasmix") and t.endswith(".dist-info") for t in tops), tops
    assert all(t.startswith(("gasmix", "__editable__", "__pycache__")) or t.endswith(".pth")
               for t in tops), tops


def test_python_dash_m_gasmix_is_the_command_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "gasmix", "--version"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "version" in done.stdout


def test_the_public_names_resolve_from_the_top_package():
    for name in gasmix.__all__:
        assert getattr(gasmix, name) is not None, name
    assert gasmix.Plan is gasmix.optimizer.Plan


def test_no_public_name_is_shadowed_by_a_submodule_of_the_same_name():
    # Importing a submodule binds it on its package: a lazy name spelt like a module
    # (a `sweep` function in a `sweep.py`) would then turn into the module.
    import importlib
    import pkgutil

    import gasmix.models
    import gasmix.optimizer

    for package in (gasmix, gasmix.models, gasmix.optimizer):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".tests" not in info.name and not info.name.endswith("__main__"):
                importlib.import_module(info.name)
        for name in package.__all__:
            value = getattr(package, name)
            assert not isinstance(value, type(gasmix)), f"{package.__name__}.{name} is a module"
