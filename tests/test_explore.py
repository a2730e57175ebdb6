"""The shared block `explore` (tools/sync_shared.py) on its own: it checks
its inputs, draws one frame per grid point, and its static HTML labels every
control and lists the values it holds. The browser test
(test_browser.py::test_static_widgets) checks the built pages."""

import json
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from book import ROOT  # noqa: E402

sys.path.insert(0, str(ROOT / "tools"))
from sync_shared import OPT_IN  # noqa: E402


@pytest.fixture
def explore(monkeypatch):
    shown = []
    import IPython.display

    monkeypatch.setattr(
        IPython.display, "display", lambda obj, raw=False: shown.append(obj)
    )
    ns = {"plt": plt}
    exec(OPT_IN["explore"], ns)
    return ns["explore"], shown


def draw(a=1, flag=False):
    if a == 3 and flag:
        raise ValueError("a = 3 with the flag is refused")
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, a], [0, 1 if flag else -1])
    print(f"a={a} flag={flag}")
    plt.show()


def controls():
    import ipywidgets

    return dict(
        a=ipywidgets.IntSlider(value=2, min=1, max=4, description="slope a"),
        flag=ipywidgets.Checkbox(value=False, description="flag"),
    )


def test_frames_and_static_html(explore):
    fn, shown = explore
    live = fn(
        draw,
        controls(),
        grid=dict(a=[1, 2, 3], flag=[False, True]),
        alt="a line of slope {a}, flag {flag}",
    )
    (bundle,) = shown
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == (
        live.model_id
    )
    page = bundle["text/html"]
    data = re.search(r'class="sw-data">(.*?)</script>', page).group(1)
    frames = json.loads(data.replace("<\\/", "</"))
    assert sorted(frames) == [f"{i}-{j}" for i in range(3) for j in range(2)]
    for key, f in frames.items():
        i, j = map(int, key.split("-"))
        if (i, j) == (2, 1):  # the refused combination says why
            assert f["png"] == [] and "refused" in f["text"]
            continue
        assert len(f["png"]) == 1 and f["png"][0][1] > 0
        assert f["text"] == f"a={[1, 2, 3][i]} flag={[False, True][j]}\n"
        assert f["alt"] == f"a line of slope {[1, 2, 3][i]}, flag {bool(j)}"
    # the frames differ, labelled controls, the values listed, start = value
    assert len({f["png"][0][0] for f in frames.values() if f["png"]}) == 5
    assert 'aria-label="slope a"' in page and 'aria-label="flag"' in page
    assert "slope a: 1, 2, 3" in page and "flag: off, on" in page
    assert 'type="range" min="0" max="2" step="1" value="1"' in page
    # the frames' figures are closed (only the live widget's first view,
    # which Agg does not close on show, stays open here)
    assert len(plt.get_fignums()) <= 1
    plt.close("all")


@pytest.mark.parametrize(
    "grid, message",
    [
        (dict(a=[1, 2]), "grid must name the controls"),
        (dict(a=[], flag=[True]), "non-empty list"),
        (dict(a=[0, 2], flag=[True]), "cannot take"),
        (dict(a=list(range(1, 5)) * 9, flag=[False, True]), "at most 64"),
    ],
)
def test_bad_grid_is_refused(explore, grid, message):
    fn, shown = explore
    with pytest.raises(ValueError, match=message):
        fn(draw, controls(), grid=grid, alt="x")
    assert not shown


def test_controls_must_be_widgets(explore):
    fn, _ = explore
    with pytest.raises(TypeError, match="ipywidgets controls"):
        fn(draw, dict(a=3), grid=dict(a=[3]), alt="x")
