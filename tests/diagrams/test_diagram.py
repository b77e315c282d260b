import re

import pytest
from dot_helpers import needs_dot
from diagram_samples import seven_stage_pipeline

from codepipeline_lab.diagrams import GraphvizNotInstalledError, pipeline_structure


@needs_dot
def test_renders_svg_and_saves_svg_png_and_dot(tmp_path):
    diagram = pipeline_structure(seven_stage_pipeline())
    assert diagram.svg().lstrip().startswith("<?xml") and "<svg" in diagram.svg()
    assert diagram.save(tmp_path / "p.svg").read_text().count("<svg") == 1
    assert diagram.save(tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert diagram.save(tmp_path / "p.dot").read_text() == diagram.source


@needs_dot
def test_notebook_display_gives_svg_and_a_stable_text():
    diagram = pipeline_structure(seven_stage_pipeline())
    bundle = diagram._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]
    assert bundle["text/plain"] == repr(diagram)
    assert not re.search(r"0x[0-9a-f]{6,}", repr(diagram))


def test_unknown_file_type_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf, \.dot"):
        pipeline_structure(seven_stage_pipeline()).save(tmp_path / "p.gif")


def test_missing_dot_says_how_to_install_graphviz(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    diagram = pipeline_structure(seven_stage_pipeline())
    with pytest.raises(GraphvizNotInstalledError) as raised:
        diagram.svg()
    message = str(raised.value)
    assert "sudo apt-get install graphviz" in message and "brew install graphviz" in message
    assert diagram.source  # the DOT text needs no Graphviz


def test_diagrams_fit_a_notebook_column():
    assert 'size="9.3,40"' in pipeline_structure(seven_stage_pipeline()).source
