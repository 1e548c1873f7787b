import matplotlib
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from latentebm.plotting.lista import (  # noqa: E402
    draw_latent_encoder_ebm,
    draw_lista_unfolded,
    plot_code_comparison,
    plot_out_of_distribution,
    plot_vs_steps,
)


def test_diagrams_draw_their_parts():
    ax = draw_latent_encoder_ebm()
    texts = " ".join(t.get_text() for t in ax.texts)
    for part in ("Enc", "Dec", "D(z", "C(y", r"\lambda R(z)"):
        assert part in texts
    ax = draw_lista_unfolded(4)
    texts = [t.get_text() for t in ax.texts]
    assert sum("shrink" in t for t in texts) == 4 and sum(t == "$S$" for t in texts) == 3
    assert "$z(K)$" in texts
    plt.close("all")


def test_curves_and_comparison_figures():
    ax = plot_vs_steps({"LISTA": ([1, 2], [0.5, 0.2]), "FISTA": ([1, 2], [0.9, 0.7])}, hline=0.1)
    assert len(ax.lines) == 3 and ax.get_yscale() == "log"
    g = torch.Generator().manual_seed(0)
    W, Y = torch.randn(16, 8, generator=g), torch.rand(3, 16, generator=g)
    Z = torch.randn(3, 8, generator=g)
    fig = plot_code_comparison(Y, W, {"LISTA-2": Z, "FISTA-2": 0 * Z}, Z, shape=(4, 4))
    assert fig.axes[0].get_images()[0].get_array().shape == (4, 4)
    assert len(fig.axes) == 3 * 4
    fig = plot_out_of_distribution(
        {"a": torch.zeros(4, 4), "b": torch.ones(4, 4)},
        {"a": {"LISTA": 0.1, "FISTA": 0.2}, "b": {"LISTA": 0.5, "FISTA": 0.3}},
    )
    assert len(fig.axes[-1].patches) == 4
    plt.close("all")
