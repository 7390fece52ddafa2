"""`python -m seqlab.book execute`: notebooks re-executed in place, deterministically."""
from __future__ import annotations

import re

import nbformat

from seqlab import book


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path


def test_execute_stores_outputs_widget_state_and_reports_time(tmp_path, capsys):
    folder = tmp_path / "chapter_folder"
    folder.mkdir()
    (folder / "data.txt").write_text("read from the notebook's folder")
    plain = _notebook(folder / "plain.ipynb",
                      "import os, pathlib\nprint(open('data.txt').read(), os.environ['PYTHONHASHSEED'], hash('seqlab'))",
                      "import matplotlib\nprint(matplotlib.get_backend())")
    widget = _notebook(folder / "widget.ipynb", "import ipywidgets\nipywidgets.IntSlider(value=3, max=9)",
                       "import sys\nprint('a', end='')\nsys.stdout.flush()\nprint('b')")
    assert book.main(["execute", str(plain), str(widget)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert [re.sub(r"\d+\.\d", "N", line) for line in printed] == \
        [f"{plain}: executed in N s", f"{widget}: executed in N s"]

    nb = nbformat.read(plain, as_version=4)
    first, second = (cell.outputs[0].text.split() for cell in nb.cells)
    assert " ".join(first[:5]) == "read from the notebook's folder" and first[5] == "0"
    assert second == ["module://matplotlib_inline.backend_inline"]
    assert [cell.execution_count for cell in nb.cells] == [1, 2]
    assert "execution" not in nb.cells[0].metadata  # no timestamps in the committed file
    assert "widgets" not in nb.metadata

    again = _notebook(folder / "again.ipynb", nb.cells[0].source)
    book.execute(again)
    assert nbformat.read(again, as_version=4).cells[0].outputs[0].text.split() == first  # same hash: seeded

    nbw = nbformat.read(widget, as_version=4)
    state = nbw.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert any(model["model_name"] == "IntSliderModel" and model["state"]["value"] == 3 for model in state.values())
    view = nbw.cells[0].outputs[0].data["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] in state
    assert [(o.output_type, o.text) for o in nbw.cells[1].outputs] == [("stream", "ab\n")]
    first_text = widget.read_text()
    book.execute(widget)
    assert widget.read_text() == first_text  # widget ids renumbered: an identical file


def test_merge_streams_joins_consecutive_prints_of_one_stream():
    out = nbformat.v4.new_output
    outputs = [out("stream", name="stdout", text="a"), out("stream", name="stdout", text="b\n"),
               out("stream", name="stderr", text="w\n"), out("execute_result", data={"text/plain": "1"}),
               out("stream", name="stdout", text="c\n")]
    merged = book._merge_streams(outputs)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in merged] == [
        ("stream", "stdout", "ab\n"), ("stream", "stderr", "w\n"), ("execute_result", None, None),
        ("stream", "stdout", "c\n")]
