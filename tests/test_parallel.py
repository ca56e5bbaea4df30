"""Beyond one machine: Jacobians over executors (threads, processes, a Dask LocalCluster) and Duals
whose payloads are arrays of other libraries (Dask: lazy; array-api-strict: the Array API standard,
standing in for GPU libraries; CuPy where a GPU exists)."""

from __future__ import annotations

import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

import dualdiff as dd
from dualdiff.api import parallel

RNG = np.random.default_rng(5)
X = RNG.uniform(-1.0, 1.0, 60)


def banded(z):
    """Module level: plain pickle can send it."""
    return np.sin(z) * np.roll(z, 1) + z**2 - np.concatenate([z[1:], [0.0]]) * np.exp(-z)


@pytest.mark.parametrize("chunk", [7, 20, 60])
def test_an_executor_gives_the_serial_jacobian_bit_for_bit(chunk):
    serial = dd.jacobian(banded, X, chunk=chunk)
    with ThreadPoolExecutor(2) as pool:
        assert np.array_equal(parallel.jacobian(banded, X, pool, chunk=chunk), serial)
    with ProcessPoolExecutor(2) as pool:
        assert np.array_equal(parallel.jacobian(banded, X, pool, chunk=chunk), serial)
        # a lambda (a closure, even) travels by cloudpickle
        scale = 3.0
        g = lambda z: scale * banded(z)
        assert np.array_equal(parallel.jacobian(g, X, pool, chunk=chunk), dd.jacobian(g, X, chunk=chunk))
    np.testing.assert_allclose(serial, dd.jacobian(banded, X, mode="reverse"), rtol=1e-12, atol=1e-14)


def test_a_function_that_cannot_be_sent_and_a_wrong_executor_are_refused():
    lock = threading.Lock()

    def locked(z):
        with lock:
            return z * z

    with ProcessPoolExecutor(1) as pool, pytest.raises(TypeError, match="cannot be sent to the executor"):
        parallel.jacobian(locked, X, pool)
    with pytest.raises(TypeError, match="concurrent.futures.Executor"):
        parallel.jacobian(banded, X, executor="two workers")  # type: ignore[arg-type]


def test_a_jacobian_over_a_two_worker_local_cluster_is_the_serial_one_bit_for_bit():
    distributed = pytest.importorskip("distributed", reason="the test extra installs dask[distributed]")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            J = parallel.jacobian(lambda z: banded(z) ** 2, X, client.get_executor(), chunk=15)
    assert np.array_equal(J, dd.jacobian(lambda z: banded(z) ** 2, X, chunk=15))


def test_jvp_on_dask_arrays_is_lazy_and_equals_numpy():
    da = pytest.importorskip("dask.array", reason="the test extra installs dask[array]")
    computed = []

    def noted(block):
        computed.append(block.shape)
        return block

    x = da.from_array(X, chunks=20).map_blocks(noted, meta=np.array((), dtype=float))  # meta: no trial call
    v = da.ones(X.shape, chunks=20)
    f = lambda z: np.sin(z) * np.exp(-z) + np.sum(z * z) / np.sqrt(2.0 + z)
    value, tangent = dd.jvp(f, x, v)
    assert isinstance(value, da.Array) and isinstance(tangent, da.Array)
    assert computed == []  # nothing computed until asked
    value.compute()
    assert computed == [(20,)] * 3
    want_value, want_tangent = dd.jvp(f, X, np.ones_like(X))
    np.testing.assert_allclose(value.compute(), want_value, rtol=1e-14)
    np.testing.assert_allclose(tangent.compute(), want_tangent, rtol=1e-14)
    # several directions at once, as for NumPy arrays
    V = da.from_array(np.eye(X.size)[:, :4], chunks=(20, 4))
    np.testing.assert_allclose(dd.jvp(f, x, V)[1].compute(), dd.jvp(f, X, np.eye(X.size)[:, :4])[1], rtol=1e-14)


def test_array_api_arrays_compute_with_their_own_namespace():
    xp = pytest.importorskip("array_api_strict", reason="the test extra installs array-api-strict")
    x, v = xp.asarray(X), xp.ones(X.shape)
    f = lambda z: dd.sin(z) * dd.exp(-z) + dd.tanh(z) / dd.sqrt(2.0 + z) + dd.logaddexp(z, 2.0 * z) + z * z
    value, tangent = dd.jvp(f, x, v)
    assert type(value) is type(x) and type(tangent) is type(x)  # never converted to NumPy
    want = dd.jvp(f, X, np.ones_like(X))
    np.testing.assert_allclose(np.asarray(tangent), want[1], rtol=1e-13)
    np.testing.assert_allclose(np.asarray(value), want[0], rtol=1e-13)


def test_a_function_the_payload_library_lacks_is_named():
    xp = pytest.importorskip("array_api_strict", reason="the test extra installs array-api-strict")
    with pytest.raises(TypeError, match=r"array_api_strict has no function 'heaviside'"):
        dd.jvp(lambda z: dd.heaviside(z, 0.5), xp.asarray(X), xp.ones(X.shape))


def test_cupy_arrays_stay_on_the_gpu():
    cp = pytest.importorskip("cupy", reason="CuPy is not installed (it needs an NVIDIA GPU)")
    try:
        x = cp.asarray(X)
    except Exception as error:  # CuPy without a usable GPU
        pytest.skip(f"no usable GPU: {error}")
    value, tangent = dd.jvp(lambda z: np.sin(z) * z, x, cp.ones_like(x))
    assert isinstance(tangent, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(tangent), np.cos(X) * X + np.sin(X), rtol=1e-12)


def test_numpy_scalars_are_not_taken_for_an_array_api_library():
    # NumPy 2's scalars carry __array_namespace__ too: they are NumPy's, and take NumPy's functions
    assert dd.sqrt(np.float64(4.0)) == 2.0
    assert dd.derivative(np.sqrt, np.float64(4.0)) == 0.25
    np.testing.assert_allclose(dd.gradient(np.linalg.norm, np.array([3.0, 4.0], dtype=np.float64)), [0.6, 0.8], rtol=1e-15)


def test_the_public_jacobian_and_hessian_take_an_executor():
    f = lambda v: np.sum(np.sin(v) * np.roll(v, 1) ** 2)
    with ProcessPoolExecutor(2) as pool:
        assert np.array_equal(dd.jacobian(banded, X, executor=pool, chunk=12), dd.jacobian(banded, X, chunk=12))
        assert np.array_equal(dd.hessian(f, X[:20], executor=pool, chunk=5), dd.hessian(f, X[:20]))
        with pytest.raises(ValueError, match="forward mode"):
            dd.jacobian(banded, X, executor=pool, mode="reverse")
        with pytest.raises(ValueError, match="forward mode"):
            dd.hessian(f, X, executor=pool, sparse=True)
        # a sparse Jacobian sends its compressed directions (its colors) the same way
        S = dd.jacobian(banded, X, sparse=True, executor=pool)
        np.testing.assert_array_equal(S.toarray(), dd.jacobian(banded, X, sparse=True).toarray())
        np.testing.assert_allclose(S.toarray(), dd.jacobian(banded, X), rtol=1e-15, atol=0)
