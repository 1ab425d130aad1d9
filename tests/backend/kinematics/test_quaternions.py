from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from posestudio.kinematics import quaternions as q

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
vectors = arrays(np.float64, (3,), elements=finite)
quats = arrays(np.float64, (4,), elements=finite).filter(lambda v: np.linalg.norm(v) > 1e-3)


def same_rotation(a: np.ndarray, b: np.ndarray, tol: float = 1e-9) -> bool:
    return bool(abs(abs(float(np.dot(q.normalize(a), q.normalize(b)))) - 1) < tol)


@settings(max_examples=80)
@given(quats)
def test_matrix_round_trip(raw: np.ndarray) -> None:
    rotation = q.normalize(raw)
    back = q.from_matrix(q.to_matrix(rotation))
    assert same_rotation(back, rotation)
    assert back[3] >= 0


@settings(max_examples=80)
@given(vectors, vectors)
def test_between_takes_a_onto_b(a: np.ndarray, b: np.ndarray) -> None:
    ua, ub = q.unit(a, q.AXES[0]), q.unit(b, q.AXES[1])
    rotation = q.between(ua, ub)
    assert np.allclose(q.rotate(rotation, ua), ub, atol=1e-6)
    assert np.isfinite(rotation).all()


def test_between_opposite_and_zero_vectors_gives_a_rotation() -> None:
    ex = np.array([1.0, 0, 0])
    assert np.allclose(q.rotate(q.between(ex, -ex), ex), -ex)
    assert np.isfinite(q.between(np.zeros(3), ex)).all()


@settings(max_examples=80)
@given(quats, quats, st.floats(0, 1))
def test_slerp_ends_and_middle(a: np.ndarray, b: np.ndarray, t: float) -> None:
    a, b = q.normalize(a), q.normalize(b)
    assert same_rotation(q.slerp(a, b, 0.0), a)
    assert same_rotation(q.slerp(a, b, 1.0), b, 1e-7)
    total = q.angle(q.mul(q.conj(a), b))
    part = q.angle(q.mul(q.conj(a), q.slerp(a, b, t)))
    assert abs(part - t * total) < 1e-6


@settings(max_examples=80)
@given(quats, vectors)
def test_swing_twist_recomposes(raw: np.ndarray, axis: np.ndarray) -> None:
    rotation = q.normalize(raw)
    axis = q.unit(axis, q.AXES[1])
    swing, twist = q.swing_twist(rotation, axis)
    assert abs(float(np.dot(swing, axis))) < 1e-6
    assert same_rotation(q.mul(q.from_rotvec(swing), q.about(axis, twist)), rotation, 1e-7)


def test_degenerate_input_stays_finite() -> None:
    bad = np.array([[np.nan, 0, 0, 0], [0, 0, 0, 0], [np.inf, 1, 0, 0]])
    assert np.allclose(q.normalize(bad), q.IDENTITY)
    frames = q.basis(np.zeros((2, 3)), np.zeros((2, 3)), 1, 0)
    assert np.allclose(frames @ np.swapaxes(frames, -1, -2), np.eye(3))
    assert np.allclose(np.linalg.det(frames), 1)
