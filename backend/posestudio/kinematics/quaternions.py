"""Vectorised rotation maths: unit quaternions as [x, y, z, w] on the last axis.

Every function takes arrays of any leading shape and never produces NaN: degenerate
input (zero vectors, opposite directions, non-unit quaternions) falls back to a
defined answer instead of dividing by zero.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

EPS = 1e-9
IDENTITY = np.array([0.0, 0.0, 0.0, 1.0])
AXES = np.eye(3)


def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dot product over the last axis, keeping it (shape ..., 1)."""
    return np.asarray(np.sum(a * b, axis=-1, keepdims=True))


def unit(v: np.ndarray, fallback: np.ndarray | Callable[[], np.ndarray]) -> np.ndarray:
    """v / |v| over the last axis; `fallback` (an array, or a function computing it only
    when needed) where |v| is ~0 or not finite."""
    n = np.sqrt(np.sum(v * v, axis=-1, keepdims=True))
    ok = (n > EPS) & (n < np.inf)
    if ok.all():
        return np.asarray(v / n)
    other = fallback() if callable(fallback) else fallback
    return np.where(ok, v / np.where(ok, n, 1.0), other)


def cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross product over the last axis (np.cross costs several times more per call)."""
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    x = a1 * b2 - a2 * b1
    out = np.empty((*x.shape, 3))
    out[..., 0] = x
    out[..., 1] = a2 * b0 - a0 * b2
    out[..., 2] = a0 * b1 - a1 * b0
    return out


def perpendicular(a: np.ndarray) -> np.ndarray:
    """Some unit vector perpendicular to each unit vector a."""
    other = np.where(np.abs(a[..., :1]) < 0.9, AXES[0], AXES[1])
    return unit(cross(a, other), AXES[2])


def reject(v: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """The part of v perpendicular to the unit vector `axis`."""
    return np.asarray(v - dot(v, axis) * axis)


def basis(primary: np.ndarray, hint: np.ndarray, i: int, j: int) -> np.ndarray:
    """A rotation matrix whose column i is along `primary` and column j in the
    plane of `primary` and `hint` (Gram-Schmidt); the third column makes it right-handed."""
    primary, hint = np.broadcast_arrays(primary, hint)
    a = unit(primary, AXES[i])
    b = unit(reject(hint, a), lambda: perpendicular(a))
    c = cross(a, b) if (j - i) % 3 == 1 else cross(b, a)
    k = 3 - i - j
    cols: list[np.ndarray] = [a, a, a]
    cols[i], cols[j], cols[k] = a, b, c
    return np.stack(cols, axis=-1)


def normalize(q: np.ndarray) -> np.ndarray:
    return unit(q, IDENTITY)


def conj(q: np.ndarray) -> np.ndarray:
    return np.asarray(q * np.array([-1.0, -1.0, -1.0, 1.0]))


def mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product a * b (apply b, then a)."""
    ax, ay, az, aw = a[..., 0], a[..., 1], a[..., 2], a[..., 3]
    bx, by, bz, bw = b[..., 0], b[..., 1], b[..., 2], b[..., 3]
    x = aw * bx + ax * bw + ay * bz - az * by
    out = np.empty((*x.shape, 4))
    out[..., 0] = x
    out[..., 1] = aw * by - ax * bz + ay * bw + az * bx
    out[..., 2] = aw * bz + ax * by - ay * bx + az * bw
    out[..., 3] = aw * bw - ax * bx - ay * by - az * bz
    return out


def rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The vector v rotated by q."""
    u, w = q[..., :3], q[..., 3:]
    t = 2.0 * cross(u, v)
    return np.asarray(v + w * t + cross(u, t))


def to_matrix(q: np.ndarray) -> np.ndarray:
    x, y, z, w = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    return np.stack(
        [
            np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
            np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
            np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
        ],
        axis=-2,
    )


def _shepperd() -> tuple[np.ndarray, np.ndarray]:
    """Shepperd's four candidate quaternions (rows, each 4x its norm) as one linear map of
    a matrix's nine entries: candidates = entries @ linear + constant."""
    linear, constant = np.zeros((3, 3, 4, 4)), np.zeros((4, 4))
    rows = {
        0: [{(0, 0): 1, (1, 1): -1, (2, 2): -1}, {(0, 1): 1, (1, 0): 1}, {(0, 2): 1, (2, 0): 1},
            {(2, 1): 1, (1, 2): -1}],
        1: [{(0, 1): 1, (1, 0): 1}, {(0, 0): -1, (1, 1): 1, (2, 2): -1}, {(1, 2): 1, (2, 1): 1},
            {(0, 2): 1, (2, 0): -1}],
        2: [{(0, 2): 1, (2, 0): 1}, {(1, 2): 1, (2, 1): 1}, {(0, 0): -1, (1, 1): -1, (2, 2): 1},
            {(1, 0): 1, (0, 1): -1}],
        3: [{(2, 1): 1, (1, 2): -1}, {(0, 2): 1, (2, 0): -1}, {(1, 0): 1, (0, 1): -1},
            {(0, 0): 1, (1, 1): 1, (2, 2): 1}],
    }  # fmt: skip
    for r, entries in rows.items():
        constant[r, r] = 1.0
        for c, terms in enumerate(entries):
            for (i, j), sign in terms.items():
                linear[i, j, r, c] = sign
    return linear.reshape(9, 16), constant.reshape(16)


