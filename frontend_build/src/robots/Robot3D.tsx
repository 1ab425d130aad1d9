import { useEffect, useRef, useState } from "react";
import * as THREE from "three";
import type { Robot } from "../lib/generated/protocol";
import { RobotStage } from "./robotScene";

/** Camera offset from the robot (three.js metres): behind-left and above, looking at it. */
const CAMERA_OFFSET = new THREE.Vector3(-1.2, 0.9, 1.4);

/** The selected robot in 3D, placed from its telemetry pose (real or simulated). */
export function Robot3D({ robot }: { robot: Robot }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const view = useRef<{
    stage: RobotStage;
    renderer: THREE.WebGLRenderer;
    camera: THREE.PerspectiveCamera;
  } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const pose = robot.telemetry?.pose ?? null;

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    let renderer: THREE.WebGLRenderer;
    try {
      renderer = new THREE.WebGLRenderer({ canvas, antialias: true });
    } catch (err) {
      setFailure(`The 3D view needs WebGL (${(err as Error).message}).`);
      canvas.dataset.webgl = "unavailable";
      return;
    }
    canvas.dataset.webgl = "ok";
    renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
    const stage = new RobotStage();
    stage.scene.background = new THREE.Color("#0b1220");
    const camera = new THREE.PerspectiveCamera(45, 1, 0.05, 100);
    view.current = { stage, renderer, camera };
    const observer = new ResizeObserver(() => {
      const { clientWidth: w, clientHeight: h } = canvas;
      if (w < 1 || h < 1) return;
      renderer.setSize(w, h, false);
      camera.aspect = w / h;
      camera.updateProjectionMatrix();
      renderer.render(stage.scene, camera);
    });
    observer.observe(canvas);
    return () => {
      observer.disconnect();
      stage.dispose();
      renderer.dispose();
      view.current = null;
    };
  }, []);

  useEffect(() => {
    const shown = view.current;
    const canvas = canvasRef.current;
    if (!shown || !canvas) return;
    const body = shown.stage.update(robot.model, pose);
    shown.camera.position.copy(body.position).add(CAMERA_OFFSET);
    shown.camera.lookAt(body.position.x, 0.3, body.position.z);
    shown.renderer.render(shown.stage.scene, shown.camera);
    // For tests and people: where the view has the robot.
    canvas.dataset.pose = pose ? `${pose.x.toFixed(2)},${pose.y.toFixed(2)},${pose.yaw.toFixed(2)}` : "";
    // Only a moved robot (or another model) draws again, not every telemetry sample.
  }, [robot.model, pose?.x, pose?.y, pose?.yaw]);

  return (
    <div className="robot-3d">
      <canvas
        ref={canvasRef}
        data-testid="robot-3d"
        role="img"
        aria-label={`${robot.name} in 3D${pose ? `: x ${pose.x.toFixed(1)} m, y ${pose.y.toFixed(1)} m` : ""}`}
      />
      {failure && <p className="view3d-failure">{failure}</p>}
    </div>
  );
}
