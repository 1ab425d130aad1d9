import { useEffect, useRef } from "react";
import { drawSkeleton, type Palette } from "../lib/draw";
import { fitContain } from "../lib/geometry";
import { LIVE_MS, type StreamSession } from "../lib/session";

/** Draws the session's latest pose over its video, once per display frame when it changed. */
export function PoseOverlay({ session, video }: { session: StreamSession; video: HTMLVideoElement | null }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !video) return;
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    let frame = 0;
    let drawnKey = "";
    const draw = () => {
      frame = requestAnimationFrame(draw);
      const ratio = window.devicePixelRatio || 1;
      const width = Math.round(canvas.clientWidth * ratio);
      const height = Math.round(canvas.clientHeight * ratio);
      const pose = session.latestPose;
      const fresh = pose !== null && performance.now() - session.latestPoseAt < LIVE_MS;
      const mirrored = session.settings.mirror;
      const key = `${width}x${height}:${fresh ? pose!.seq : -1}:${mirrored}:${video.videoWidth}`;
      if (key === drawnKey) return;
      drawnKey = key;
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
      }
      ctx.clearRect(0, 0, width, height);
      const person = fresh ? pose!.persons[0] : undefined;
      session.drawnPose = person ? pose : null;
      canvas.dataset.seq = person ? String(pose!.seq) : "";
      if (!person || !video.videoWidth) return;
      const fit = fitContain(video.videoWidth, video.videoHeight, width, height, mirrored);
      drawSkeleton(ctx, person.landmarks, fit, palette(canvas), ratio);
    };
    frame = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(frame);
  }, [session, video]);

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
