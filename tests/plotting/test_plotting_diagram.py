"""The one diagram vocabulary (latentebm.plotting.diagram), and every diagram of the book in it."""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from latentebm.plotting import diagram  # noqa: E402
from latentebm.plotting.latent import draw_latent_ebm  # noqa: E402
from latentebm.plotting.lista import draw_latent_encoder_ebm, draw_lista_unfolded  # noqa: E402
from latentebm.plotting.sparse import draw_fista_graph, draw_fista_unrolled  # noqa: E402
from latentebm.plotting.vae import draw_vae_architecture  # noqa: E402
from matplotlib.colors import same_color  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch  # noqa: E402

DIAGRAMS = {
    "latent_ebm": draw_latent_ebm,
    "latent_ebm_unconditional": lambda: draw_latent_ebm(conditional=False),
    "fista_graph": draw_fista_graph,
    "fista_unrolled": lambda: draw_fista_unrolled(3),
    "latent_encoder_ebm": draw_latent_encoder_ebm,
    "lista_unfolded": lambda: draw_lista_unfolded(4),
    "vae": draw_vae_architecture,
    "convention": diagram.draw_convention,
}


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def kind_of(patch) -> str:
    """The convention's name for a patch, from its shape and fill."""
    fill = patch.get_facecolor()
    if isinstance(patch, Circle):
        return next(k for k, c in diagram.NODE_KINDS.items() if same_color(fill, c))
    name = next(k for k, c in diagram.BOX_KINDS.items() if same_color(fill, c))
    square = type(patch.get_boxstyle()).__name__ == "Square"
    assert square == (name == "energy"), "energy terms square, functions rounded"
    return name


def center(patch):
    if isinstance(patch, Circle):
        return tuple(patch.center)
    return (patch.get_x() + patch.get_width() / 2, patch.get_y() + patch.get_height() / 2)


def elements(ax) -> dict[str, list]:
    """Each text drawn at the centre of a node or box, with that patch."""
    shapes = [p for p in ax.patches if isinstance(p, (Circle, FancyBboxPatch))]
    found = {}
    for t in ax.texts:
        for p in shapes:
            if math.dist(t.get_position(), center(p)) < 1e-9:
                found.setdefault(t.get_text(), []).append(p)
    return found


def on_edge(patch, point, tol=1e-6) -> bool:
    x, y = point
    if isinstance(patch, Circle):
        return abs(math.dist(point, patch.center) - patch.radius) < tol
    x0, y0 = patch.get_x(), patch.get_y()
    x1, y1 = x0 + patch.get_width(), y0 + patch.get_height()
    inside = x0 - tol <= x <= x1 + tol and y0 - tol <= y <= y1 + tol
    return inside and min(abs(x - x0), abs(x - x1), abs(y - y0), abs(y - y1)) < tol


def arrows(ax) -> list[tuple]:
    """(start, end) of every arrow: where FancyArrowPatch was told to go."""
    return [p._posA_posB for p in ax.patches if isinstance(p, FancyArrowPatch)]


def into(ax, patch) -> list:
    """The patches (or None for a free point) each arrow ending at ``patch`` starts from."""
    shapes = [p for p in ax.patches if isinstance(p, (Circle, FancyBboxPatch))]
    return [next((s for s in shapes if on_edge(s, a)), None)
            for a, b in arrows(ax) if on_edge(patch, b, tol=0.05)]  # fmt: skip


@pytest.mark.parametrize("name", DIAGRAMS)
def test_every_diagram_speaks_the_convention(name):
    ax = DIAGRAMS[name]()
    shapes = [p for p in ax.patches if isinstance(p, (Circle, FancyBboxPatch))]
    assert shapes and all(kind_of(p) for p in shapes)  # every circle and box is one of the four
    kinds = {text: {kind_of(p) for p in ps} for text, ps in elements(ax).items()}
    for text, kind in kinds.items():
        if text in ("$y$", "$x$"):
            assert kind == {"observed"}, (text, kind)
        if text in ("$z$", r"$\epsilon$"):
            assert kind == {"latent"}, (text, kind)
        if any(s in text for s in ("C(y", "R(z)", "D(z", "KL")):
            assert kind == {"energy"}, (text, kind)
        if any(s in text for s in ("Dec", "Enc", "Pred", "encoder", "decoder", "shrink", "+")):
            assert kind == {"function"}, (text, kind)
    assert "$y$" in kinds  # every diagram of the book shows the observed signal


