import pytest
import torch
from latentebm.notebook import setup, show_source


def test_setup_fixes_threads_and_returns_device():
    dev = setup(seed=1)
    assert torch.get_num_threads() == 1
    assert dev.type in ("cpu", "cuda")


def test_show_source_displays_the_code(monkeypatch):
    import IPython.display
    from latentebm.sparse import shrink

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    show_source(shrink)
    assert "def shrink(x: torch.Tensor, threshold)" in shown[0].data
    assert "latentebm.sparse.energy.shrink" in shown[0].data


README = """# Benchmarks

## Sparse coding

### Results (one day)

Text 1.5x.

| problem | time |
|---|---|
| (a) | 12 ms |

between the tables

| other | x |
|---|---|
| (b) | 3 |

#### A subsection (part of the section above)

| sub | y |
|---|---|
| (c) | 4 |

### Results (another day)

| later | z |
|---|---|
"""


def test_benchmark_tables_cuts_one_section(tmp_path):
    from latentebm.notebook import benchmark_tables

    path = tmp_path / "README.md"
    path.write_text(README)
    tables = benchmark_tables("Results (one day)", path)
    assert [t.splitlines()[0] for t in tables] == [
        "| problem | time |",
        "| other | x |",
        "| sub | y |",
    ]
    assert tables[0].splitlines()[-1] == "| (a) | 12 ms |"
    assert benchmark_tables("Results (another", path) == ["| later | z |\n|---|---|"]
    with pytest.raises(ValueError, match="2 section"):
        benchmark_tables("Results", path)
    with pytest.raises(ValueError, match="no section"):
        benchmark_tables("Timings", path)
    with pytest.raises(FileNotFoundError, match="path"):
        benchmark_tables("Results", tmp_path / "missing.md")


def test_benchmark_tables_reads_the_repository_readme():
    from latentebm.notebook import benchmark_tables

    tables = benchmark_tables("Block coordinate descent")
    assert tables and all(t.startswith("|") for t in tables)
    assert any("block CD" in t for t in tables)


def test_show_benchmark_tables_displays_or_points_to_the_repository(tmp_path, monkeypatch, capsys):
    import IPython.display
    from latentebm.notebook import show_benchmark_tables

    path = tmp_path / "README.md"
    path.write_text(README)
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append(obj))
    show_benchmark_tables("Results (one day)", which=[1], path=path)
    markdown, html = shown[0]["text/markdown"], shown[0]["text/html"]
    assert "| other | x |" in markdown and "| problem |" not in markdown
    assert "<th>other</th>" in html and "<td>(b)</td>" in html and "---" not in html
    with pytest.raises(ValueError, match="which"):
        show_benchmark_tables("Results (one day)", which=[3], path=path)
    show_benchmark_tables("Results", path=tmp_path / "missing.md")  # e.g. in Colab
    assert "github.com" in shown[-1]["text/html"] and "github.com" in shown[-1]["text/markdown"]
    assert capsys.readouterr().out == ""  # displayed like the tables: the printed text is the same
