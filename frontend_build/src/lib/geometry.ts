/** Where a normalised image point lands on a canvas showing the image with `object-fit: contain`. */

export interface Fit {
  /** Canvas pixels per image pixel. */
  scale: number;
  /** Left and top of the drawn image inside the canvas (the letterbox bars' size). */
  offsetX: number;
  offsetY: number;
  canvasWidth: number;
  canvasHeight: number;
  imageWidth: number;
  imageHeight: number;
  mirrored: boolean;
}

export function fitContain(
  imageWidth: number,
  imageHeight: number,
  canvasWidth: number,
  canvasHeight: number,
  mirrored = false,
): Fit {
  const scale =
    imageWidth > 0 && imageHeight > 0 ? Math.min(canvasWidth / imageWidth, canvasHeight / imageHeight) : 0;
  return {
    scale,
    offsetX: (canvasWidth - imageWidth * scale) / 2,
    offsetY: (canvasHeight - imageHeight * scale) / 2,
    canvasWidth,
    canvasHeight,
    imageWidth,
    imageHeight,
    mirrored,
  };
}

/**
 * Canvas coordinates of a landmark's normalised (x, y). Mirroring flips the picture
 * around the canvas' vertical centre line, as a CSS `scaleX(-1)` on the video does: the
 * point moves, the landmark (and its left/right name) stays the same.
 */
export function toCanvas(fit: Fit, x: number, y: number): [number, number] {
  const px = fit.offsetX + x * fit.imageWidth * fit.scale;
  const py = fit.offsetY + y * fit.imageHeight * fit.scale;
  return [fit.mirrored ? fit.canvasWidth - px : px, py];
}

/** Opacity for a joint or bone from its visibility: faded, never fully gone, below ~0.5. */
export function visibilityAlpha(visibility: number): number {
  const v = Number.isFinite(visibility) ? visibility : 0;
  return Math.min(1, Math.max(0.15, (v - 0.2) / 0.5));
}
