# SPDX-License-Identifier: Apache-2.0
"""torch on real GPUs: torch.nn.parallel.replicate/parallel_apply/gather, and a template
relocated to the CPU (parameters copied to each GPU through autograd). Skipped without 2 GPUs."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(torch.cuda.device_count() < 2, reason="needs 2 CUDA GPUs"),
]


def _model(device):
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)).to(device)


@pytest.mark.parametrize("relocate", [False, True])
@pytest.mark.parametrize("batch", [1, 7, 8])
def test_gpu_replicas_equal_single_device_and_train_the_template(relocate, batch):
    from cornu_parallel import multi_gpu_model

    ref, model = _model("cuda:0"), _model("cuda:0")
    rep = multi_gpu_model(model, gpus=2, cpu_relocation=relocate)
    x, y = torch.randn(batch, 3), torch.randn(batch, 2)
    out = rep(x.cuda(0))
    assert out.device.type == "cpu"  # cpu_merge=True
    torch.testing.assert_close(out, ref(x.cuda(0)).cpu(), rtol=1e-5, atol=1e-5)
    for net, params in ((ref, ref.parameters()), (rep, model.parameters())):
        opt = torch.optim.SGD(params, lr=0.1)
        loss = torch.mean((net(x.cuda(0)).cpu() - y) ** 2)
        loss.backward()
        opt.step()
    for a, b in zip(ref.parameters(), model.parameters()):
        torch.testing.assert_close(a.cpu(), b.cpu(), rtol=1e-5, atol=1e-5)
    assert list(rep.state_dict()) == list(ref.state_dict())
