import { useEffect, useRef } from "react";
import { drawSkeleton, type Palette } from "../lib/draw";
import { fitContain } from "../lib/geometry";
import { drawHands } from "../lib/hands";
import { PoseFollower, type PoseSource } from "../lib/poseSource";
import type { PoseMessage } from "../lib/types";

/**
 * Draws the source's pose (and its hands, when the stream asked for them) over its video,
 * once per display frame when it changed. `onDrawn` hears the pose drawn (null: none).
 * `video` null with `withoutVideo`: no video beside it (a watched stream), the pose's own
 * `image` size places it.
 */
export function PoseOverlay({
  poses,
  video,
  onDrawn,
  withoutVideo = false,
}: {
  poses: PoseSource;
  video: HTMLVideoElement | null;
  onDrawn?: (pose: PoseMessage | null) => void;
  withoutVideo?: boolean;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || (!video && !withoutVideo)) return;
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    const follower = new PoseFollower(poses);
    let frame = 0;
    const draw = () => {
      frame = requestAnimationFrame(draw);
      const ratio = window.devicePixelRatio || 1;
      const width = Math.round(canvas.clientWidth * ratio);
      const height = Math.round(canvas.clientHeight * ratio);
      const shown = follower.next(performance.now(), `${width}x${height}:${video?.videoWidth ?? 0}`);
      if (!shown) return;
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
      }
      ctx.clearRect(0, 0, width, height);
      const { pose, person, mirrored } = shown;
      onDrawn?.(person ? pose : null);
      canvas.dataset.seq = person && pose ? String(pose.seq) : "";
      canvas.dataset.hands = String(person ? (pose?.hands?.length ?? 0) : 0);
      const [frameW, frameH] = video
        ? [video.videoWidth, video.videoHeight]
        : [pose?.image.width ?? 0, pose?.image.height ?? 0];
      if (!person || !frameW) return;
      const fit = fitContain(frameW, frameH, width, height, mirrored);
      const colours = palette(canvas);
      drawSkeleton(ctx, person.landmarks, fit, colours, ratio);
      const hands = pose?.hands ?? [];
      if (hands.length) drawHands(ctx, hands, fit, colours, ratio);
    };
    frame = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(frame);
  }, [poses, video, onDrawn, withoutVideo]);

  return <canvas ref={canvasRef} className="overlay" data-testid="pose-overlay" aria-hidden="true" />;
}

function palette(element: HTMLElement): Palette {
  const style = getComputedStyle(element);
  return {
    left: style.getPropertyValue("--pose-left").trim() || "#22d3ee",
    right: style.getPropertyValue("--pose-right").trim() || "#f472b6",
    center: style.getPropertyValue("--pose-center").trim() || "#facc15",
    outline: "rgba(0, 0, 0, 0.55)",
  };
}
