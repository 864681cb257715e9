"""Issue items 9 and 11: inputs that gave tracebacks or silent success give one message and
a non-zero exit status."""

from __future__ import annotations

import os
import stat

import pytest
import xarray as xr

from tests.adversarial.conftest import cli


def test_read_only_output_folder_is_one_message(scratch):
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    (scratch.root / "outputs").mkdir()
    os.chmod(scratch.root / "outputs", stat.S_IRUSR | stat.S_IXUSR)
    try:
        res = cli("run", "time.end_year=2023", "firms.count=100")
    finally:
        os.chmod(scratch.root / "outputs", stat.S_IRWXU)
    assert res.one_message(), res.text
    assert "cannot write" in res.err


def test_os_error_inside_a_command_is_one_message(scratch, monkeypatch):
    """What a read-only folder or a full disk raises while a command writes."""
    def full(*args, **kwargs):
        raise OSError(30, "Read-only file system", "outputs/x/run.nc")

    monkeypatch.setattr("stisim.io.write_dataset", full)
    res = cli("run", "time.end_year=2023", "firms.count=100", "output.summary=false")
    assert res.one_message(), res.text
    assert "Read-only file system" in res.err and "run.nc" in res.err
    assert not (scratch.root / "outputs").exists()


@pytest.mark.parametrize("text,what", [
    (" + ".join(["goal_score(goal=9, time=2030)"] * 3000), "too long"),
    ("-" * 5000 + "1", "nested too deeply"),
    ("(" * 400 + "1" + ")" * 400, "syntax error|nested too deeply"),
    (" + ".join(["1"] * 1500), "nested too deeply"),
])
def test_long_expressions_are_refused(text, what):
    from stisim.analysis.expression import ExpressionError, evaluate

    with pytest.raises(ExpressionError, match=what):
        evaluate(xr.Dataset(), text)


def test_mathtext_in_names_is_drawn_as_text():
    from stisim.analysis import plots

    fig = plots._figure()
    ax = fig.add_subplot()
    ax.barh([r"$\frac{a}$", "$x^$", "50$ and $"], [1, 2, 3])
    ax.set_title(r"scenario $\frac{a}$")
    assert plots.to_png(fig)[:4] == b"\x89PNG"
    assert plots.to_svg(fig)


def test_countries_unknown_region_is_refused(scratch):
    res = cli("countries", "--region", "Atlantis")
    assert res.one_message(), res.text
    assert "'Atlantis'" in res.err and "Eastern Africa" in res.err
    assert cli("countries", "--region", "western africa").rc == 0


def test_influence_top_must_be_positive(scratch):
    res = cli("influence", "--top", "-5")
    assert res.rc == 2 and "--top" in res.err and "Traceback" not in res.text


def test_output_folder_that_cannot_be_created_is_one_message(scratch, monkeypatch):
    """As a read-only working directory answers (tests may run as root, who can write)."""
    def refuse(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("stisim.cli.outdirs.os.mkdir", refuse)
    monkeypatch.setattr("pathlib.Path.mkdir", lambda self, *a, **k: refuse(self))
    res = cli("run", "time.end_year=2023", "firms.count=100")
    assert res.one_message(), res.text
    assert "cannot write" in res.err and "Permission denied" in res.err
