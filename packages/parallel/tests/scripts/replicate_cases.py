# SPDX-License-Identifier: Apache-2.0
"""Correctness cases of ``replicate`` on one backend, with 4 virtual CPU devices.

Usage: replicate_cases.py BACKEND OUT.json. Run in a fresh process because JAX's
``--xla_force_host_platform_device_count`` and TensorFlow's logical devices must be set before
the framework initialises. Each case is checked here (NumPy asserts, tight tolerance) and
recorded as "ok", "skip: why" or the failure; the pytest side turns each into one test.
JAX needs distinct devices (cpu:0..n-1); torch and NumPy have one CPU device and run n
replicas on it; TensorFlow runs on its logical CPU devices cpu:0..n-1.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback

import numpy as np

BACKEND, OUT = sys.argv[1], sys.argv[2]
NDEV = 4
os.environ["CORNU_BACKEND"] = BACKEND
if BACKEND == "jax":
    os.environ["XLA_FLAGS"] = os.environ.get("XLA_FLAGS", "") + f" --xla_force_host_platform_device_count={NDEV}"
if BACKEND == "tensorflow":
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * NDEV)

from cornu_parallel import replicate  # noqa: E402

TOL = {"rtol": 1e-6, "atol": 1e-6}
RESULTS: dict[str, str] = {}
rng = np.random.RandomState(0)
P = {
    "w1": rng.randn(3, 5).astype("float32") * 0.5,
    "b1": rng.randn(5).astype("float32") * 0.1,
    "w2": rng.randn(5, 2).astype("float32") * 0.5,
    "b2": rng.randn(2).astype("float32") * 0.1,
    "w3": rng.randn(4, 2).astype("float32") * 0.5,
}


def case(name):
    def deco(fn):
        try:
            fn()
            RESULTS[name] = "ok"
        except SkipCase as e:
            RESULTS[name] = f"skip: {e}"
        except Exception:
            RESULTS[name] = traceback.format_exc(limit=6)
        return fn

    return deco


class SkipCase(Exception):
    pass


def devices(n):
    return ["cpu:0"] * n if BACKEND in ("torch", "numpy") else [f"cpu:{i}" for i in range(n)]


def to_np(a):
    detach = getattr(a, "detach", None)
    return np.asarray(detach() if detach is not None else a)


def close(a, b):
    np.testing.assert_allclose(to_np(a), to_np(b), **TOL)


# --- per-backend kit: the template, arrays in, arrays out, one SGD step ---------------------


def mlp_np(p, x):
    return np.tanh(x @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]


if BACKEND == "numpy":

    def make():
        return (lambda p, x: mlp_np(p, x), {k: v.copy() for k, v in P.items()})

    def single(m, x):
        return m[0](m[1], x)

    def arr(x):
        return x

    def multi_model():
        def fn(p, xs, extra, scale=1.0):
            h = np.tanh(xs[0] @ p["w1"] + p["b1"])
            return {"a": h @ p["w2"] * scale, "pair": (extra["z"] @ p["w3"], h)}

        return fn, {k: v.copy() for k, v in P.items()}

elif BACKEND == "torch":
    import torch

    class MLP(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.l1, self.l2 = torch.nn.Linear(3, 5), torch.nn.Linear(5, 2)
            self.l3 = torch.nn.Linear(4, 2, bias=False)
            with torch.no_grad():
                self.l1.weight.copy_(torch.from_numpy(P["w1"].T.copy()))
                self.l1.bias.copy_(torch.from_numpy(P["b1"]))
                self.l2.weight.copy_(torch.from_numpy(P["w2"].T.copy()))
                self.l2.bias.copy_(torch.from_numpy(P["b2"]))
                self.l3.weight.copy_(torch.from_numpy(P["w3"].T.copy()))

        def forward(self, x):
            return self.l2(torch.tanh(self.l1(x)))

    class Multi(MLP):
        def forward(self, xs, extra, scale=1.0):
            h = torch.tanh(self.l1(xs[0]))
            return {"a": (self.l2(h) - self.l2.bias) * scale, "pair": (self.l3(extra["z"]), h)}

    def make():
        return MLP()

    def single(m, x):
        return m(x)

    def arr(x):
        return torch.from_numpy(np.ascontiguousarray(x))

    def multi_model():
        return Multi()

elif BACKEND == "jax":
    import jax
    import jax.numpy as jnp

    def apply(p, x):
        return jnp.tanh(x @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]

    def make():
        return (apply, {k: jnp.asarray(v) for k, v in P.items()})

    def single(m, x):
        return m[0](m[1], x)

    def arr(x):
        return jnp.asarray(x)

    def multi_model():
        def fn(p, xs, extra, scale=1.0):
            h = jnp.tanh(xs[0] @ p["w1"] + p["b1"])
            return {"a": h @ p["w2"] * scale, "pair": (extra["z"] @ p["w3"], h)}

        return fn, {k: jnp.asarray(v) for k, v in P.items()}

elif BACKEND == "tensorflow":

    class TFMLP(tf.Module):
        def __init__(self):
            self.p = {k: tf.Variable(v, name=k) for k, v in P.items()}

        def __call__(self, x):
            return tf.tanh(x @ self.p["w1"] + self.p["b1"]) @ self.p["w2"] + self.p["b2"]

    class TFMulti(TFMLP):
        def __call__(self, xs, extra, scale=1.0):
            h = tf.tanh(xs[0] @ self.p["w1"] + self.p["b1"])
            return {"a": h @ self.p["w2"] * scale, "pair": (extra["z"] @ self.p["w3"], h)}

    def make():
        return TFMLP()

    def single(m, x):
        return m(x)

    def arr(x):
        return tf.constant(x)

    def multi_model():
        return TFMulti()

else:
    raise SystemExit(f"unknown backend {BACKEND}")


def multi_single(m, *a, **k):
    return m[0](m[1], *a, **k) if isinstance(m, tuple) else m(*a, **k)


# --- cases --------------------------------------------------------------------------------

for n in (2, 3, 4):
    model_n = make()
    rep_n = replicate(model_n, devices=devices(n))  # one replicated model, many batch sizes
    for batch in sorted({0, 1, n - 1, 7, 4 * n}):

        @case(f"outputs/n={n}/batch={batch}")
        def _outputs(n=n, batch=batch, model=model_n, rep=rep_n):
            x = rng.randn(batch, 3).astype("float32")
            out = rep(arr(x))
            assert tuple(out.shape) == (batch, 2), out.shape
            close(out, mlp_np(P, x))
            close(out, single(model, arr(x)))

    @case(f"multi_io/n={n}")
    def _multi(n=n):
        model = multi_model()
        x, z = rng.randn(7, 3).astype("float32"), rng.randn(7, 4).astype("float32")
        rep = replicate(model, devices=devices(n))
        out = rep((arr(x),), {"z": arr(z)}, scale=2.0)
        ref = multi_single(model, (arr(x),), {"z": arr(z)}, scale=2.0)
        assert set(out) == {"a", "pair"}, out
        assert isinstance(out["pair"], tuple), out
        close(out["a"], ref["a"])
        close(out["pair"][0], ref["pair"][0])
        close(out["pair"][1], ref["pair"][1])
        close(out["pair"][0], z @ P["w3"])

    @case(f"train_step/n={n}")
    def _train(n=n):
        x, y = rng.randn(7, 3).astype("float32"), rng.randn(7, 2).astype("float32")
        lr = 0.1
        if BACKEND == "numpy":
            raise SkipCase("NumPy has no autodiff; the other backends check the training step")
        if BACKEND == "torch":
            ref, m = make(), make()
            rep = replicate(m, devices=devices(n))
            for net, model in ((ref, ref), (rep, m)):
                opt = torch.optim.SGD(model.parameters(), lr=lr)
                loss = torch.mean((net(arr(x)) - arr(y)) ** 2)
                loss.backward()
                opt.step()
            for a, b in zip(ref.parameters(), m.parameters()):
                close(a.detach(), b.detach())
            assert any(float(abs(a - P["w1"].T).max()) > 1e-4 for a in [m.l1.weight.detach().numpy()])
        elif BACKEND == "jax":
            apply_fn, params = make()
            rep = replicate((apply_fn, params), devices=devices(n))

            def loss(f):
                return lambda p: jnp.mean((f(p, x) - y) ** 2)

            g_ref = jax.grad(loss(apply_fn))(params)
            g_rep = jax.grad(loss(rep.apply))(params)
            g_jit = jax.jit(jax.grad(loss(rep.apply)))(params)  # traced inside the caller's jit
            for k in P:
                close(g_jit[k], g_ref[k])
            rep.params = jax.tree_util.tree_map(lambda p, g: p - lr * g, rep.params, g_rep)
            new_ref = jax.tree_util.tree_map(lambda p, g: p - lr * g, params, g_ref)
            for k in P:
                close(rep.params[k], new_ref[k])
            close(rep.model[1]["w1"], new_ref["w1"])
        else:
            ref, m = make(), make()
            rep = replicate(m, devices=devices(n))
            for net, model in ((ref, ref), (rep, m)):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean((net(arr(x)) - arr(y)) ** 2)
                used = [model.p[k] for k in ("w1", "b1", "w2", "b2")]
                for v, g in zip(used, tape.gradient(loss, used)):
                    assert g is not None, v.name
                    v.assign_sub(lr * g)
            for a, b in zip(ref.trainable_variables, m.trainable_variables):
                close(a, b)

    @case(f"save_load/n={n}")
    def _save(n=n):
        tmp = tempfile.mkdtemp()
        x = rng.randn(5, 3).astype("float32")
        if BACKEND == "torch":
            m = make()
            with torch.no_grad():
                m.l1.weight.mul_(2.0)
            rep = replicate(m, devices=devices(n))
            path = os.path.join(tmp, "w.pt")
            torch.save(rep.state_dict(), path)
            fresh = make()
            fresh.load_state_dict(torch.load(path))  # strict: no "module." prefix
            assert list(rep.state_dict()) == list(fresh.state_dict())
            close(fresh(arr(x)).detach(), rep(arr(x)).detach())
            again = make()
            again_rep = replicate(again, devices=devices(n))
            again_rep.set_weights(rep.get_weights())
            close(again.l1.weight.detach(), m.l1.weight.detach())
        elif BACKEND == "jax":
            apply_fn, params = make()
            rep = replicate((apply_fn, params), devices=devices(n))
            rep.params = {**rep.params, "w1": rep.params["w1"] * 2}
            path = os.path.join(tmp, "w.npz")
            np.savez(path, *rep.get_weights())
            loaded = np.load(path)
            leaves, treedef = jax.tree_util.tree_flatten(params)
            restored = jax.tree_util.tree_unflatten(treedef, [loaded[f"arr_{i}"] for i in range(len(leaves))])
            close(apply_fn(restored, x), rep(x))
            assert jax.tree_util.tree_structure(rep.state_dict()) == treedef
        elif BACKEND == "tensorflow":
            m = make()
            m.p["w1"].assign(m.p["w1"] * 2)
            rep = replicate(m, devices=devices(n))
            prefix = tf.train.Checkpoint(model=rep.model).save(os.path.join(tmp, "ckpt"))
            fresh = make()
            tf.train.Checkpoint(model=fresh).restore(prefix).assert_consumed()
            close(fresh(arr(x)), rep(arr(x)))
            other = make()
            replicate(other, devices=devices(n)).set_weights(rep.get_weights())
            close(other(arr(x)), rep(arr(x)))
        else:
            model = make()
            rep = replicate(model, devices=devices(n))
            w = rep.get_weights()
            rep.set_weights([a * 2 for a in w])
            close(rep.params["w1"], P["w1"] * 2)

    @case(f"split_per_device/n={n}")
    def _split(n=n):
        batch = 10
        expected = [batch // n] * (n - 1) + [batch - (batch // n) * (n - 1)]
        seen = []
        if BACKEND == "jax":
            from jax.sharding import NamedSharding

            def probe(p, x):
                jax.debug.inspect_array_sharding(x, callback=seen.append)
                return x * p

            rep = replicate((probe, jnp.float32(2.0)), devices=devices(n))
            x = np.arange(batch * 2, dtype="float32").reshape(batch, 2)
            close(rep(x), x * 2)
            sharding = seen[0]
            assert isinstance(sharding, NamedSharding), sharding
            assert sharding.mesh.size == n, sharding
            slot = max(expected)
            shards = sharding.devices_indices_map((slot * n, 2))
            rows = sorted((idx[0].start or 0, idx[0].stop) for idx in shards.values())
            assert rows == [(k * slot, (k + 1) * slot) for k in range(n)], rows
            return
        if BACKEND == "torch":

            class Probe(torch.nn.Module):
                def forward(self, x):
                    seen.append((x.shape[0], str(x.device)))
                    return x * 2

            model = Probe()
        elif BACKEND == "tensorflow":

            class Probe(tf.Module):
                def __call__(self, x):
                    y = tf.identity(x)
                    seen.append((int(x.shape[0]), y.device.split("device:")[-1].lower()))
                    return x * 2

            model = Probe()
        else:

            def model(x):
                seen.append((x.shape[0], "cpu:0"))
                return x * 2

        x = np.arange(batch * 2, dtype="float32").reshape(batch, 2)
        out = replicate(model, devices=devices(n))(arr(x))
        close(out, x * 2)
        assert [s for s, _ in seen] == expected, seen
        if BACKEND == "tensorflow":
            assert [d for _, d in seen] == [f"cpu:{i}" for i in range(n)], seen

    @case(f"merge_device/n={n}")
    def _merge(n=n):
        x = rng.randn(6, 3).astype("float32")
        if BACKEND in ("numpy", "torch"):
            out = replicate(make(), devices=devices(n), merge_device=None)(arr(x))
            close(out, mlp_np(P, x))
            return
        last = f"cpu:{n - 1}"
        rep = replicate(make(), devices=[*devices(n)[1:], "cpu:0"], merge_device=None)
        out = rep(arr(x))
        close(out, mlp_np(P, x))
        out2 = replicate(make(), devices=devices(n), merge_device=last)(arr(x))
        close(out2, mlp_np(P, x))
        if BACKEND == "jax":
            assert out.devices() == {jax.devices()[1]}, out.devices()
            assert out2.devices() == {jax.devices()[n - 1]}, out2.devices()
        else:
            assert out.device.endswith("CPU:1"), out.device
            assert out2.device.endswith(f"CPU:{n - 1}"), out2.device

    @case(f"relocate/n={n}")
    def _relocate(n=n):
        x = rng.randn(5, 3).astype("float32")
        rep = replicate(make(), devices=devices(n), relocate=True)
        close(rep(arr(x)), mlp_np(P, x))
        if BACKEND == "jax":
            assert all(leaf.devices() == {jax.devices()[0]} for leaf in jax.tree_util.tree_leaves(rep.params))


@case("keras_model/save_weights")
def _keras():
    if BACKEND != "tensorflow":
        raise SkipCase("Keras models are checked on the tensorflow backend")
    try:
        import h5py  # noqa: F401
        import keras
    except ImportError as e:
        raise SkipCase(f"keras/h5py not installed: {e}") from None

    def build():
        inp = keras.Input((3,))
        return keras.Model(inp, keras.layers.Dense(2, name="out")(keras.layers.Dense(5, activation="tanh")(inp)))

    model = build()
    rep = replicate(model, devices=devices(3), relocate=True)
    x = rng.randn(7, 3).astype("float32")
    close(rep(x), model(x))
    path = os.path.join(tempfile.mkdtemp(), "m.weights.h5")
    rep.save_weights(path)
    fresh = build()
    fresh.load_weights(path)
    close(fresh(x), rep(x))
    assert len(rep.get_weights()) == 4


with open(OUT, "w") as f:
    json.dump(RESULTS, f)
print(json.dumps({k: v[:60] for k, v in RESULTS.items()}, indent=0))
