/** The 2D overlay: bones and joints of one pose, drawn where the video shows them. */
import { toCanvas, visibilityAlpha, type Fit } from "./geometry";
import { BONES, boneSide, sideOf, type Side } from "./skeleton";
import type { Landmark } from "./types";

export interface Palette {
  left: string;
  right: string;
  center: string;
  outline: string;
}

/** Canvas pixels of each landmark. */
export function projectLandmarks(fit: Fit, landmarks: readonly Landmark[]): Array<[number, number]> {
  return landmarks.map(([x, y]) => toCanvas(fit, x, y));
}

export function drawSkeleton(
  ctx: CanvasRenderingContext2D,
  landmarks: readonly Landmark[],
  fit: Fit,
  palette: Palette,
  pixelRatio: number,
): void {
  const points = projectLandmarks(fit, landmarks);
  const colour = (side: Side) => palette[side];
  const width = Math.max(2, 3 * pixelRatio * Math.min(1.5, fit.scale * 1.5));
  ctx.lineCap = "round";
  for (const bone of BONES) {
    const [a, b] = bone;
    if (!points[a] || !points[b]) continue;
    const alpha = Math.min(visibilityAlpha(landmarks[a][3]), visibilityAlpha(landmarks[b][3]));
    ctx.globalAlpha = alpha;
    ctx.strokeStyle = palette.outline;
    ctx.lineWidth = width + 2 * pixelRatio;
    ctx.beginPath();
    ctx.moveTo(...points[a]);
    ctx.lineTo(...points[b]);
    ctx.stroke();
    ctx.strokeStyle = colour(boneSide(bone));
    ctx.lineWidth = width;
    ctx.stroke();
  }
  const radius = width * 1.3;
  points.forEach(([x, y], i) => {
    ctx.globalAlpha = visibilityAlpha(landmarks[i][3]);
    ctx.fillStyle = colour(sideOf(i));
    ctx.strokeStyle = palette.outline;
    ctx.lineWidth = pixelRatio;
    ctx.beginPath();
    ctx.arc(x, y, radius, 0, Math.PI * 2);
    ctx.fill();
    ctx.stroke();
  });
  ctx.globalAlpha = 1;
}