_LINEAR, _CONSTANT = _shepperd()
_DIAGONAL = (np.arange(4), np.arange(4))


def from_matrix(m: np.ndarray) -> np.ndarray:
    """Quaternions of rotation matrices (Shepperd: the best-conditioned of four forms)."""
    lead = m.shape[:-2]
    candidates = (m.reshape(-1, 9) @ _LINEAR + _CONSTANT).reshape(-1, 4, 4)
    diagonal = candidates[:, _DIAGONAL[0], _DIAGONAL[1]]
    pick = np.argmax(np.where(np.isnan(diagonal), 0.0, diagonal), axis=-1)
    q = candidates[np.arange(len(candidates)), pick].reshape(*lead, 4)
    return positive(normalize(q))


def positive(q: np.ndarray) -> np.ndarray:
    """The same rotations with w >= 0 (one of the two quaternions of each)."""
    return np.where(q[..., 3:] < 0, -q, q)


def between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The shortest rotation taking unit vector a onto unit vector b."""
    a, b = np.broadcast_arrays(a, b)
    w = 1.0 + dot(a, b)
    rotation = normalize(np.concatenate([cross(a, b), w], axis=-1))
    if (w > 1e-6).all():
        return rotation
    opposite = np.concatenate([perpendicular(a), np.zeros_like(w)], axis=-1)
    return np.where(w > 1e-6, rotation, opposite)


def from_rotvec(v: np.ndarray) -> np.ndarray:
    """Quaternions of rotation vectors (axis times angle in radians)."""
    angle = np.linalg.norm(v, axis=-1, keepdims=True)
    # sin(angle/2)/angle, with its limit 1/2 at 0.
    k = np.where(angle > 1e-8, np.sin(angle / 2) / np.maximum(angle, 1e-8), 0.5)
    return np.concatenate([v * k, np.cos(angle / 2)], axis=-1)


def to_rotvec(q: np.ndarray) -> np.ndarray:
    """Rotation vectors of quaternions (angles in [0, pi])."""
    q = positive(normalize(q))
    s = np.linalg.norm(q[..., :3], axis=-1, keepdims=True)
    angle = 2.0 * np.arctan2(s, q[..., 3:])
    k = np.where(s > 1e-8, angle / np.maximum(s, 1e-8), 2.0)
    return np.asarray(q[..., :3] * k)


def angle(q: np.ndarray) -> np.ndarray:
    """Rotation angle in [0, pi] of each quaternion (shape without the last axis)."""
    q = positive(normalize(q))
    return 2.0 * np.arctan2(np.linalg.norm(q[..., :3], axis=-1), q[..., 3])


def about(axis: np.ndarray, radians: np.ndarray | float) -> np.ndarray:
    """Rotation by `radians` about the unit `axis`."""
    return from_rotvec(axis * np.asarray(radians)[..., None])


def slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray | float) -> np.ndarray:
    """Spherical interpolation from a (t=0) to b (t=1), the short way round."""
    rel = mul(conj(a), b)
    t_arr = np.asarray(t)
    step = to_rotvec(rel) * (t_arr[..., None] if t_arr.ndim else t_arr)
    return normalize(mul(a, from_rotvec(step)))


def twist_angle(q: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """The angle in (-pi, pi] of q's rotation about the unit `axis` (swing-twist)."""
    q = positive(q)
    return 2.0 * np.arctan2(np.sum(q[..., :3] * axis, axis=-1), q[..., 3])


def swing_twist(q: np.ndarray, axis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """q = swing * twist, twist about `axis`: returns (swing rotation vector, twist angle).

    The swing's rotation vector is perpendicular to `axis`.
    """
    phi = twist_angle(q, axis)
    swing = mul(q, conj(about(axis, phi)))
    return reject(to_rotvec(swing), axis), phi
