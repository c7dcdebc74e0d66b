# SPDX-License-Identifier: Apache-2.0
"""``cornu_parallel.replicate`` beside each framework's native data-parallel path, CPU devices.

For 2 and 4 (virtual) CPU devices, the same MLP and batch, forward and forward+backward:
- torch: the DataParallel recipe done by hand, since torch's ``replicate``/``parallel_apply``
  refuse CPU devices: ``x.chunk(n)`` -> module per chunk -> ``torch.cat``;
- JAX: one ``jax.jit`` with the batch sharded over the mesh (``NamedSharding``) and the result
  gathered on device 0 (what ``replicate``'s merge does); fwd+bwd is ``jax.jit(jax.grad(...))``
  around both, fed the same batch already sharded (as a loader with prefetch would);
- TensorFlow: ``MirroredStrategy(devices).run`` on per-replica parts and ``strategy.gather``
  (fwd) or ``strategy.reduce`` of the gradients (fwd+bwd: one gradient per variable, as
  ``replicate`` gives), eagerly and inside a ``tf.function`` (``replicate`` inside one too).
Each framework runs in its own subprocess (virtual devices must be set before it starts).
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys

from harness import Row, timeit

TITLE = "replicate vs native data parallel on virtual CPU devices (median per step)"
BATCH, DIM, HIDDEN, OUT = 512, 64, 256, 16


def _child(framework: str, n: int, quick: bool) -> list[dict]:
    import numpy as np

    rng = np.random.RandomState(0)
    x_np = rng.randn(BATCH, DIM).astype("float32")
    y_np = rng.randn(BATCH, OUT).astype("float32")
    repeat = 5 if quick else 15
    rows = []

    def add(case, cornu_fn, ref_fn, ref_name):
        # Interleaved, so load from other processes hits both sides alike; medians of each.
        timeit(cornu_fn, repeat=1, warmup=2)
        timeit(ref_fn, repeat=1, warmup=2)
        ours, theirs = [], []
        for _ in range(repeat):
            ours.append(timeit(cornu_fn, repeat=1, warmup=0))
            theirs.append(timeit(ref_fn, repeat=1, warmup=0))
        rows.append({
            "case": f"{framework} n={n} {case}",
            "cornu": statistics.median(ours) * 1000,
            "reference": statistics.median(theirs) * 1000,
            "reference_name": ref_name,
        })

    from cornu_parallel import replicate

    if framework == "torch":
        import torch

        # One intra-op thread: on a shared 2-core machine OpenMP's spinning threads turn both
        # sides' timings into noise; the comparison (same work either way) is what matters.
        torch.set_num_threads(1)
        torch.manual_seed(0)
        model = torch.nn.Sequential(
            torch.nn.Linear(DIM, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, HIDDEN),
            torch.nn.ReLU(), torch.nn.Linear(HIDDEN, OUT),
        )
        x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
        rep = replicate(model, devices=["cpu:0"] * n)

        def native(inp):
            return torch.cat([model(c) for c in inp.chunk(n)])

        def fwd(f):
            def go():
                with torch.no_grad():
                    f(x)
            return go

        def fwd_bwd(f):
            def go():
                model.zero_grad()
                torch.mean((f(x) - y) ** 2).backward()
            return go

        name = "chunk/apply/cat (DataParallel recipe)"
        add("forward", fwd(rep), fwd(native), name)
        add("forward+backward", fwd_bwd(rep), fwd_bwd(native), name)
    elif framework == "jax":
        import jax
        import jax.numpy as jnp
        from jax.sharding import Mesh, NamedSharding, PartitionSpec

        def apply(p, xb):
            h = jax.nn.relu(xb @ p["w1"] + p["b1"])
            h = jax.nn.relu(h @ p["w2"] + p["b2"])
            return h @ p["w3"] + p["b3"]

        k = iter(rng.randn(10, HIDDEN, HIDDEN).astype("float32") * 0.05)
        params = {
            "w1": jnp.asarray(next(k)[:DIM]), "b1": jnp.zeros(HIDDEN), "w2": jnp.asarray(next(k)),
            "b2": jnp.zeros(HIDDEN), "w3": jnp.asarray(next(k)[:, :OUT]), "b3": jnp.zeros(OUT),
        }
        devices = jax.devices()[:n]
        rep = replicate((apply, params), devices=[f"cpu:{i}" for i in range(n)])
        mesh = Mesh(np.asarray(devices), ("batch",))
        sharded, replicated = NamedSharding(mesh, PartitionSpec("batch")), NamedSharding(mesh, PartitionSpec())
        native_jit = jax.jit(apply)
        params_r = jax.device_put(params, replicated)

        def native(p, xb):
            return jax.device_put(native_jit(p, jax.device_put(xb, sharded)), devices[0])

        ours_grad = jax.jit(jax.grad(lambda p, xb, yb: jnp.mean((rep.apply(p, xb) - yb) ** 2)))
        ref_grad = jax.jit(
            jax.grad(lambda p, xb, yb: jnp.mean((apply(p, xb) - yb) ** 2)),
            in_shardings=(replicated, sharded, sharded),
        )
        name = "jit over NamedSharding mesh"
        add("forward", lambda: rep(x_np).block_until_ready(), lambda: native(params_r, x_np).block_until_ready(), name)
        # A training loop's loader puts batches in place ahead of the step, for both sides alike.
        xs, ys = jax.device_put(x_np, rep.sharding), jax.device_put(y_np, rep.sharding)
        add(
            "forward+backward",
            lambda: jax.block_until_ready(ours_grad(params_r, xs, ys)),
            lambda: jax.block_until_ready(ref_grad(params_r, xs, ys)),
            name + " (jit(grad), batch pre-sharded)",
        )
    else:
        import tensorflow as tf

        class MLP(tf.Module):
            def __init__(self):
                init = tf.random.stateless_normal
                self.w1 = tf.Variable(init((DIM, HIDDEN), (1, 2)) * 0.05)
                self.w2 = tf.Variable(init((HIDDEN, HIDDEN), (1, 3)) * 0.05)
                self.w3 = tf.Variable(init((HIDDEN, OUT), (1, 4)) * 0.05)

            def __call__(self, xb):
                return tf.nn.relu(tf.nn.relu(xb @ self.w1) @ self.w2) @ self.w3

        names = [f"/cpu:{i}" for i in range(n)]
        strategy = tf.distribute.MirroredStrategy(names)
        with strategy.scope():
            mirrored = MLP()
        model = MLP()
        rep = replicate(model, devices=[f"cpu:{i}" for i in range(n)])
        x, y = tf.constant(x_np), tf.constant(y_np)
        step = BATCH // n

        def parts(t):
            return strategy.experimental_distribute_values_from_function(
                lambda ctx: t[ctx.replica_id_in_sync_group * step:(ctx.replica_id_in_sync_group + 1) * step]
            )

        def native_fwd():
            return strategy.gather(strategy.run(mirrored, args=(parts(x),)), axis=0)

        def native_step():
            def replica(xb, yb):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean((mirrored(xb) - yb) ** 2)
                return tape.gradient(loss, mirrored.trainable_variables)

            grads = strategy.run(replica, args=(parts(x), parts(y)))
            # one gradient per variable, as replicate's tape gives (summed over replicas)
            return [strategy.reduce(tf.distribute.ReduceOp.SUM, g, axis=None) for g in grads]

        def ours_step():
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((rep(x) - y) ** 2)
            return tape.gradient(loss, model.trainable_variables)

        name = "MirroredStrategy.run + gather"
        add("forward (eager)", lambda: rep(x).numpy(), lambda: native_fwd().numpy(), name)
        add("forward+backward (eager)", ours_step, native_step, name)
        ours_f, ref_f = tf.function(lambda: rep(x)), tf.function(native_fwd)
        add("forward (tf.function)", lambda: ours_f().numpy(), lambda: ref_f().numpy(), name)
        add("forward+backward (tf.function)", tf.function(ours_step), tf.function(native_step), name)
    return rows


def run(args, rest) -> list[Row]:
    """All three frameworks; ``--only=jax`` (or torch, tensorflow) runs one."""
    only = [a.split("=", 1)[1] for a in rest if a.startswith("--only=")]
    rows = []
    for framework in ("torch", "jax", "tensorflow"):
        if importlib.util.find_spec(framework) is None or (only and framework not in only):
            continue
        for n in (2, 4):
            env = dict(os.environ, CORNU_BACKEND=framework, TF_CPP_MIN_LOG_LEVEL="3")
            if framework == "jax":
                env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={n}"
            cmd = [sys.executable, __file__, "--child", framework, str(n), "1" if args.quick else "0"]
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                print(proc.stderr[-2000:], file=sys.stderr)
                continue
            for r in json.loads(proc.stdout.strip().splitlines()[-1]):
                rows.append(Row(r["case"], r["cornu"], r["reference"], r["reference_name"], "ms"))
    return rows


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "--child":
    fw, count, quick_flag = sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
    if fw == "tensorflow":
        import tensorflow as _tf

        _cpu = _tf.config.list_physical_devices("CPU")[0]
        _tf.config.set_logical_device_configuration(_cpu, [_tf.config.LogicalDeviceConfiguration()] * count)
    print(json.dumps(_child(fw, count, quick_flag)))
