# SPDX-License-Identifier: Apache-2.0
"""One worker of the distributed tests: train a small model a few steps on its shard.

Usage: dist_worker.py BACKEND RANK WORLD PORTS OUT.npz   (PORTS: comma-separated, RANK -1 for
the single-process reference on the full batch). The environment is set the way each
framework's launcher sets it; the worker then only calls cornu_parallel.distributed.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

backend, rank, world, ports, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
ports = ports.split(",")
single = rank < 0
os.environ["CORNU_BACKEND"] = backend
if not single:
    if backend == "torch":
        os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), MASTER_ADDR="127.0.0.1", MASTER_PORT=ports[0])
    elif backend == "jax":
        os.environ.update(
            JAX_COORDINATOR_ADDRESS=f"127.0.0.1:{ports[0]}", JAX_NUM_PROCESSES=str(world), JAX_PROCESS_ID=str(rank)
        )
    elif backend == "tensorflow":
        cluster = {"worker": [f"127.0.0.1:{p}" for p in ports[:world]]}
        os.environ["TF_CONFIG"] = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": rank}})

from cornu_parallel import distributed  # noqa: E402

STEPS, LR = 3, 0.1
rng = np.random.RandomState(0)
W1, B1 = rng.randn(3, 4).astype("float32") * 0.5, rng.randn(4).astype("float32") * 0.1
W2, B2 = rng.randn(4, 2).astype("float32") * 0.5, rng.randn(2).astype("float32") * 0.1
X, Y = rng.randn(8, 3).astype("float32"), rng.randn(8, 2).astype("float32")

if single:
    x, y = X, Y
else:
    distributed.initialize()
    assert distributed.is_initialized()
    assert (distributed.rank(), distributed.world_size()) == (rank, world), (distributed.rank(), distributed.world_size())
    x, y = distributed.shard((X, Y))
result = {}

if backend == "torch":
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    with torch.no_grad():
        for p, v in zip(model.parameters(), (W1.T, B1, W2.T, B2)):
            p.copy_(torch.from_numpy(np.ascontiguousarray(v)))
    net = model if single else distributed.wrap(model)
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    for _ in range(STEPS):
        opt.zero_grad()
        loss = torch.mean((net(torch.from_numpy(x)) - torch.from_numpy(y)) ** 2)
        loss.backward()
        opt.step()
    state = net.state_dict()
    result["keys"] = np.array(sorted(state))
    weights = [state[k].numpy() for k in sorted(state)]
elif backend == "jax":
    import jax
    import jax.numpy as jnp

    def apply(p, x):
        return jnp.tanh(x @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]

    def step(p, x, y):
        grads = jax.grad(lambda q: jnp.mean((apply(q, x) - y) ** 2))(p)
        return jax.tree_util.tree_map(lambda a, g: a - LR * g, p, grads)

    params = {"w1": jnp.asarray(W1), "b1": jnp.asarray(B1), "w2": jnp.asarray(W2), "b2": jnp.asarray(B2)}
    run = jax.jit(step) if single else distributed.wrap(step)
    for _ in range(STEPS):
        params = run(params, x, y)
    model = (apply, params)
    if not single:
        model = distributed.wrap((apply, params))
        result["keys"] = np.array(sorted(model.state_dict()))
    weights = [np.asarray(params[k]) for k in sorted(params)]
elif backend == "tensorflow":
    import tensorflow as tf

    class MLP(tf.Module):
        def __init__(self):
            self.w1, self.b1 = tf.Variable(W1), tf.Variable(B1)
            self.w2, self.b2 = tf.Variable(W2), tf.Variable(B2)

        def __call__(self, x):
            return tf.tanh(x @ self.w1 + self.b1) @ self.w2 + self.b2

    if single:
        model = MLP()
        for _ in range(STEPS):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((model(x) - y) ** 2)
            for v, g in zip(model.trainable_variables, tape.gradient(loss, model.trainable_variables)):
                v.assign_sub(LR * g)
        weights = [v.numpy() for v in (model.b1, model.b2, model.w1, model.w2)]
    else:
        net = distributed.wrap(MLP)
        n = distributed.world_size()

        @tf.function
        def train(xb, yb):
            def replica_step(xb, yb):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean((net(xb) - yb) ** 2) / n
                grads = tape.gradient(loss, net.trainable_variables)
                grads = tf.distribute.get_replica_context().all_reduce("sum", grads)
                for v, g in zip(net.trainable_variables, grads):
                    v.assign_sub(LR * g)

            net.run(replica_step, xb, yb)

        for _ in range(STEPS):
            train(tf.constant(x), tf.constant(y))
        weights = [v.numpy() for v in (net.model.b1, net.model.b2, net.model.w1, net.model.w2)]
        result["n_weights"] = np.array(len(net.get_weights()))
else:
    raise SystemExit(f"unknown backend {backend}")

if not single:
    distributed.barrier()
    distributed.shutdown()
    assert not distributed.is_initialized()
np.savez(out, *weights, **result)
print("done", rank, flush=True)
