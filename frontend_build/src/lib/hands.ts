/**
 * The hands on the 2D overlay: MediaPipe's 21 hand landmarks per hand (`pose.hands`, on
 * streams started with `hands: true`) and the model's hand connections, placed on the
 * canvas by the same `Fit` as the pose, so mirroring and letterboxing match.
 */
import type { Palette } from "./draw";
import { toCanvas, type Fit } from "./geometry";
import type { HandPose } from "./generated/protocol";

export type Hand = HandPose;

/** Landmarks 0 wrist, 1–4 thumb, 5–8 index, 9–12 middle, 13–16 ring, 17–20 pinky. */
export const HAND_LANDMARKS = 21;

/** MediaPipe's hand connections: each finger from the wrist or its knuckle, and the palm. */
export const HAND_CONNECTIONS: ReadonlyArray<readonly [number, number]> = [
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 4],
  [5, 6],
  [6, 7],
  [7, 8],
  [9, 10],
  [10, 11],
  [11, 12],
  [13, 14],
  [14, 15],
  [15, 16],
  [17, 18],
  [18, 19],
  [19, 20],
  [0, 5],
  [5, 9],
  [9, 13],
  [13, 17],
  [0, 17],
];

/** Canvas pixels of a hand's landmarks (null for a landmark that is not a finite point). */
export function projectHand(fit: Fit, hand: Hand): Array<[number, number] | null> {
  return hand.landmarks.map(([x, y]) =>
    Number.isFinite(x) && Number.isFinite(y) ? toCanvas(fit, x, y) : null,
  );
}

export function drawHands(
  ctx: CanvasRenderingContext2D,
  hands: readonly Hand[],
  fit: Fit,
  palette: Palette,
  pixelRatio: number,
): void {
  const width = Math.max(1.5, 2 * pixelRatio * Math.min(1.5, fit.scale * 1.5));
  ctx.lineCap = "round";
  for (const hand of hands) {
    if (hand.landmarks.length < HAND_LANDMARKS) continue;
    const points = projectHand(fit, hand);
    const colour = palette[hand.side] ?? palette.center;
    ctx.globalAlpha = Math.min(1, Math.max(0.35, hand.score));
    for (const [a, b] of HAND_CONNECTIONS) {
      const pa = points[a];
      const pb = points[b];
      if (!pa || !pb) continue;
      ctx.beginPath();
      ctx.moveTo(...pa);
      ctx.lineTo(...pb);
      ctx.strokeStyle = palette.outline;
      ctx.lineWidth = width + 2 * pixelRatio;
      ctx.stroke();
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.stroke();
    }
    for (const p of points) {
      if (!p) continue;
      ctx.beginPath();
      ctx.arc(p[0], p[1], width * 1.1, 0, Math.PI * 2);
      ctx.fillStyle = palette.center;
      ctx.fill();
      ctx.strokeStyle = palette.outline;
      ctx.lineWidth = pixelRatio;
      ctx.stroke();
    }
  }
  ctx.globalAlpha = 1;
}