def test_vae_noise_is_scaled_by_sigma_then_added():
    ax = draw_vae_architecture()
    found = elements(ax)
    (plus,), (times,), (eps,), (enc,) = (
        found[k] for k in ("+", r"$\times$", r"$\epsilon$", "encoder")
    )
    (z,), (kl,) = found["$z$"], found[r"$\beta\,\mathrm{KL}$" "\n(spring to 0)"]
    assert kind_of(eps) == "latent" and kind_of(times) == "function"
    assert {id(p) for p in into(ax, times)} == {id(eps), id(enc)}  # σ and ε into ×
    assert {id(p) for p in into(ax, plus)} == {id(times), id(enc)}  # z̄ and σ⊙ε into +
    assert [id(p) for p in into(ax, z)] == [id(plus)]
    assert [id(p) for p in into(ax, kl)] == [id(enc)]
    labels = {t.get_text() for t in ax.texts}
    assert {r"$\bar z$", r"$\sigma$", r"$\sigma \odot \epsilon$"} <= labels


def test_diagrams_draw_their_parts():
    texts = " ".join(t.get_text() for t in draw_latent_encoder_ebm().texts)
    for part in ("Enc", "Dec", "D(z", "C(y", r"\lambda R(z)"):
        assert part in texts
    texts = [t.get_text() for t in draw_lista_unfolded(4).texts]
    assert sum("shrink" in t for t in texts) == 4 and sum(t == "$S$" for t in texts) == 3
    assert "$z(K)$" in texts
    assert any("shrink" in t.get_text() for t in draw_fista_graph().texts)
    texts = {t.get_text() for t in draw_latent_ebm().texts}
    assert {"$x$", "$y$", "$z$", "Pred", "Dec", r"$\lambda R(z)$"} <= texts
    assert "Pred" not in {t.get_text() for t in draw_latent_ebm(conditional=False).texts}


@pytest.mark.parametrize("n_steps", [1, 3])
def test_fista_unrolled_is_ista_cells_plus_momentum_skips(n_steps):
    """Claim 7's figure: n ISTA cells (S, +, shrink) with tied weights, the latent iterates
    z_0 ... z_n as white circles, and one momentum box per step fed by z_(k+1) and, through a
    dashed skip connection, by z_k."""
    ax = draw_fista_unrolled(n_steps)
    found = elements(ax)
    assert len(found["shrink"]) == n_steps and len(found["$S$"]) == n_steps
    assert len(found["+"]) == n_steps and len(found["$y$"]) == 1
    for k in range(n_steps + 1):
        (z,) = found[f"$z_{k}$"]
        assert kind_of(z) == "latent"
    for k in range(n_steps):
        (mom,) = found[rf"$+\beta_{{{k + 1}}}\Delta$"]
        (z_next,) = found[f"$z_{k + 1}$"]
        sources = into(ax, mom)
        assert len(sources) == 2 and any(s is z_next for s in sources)
    dashed = [p for p in ax.patches if isinstance(p, FancyArrowPatch) and p.get_linestyle() != "-"]
    assert len(dashed) == n_steps
    with pytest.raises(ValueError, match="n_steps"):
        draw_fista_unrolled(0)


def test_arrows_stop_at_the_edges_and_follow_their_corners():
    ax = diagram.canvas(6, 3)
    a = diagram.node(ax, (1, 1), "$y$", "observed", r=0.4)
    b = diagram.box(ax, (4, 2), "f", w=1.0, h=0.6)
    arrow = diagram.arrow(ax, a, b, "v")
    start, end = arrow._posA_posB
    assert on_edge(a, start) and on_edge(b, end)
    via = diagram.arrow(ax, a, b, via=[(1, 2.9), (4, 2.9)])
    assert via._posA_posB[0] == (4, 2.9) and on_edge(b, via._posA_posB[1])
    assert via._posA_posB[1][1] == pytest.approx(2.3)  # enters b from above, at its top edge
    assert ax.lines[-1].get_xydata()[0].tolist() == [1, 1.4]  # leaves a from its top


def test_bad_kinds_and_sizes_are_refused():
    ax = diagram.canvas(2, 2)
    with pytest.raises(ValueError, match="kind"):
        diagram.node(ax, (1, 1), "z", kind="hidden")
    with pytest.raises(ValueError, match="kind"):
        diagram.box(ax, (1, 1), "f", kind="cost")
    with pytest.raises(ValueError, match="w"):
        diagram.box(ax, (1, 1), "f", w=0)
    with pytest.raises(TypeError, match="end"):
        diagram.arrow(ax, (0, 0), "z")
