"""Checking a drawn pose overlay by its pixels, in the page, independently of the app."""

from __future__ import annotations

from typing import Any

# A JavaScript function for page scripts: the overlay canvas's pixels around the visible
# landmarks (normalised to an image of `width` x `height`, letterboxed into the canvas as
# object-fit: contain, optionally mirrored), and at the grid point farthest from every
# bone. The landmark-to-pixel mapping is written out here again, not taken from the app.
SAMPLE_OVERLAY_FN = """
function sampleOverlay(canvas, landmarks, width, height, mirrored) {
  const BONES = [[0,1],[1,2],[2,3],[3,7],[0,4],[4,5],[5,6],[6,8],[9,10],[11,12],[11,13],
    [13,15],[15,17],[15,19],[15,21],[17,19],[12,14],[14,16],[16,18],[16,20],[16,22],[18,20],
    [11,23],[12,24],[23,24],[23,25],[24,26],[25,27],[26,28],[27,29],[28,30],[29,31],[30,32],
    [27,31],[28,32]];
  const ctx = canvas.getContext('2d');
  const W = canvas.width, H = canvas.height;
  const scale = Math.min(W / width, H / height);
  const ox = (W - width * scale) / 2, oy = (H - height * scale) / 2;
  const r = 3;
  const painted = (x, y) => {
    const data = ctx.getImageData(Math.round(x) - r, Math.round(y) - r, 2 * r + 1, 2 * r + 1).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  };
  const px = ([x, y]) => {
    const left = ox + x * width * scale;
    return [mirrored ? W - left : left, oy + y * height * scale];
  };
  const points = landmarks
    .filter((l) => l[3] > 0.5 && l[0] > 0.02 && l[0] < 0.98 && l[1] > 0.02 && l[1] < 0.98)
    .map(px);
  const hits = points.filter(([x, y]) => painted(x, y) > 0).length;
  // The blank probe: the place farthest from every bone (faded ones too) on a grid.
  const all = landmarks.map(px);
  const segment = (p, a, b) => {
    const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
    const len2 = dx * dx + dy * dy || 1;
    const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
    return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
  };
  let far = [0, 0, -1];
  for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) {
    const p = [r + (i * (W - 2 * r - 1)) / 11, r + (j * (H - 2 * r - 1)) / 11];
    const d = Math.min(...BONES.map(([a, b]) => segment(p, all[a], all[b])));
    if (d > far[2]) far = [p[0], p[1], d];
  }
  return { visible: points.length, hits, blank: painted(far[0], far[1]), farDistance: far[2],
           W, H };
}
"""


def assert_skeleton_drawn(sample: dict[str, Any]) -> None:
    """The overlay is painted at nearly every visible landmark and blank far from the bones."""
    assert sample["visible"] >= 8, sample
    assert sample["hits"] >= 0.9 * sample["visible"], sample
    assert sample["blank"] == 0 and sample["farDistance"] > 30, sample
