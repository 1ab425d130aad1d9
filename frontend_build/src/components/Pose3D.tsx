import { useEffect, useRef, useState } from "react";
import { SkeletonScene, type SceneColours, type ViewName } from "../lib/scene3d";

const VIEW_BUTTONS: [ViewName, string][] = [
  ["reset", "Reset"],
  ["front", "Front"],
  ["side", "Side"],
  ["top", "Top"],
];
import { PoseFollower, type PoseSource } from "../lib/poseSource";

/** The three.js view of the source's `world` landmarks. */
export function Pose3D({ poses, theme }: { poses: PoseSource; theme: string }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const sceneRef = useRef<SkeletonScene | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    let scene: SkeletonScene;
    try {
      scene = new SkeletonScene(canvas, colours(canvas));
    } catch (err) {
      setFailure(`The 3D view needs WebGL (${(err as Error).message}).`);
      canvas.dataset.webgl = "unavailable";
      return;
    }
    canvas.dataset.webgl = "ok";
    sceneRef.current = scene;
    const resize = () => scene.resize(canvas.clientWidth, canvas.clientHeight);
    const observer = new ResizeObserver(resize);
    observer.observe(canvas);
    resize();
    const follower = new PoseFollower(poses);
    let frame = 0;
    const tick = () => {
      frame = requestAnimationFrame(tick);
      const shown = follower.next(performance.now());
      if (shown) scene.setPose(shown.person?.world ?? null, shown.mirrored);
      if (scene.renderIfDirty()) {
        canvas.dataset.frames = String(scene.frames);
        // For the browser test: the view in use, and whether the whole body is in it.
        canvas.dataset.view = scene.following ?? "custom";
        canvas.dataset.bodyInView = String(scene.bodyInView());
      }
    };
    frame = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      scene.dispose();
      sceneRef.current = null;
    };
  }, [poses]);

  useEffect(() => {
    if (sceneRef.current && canvasRef.current) sceneRef.current.setColours(colours(canvasRef.current));
  }, [theme]);

  return (
    <div className="view3d">
      <canvas
        ref={canvasRef}
        data-testid="pose-3d"
        tabIndex={0}
        aria-label="3D skeleton: drag or arrow keys to orbit, scroll to zoom"
      />
      <div className="view3d-buttons" role="group" aria-label="3D view">
        {VIEW_BUTTONS.map(([name, label]) => (
          <button
            key={name}
            type="button"
            className="btn btn-ghost"
            data-testid={`view3d-${name}`}
            onClick={() => sceneRef.current?.view(name)}
          >
            {label}
          </button>
        ))}
      </div>
      {failure && <p className="view3d-failure">{failure}</p>}
    </div>
  );
}

function colours(element: HTMLElement): SceneColours {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    left: read("--pose-left", "#22d3ee"),
    right: read("--pose-right", "#f472b6"),
    center: read("--pose-center", "#facc15"),
    grid: read("--grid", "#334155"),
    background: read("--surface-3d", "#0b1220"),
  };
}
