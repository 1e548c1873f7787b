"""Debouncing in a real kernel: slider values sent as a front end sends them (comm messages).

A Jupyter kernel (ipykernel, as JupyterLab and Colab run it) builds a live control whose update
function records its calls and takes 0.5 s; the test then talks to the kernel as a browser does:
``comm_msg`` updates of the slider's value, in a burst, and again while an update is computing.
Only the last value of each burst may be computed.
"""

from __future__ import annotations

import json
import time

import pytest

jupyter_client = pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")

SETUP = """
import time
from matplotlib.figure import Figure
from latentebm.live import control as lc

calls = []

def update(a):
    calls.append(a)
    time.sleep(0.5)  # a computation: the kernel is busy meanwhile
    return Figure(figsize=(1, 1)), {"a": a}

c = lc.LiveControl(update, {"a": lc.float_slider("a", 1.0, 0.0, 10.0, 0.5)}, debounce=0.2)
print(c.controls["a"].model_id)
"""


def run(kc, code: str) -> str:
    """Execute ``code`` in the kernel; its stdout (an error fails the test)."""
    msg_id = kc.execute(code)
    out = []
    while True:
        msg = kc.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            pytest.fail("kernel error: " + "\n".join(content["traceback"]))
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(out)


def send_value(kc, model_id: str, value: float) -> None:
    """What a front end sends when the reader releases the slider at ``value``."""
    data = {"method": "update", "state": {"value": value}, "buffer_paths": []}
    kc.shell_channel.send(kc.session.msg("comm_msg", {"comm_id": model_id, "data": data}))


@pytest.fixture(scope="module")
def kernel():
    km, kc = jupyter_client.manager.start_new_kernel(kernel_name="python3")
    try:
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_kernel_computes_only_the_last_value_of_a_burst(kernel):
    model_id = run(kernel, SETUP).strip()
    assert run(kernel, "print(calls)").strip() == "[1.0]"  # the first drawing, in the cell

    for v in (2.0, 3.0, 4.0, 5.0, 6.0):  # a burst: arrow keys, or several releases
        send_value(kernel, model_id, v)
        time.sleep(0.02)
    time.sleep(1.5)
    assert json.loads(run(kernel, "print(calls)")) == [1.0, 6.0]

    send_value(kernel, model_id, 7.0)
    time.sleep(0.35)  # the quiet time has passed: 7 is computing (0.5 s)...
    for v in (8.0, 8.5, 9.0):  # ...while these arrive: they wait, and only the last is computed
        send_value(kernel, model_id, v)
        time.sleep(0.02)
    time.sleep(2.0)
    out = run(kernel, "print(calls); print(c.numbers['a'], c.controls['a'].value, c.n_updates)")
    calls, last = out.strip().splitlines()
    assert json.loads(calls) == [1.0, 6.0, 7.0, 9.0]
    assert last.split() == ["9.0", "9.0", "4"]
