/** Capture presets (rate, JPEG quality, size, smoothing) and the upstream bandwidth they cost. */

export const FPS_PRESETS = [5, 10, 15, 30] as const;

export interface QualityPreset {
  id: "low" | "medium" | "high";
  label: string;
  quality: number;
  /** Typical JPEG bytes per pixel of a webcam picture at this quality (measured on the test video). */
  bytesPerPixel: number;
}

export const QUALITY_PRESETS: readonly QualityPreset[] = [
  { id: "low", label: "Low (JPEG 50)", quality: 0.5, bytesPerPixel: 0.06 },
  { id: "medium", label: "Medium (JPEG 70)", quality: 0.7, bytesPerPixel: 0.09 },
  { id: "high", label: "High (JPEG 85)", quality: 0.85, bytesPerPixel: 0.15 },
];

export function qualityPreset(id: string): QualityPreset {
  return QUALITY_PRESETS.find((p) => p.id === id) ?? QUALITY_PRESETS[1];
}

/** Estimated JPEG size of one frame before any was sent. */
export function estimateFrameBytes(width: number, height: number, preset: QualityPreset): number {
  return Math.round(width * height * preset.bytesPerPixel);
}

/** Bits per second for frames of `bytesPerFrame` at `fps`. */
export function bitsPerSecond(bytesPerFrame: number, fps: number): number {
  return bytesPerFrame * 8 * fps;
}

export function formatBits(bps: number): string {
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(bps >= 1e7 ? 0 : 1)} Mbit/s`;
  return `${Math.round(bps / 1e3)} kbit/s`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${Math.round(bytes)} B`;
}

/** Capture size: the camera's, scaled down to fit the server's limits and `maxSide`. */
export function captureSize(
  width: number,
  height: number,
  limits: { max_width: number; max_height: number },
  maxSide = 1280,
): [number, number] {
  const scale = Math.min(
    1,
    limits.max_width / width,
    limits.max_height / height,
    maxSide / Math.max(width, height),
  );
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

/**
 * Smoothing strength 0..1 to One-Euro parameters: stronger means a lower cutoff
 * (steadier, more lag) and a smaller speed coefficient. Log-interpolated.
 */
export function smoothingParams(strength: number): { min_cutoff: number; beta: number; d_cutoff: number } {
  const s = Math.min(1, Math.max(0, strength));
  const lerpLog = (a: number, b: number) => Math.exp(Math.log(a) + (Math.log(b) - Math.log(a)) * s);
  return {
    min_cutoff: Number(lerpLog(4, 0.3).toFixed(3)),
    beta: Number(lerpLog(0.2, 0.005).toFixed(4)),
    d_cutoff: 1,
  };
}
