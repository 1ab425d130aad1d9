import { useEffect, useRef, useState, type DragEvent } from "react";
import { AvatarScene, type AvatarColours } from "../lib/avatar/avatarScene";
import type { BoneName } from "../lib/avatar/bones";
import { Mannequin } from "../lib/avatar/mannequin";
import { loadVrm, refuseFile } from "../lib/avatar/vrm";
import type { PoseSource } from "../lib/poseSource";
import type { PoseMessage } from "../lib/types";

/** What the browser test reads (through `window.__poseStudio`): the avatar as rendered. */
export interface AvatarProbe {
  readonly frames: number;
  /** Skeletons received from the source. */
  readonly poses: number;
  readonly model: string;
  readonly kind: string;
  readonly calibrated: boolean;
  /** Joint positions in the body's frame (metres, Y up, hips' joint at the origin), as last rendered. */
  joints(): Partial<Record<BoneName, [number, number, number]>>;
  /** The pose whose skeleton the avatar is heading to, and whether the last frame showed exactly it. */
  target(): { pose: PoseMessage | null; settled: boolean };
}

/**
 * The avatar: the built-in mannequin or the person's own `.vrm` (file picker or drag and
 * drop; read in the browser, never uploaded), following the source's skeletons at display
 * rate. `smoothing` (0..1) is the client-side slerp towards the interpolated pose.
 */
export function AvatarView({
  poses,
  theme,
  smoothing,
  onProbe,
}: {
  poses: PoseSource;
  theme: string;
  smoothing: number;
  onProbe?: (probe: AvatarProbe | null) => void;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const sceneRef = useRef<AvatarScene | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [model, setModel] = useState("Mannequin");
  const [loadError, setLoadError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [calibrated, setCalibrated] = useState(false);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    let scene: AvatarScene;
    try {
      scene = new AvatarScene(canvas, poses, colours(canvas));
    } catch (err) {
      setFailure(`The avatar needs WebGL (${(err as Error).message}).`);
      canvas.dataset.webgl = "unavailable";
      return;
    }
    canvas.dataset.webgl = "ok";
    scene.setModel(new Mannequin());
    sceneRef.current = scene;
    const resize = () => scene.resize(canvas.clientWidth, canvas.clientHeight);
    const observer = new ResizeObserver(resize);
    observer.observe(canvas);
    resize();
    let shownCalibrated = false;
    onProbe?.({
      get frames() {
        return scene.frames;
      },
      get poses() {
        return scene.motion.received;
      },
      get model() {
        return scene.current?.name ?? "";
      },
      get kind() {
        return scene.current?.kind ?? "";
      },
      get calibrated() {
        return scene.motion.shown.calibrated;
      },
      joints: () => scene.joints(),
      target: () => ({ pose: scene.motion.pose, settled: scene.motion.settled }),
    });
    let frame = 0;
    // Every display frame: the motion interpolates between the poses that arrive.
    const tick = () => {
      frame = requestAnimationFrame(tick);
      const state = scene.frameAt(performance.now());
      canvas.dataset.frames = String(scene.frames);
      canvas.dataset.poses = String(scene.motion.received);
      if (state.calibrated !== shownCalibrated) {
        shownCalibrated = state.calibrated;
        setCalibrated(shownCalibrated);
      }
    };
    frame = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      onProbe?.(null);
      scene.dispose();
      sceneRef.current = null;
    };
  }, [poses, onProbe]);

  useEffect(() => {
    if (sceneRef.current) sceneRef.current.motion.smoothing = smoothing;
  }, [smoothing, failure]);

  useEffect(() => {
    if (sceneRef.current && canvasRef.current) sceneRef.current.setColours(colours(canvasRef.current));
  }, [theme]);

  const open = async (file: File | undefined) => {
    if (!file) return;
    const refused = refuseFile(file);
    if (refused) return setLoadError(refused);
    setLoading(true);
    setLoadError(null);
    try {
      const avatar = await loadVrm(await file.arrayBuffer(), file.name);
      if (sceneRef.current) {
        sceneRef.current.setModel(avatar);
        setModel(avatar.name);
      } else avatar.dispose();
    } catch (err) {
      setLoadError((err as Error).message);
    } finally {
      setLoading(false);
    }
  };

  const useMannequin = () => {
    sceneRef.current?.setModel(new Mannequin());
    setModel("Mannequin");
    setLoadError(null);
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    void open(e.dataTransfer.files[0]);
  };

  return (
    <div
      className={dragging ? "view3d avatar dragging" : "view3d avatar"}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <canvas
        ref={canvasRef}
        data-testid="avatar-view"
        data-model={model}
        tabIndex={0}
        aria-label={`Avatar (${model}): drag to orbit, scroll to zoom; drop a .vrm file to use it`}
      />
      <div className="avatar-bar">
        <span
          className={calibrated ? "pill pill-live" : "pill"}
          data-testid="avatar-calibrated"
          title="whether the bone lengths come from a T-pose calibration"
        >
          {calibrated ? "calibrated" : "not calibrated"}
        </span>
        <span className="avatar-model" data-testid="avatar-model">
          {loading ? "loading…" : model}
        </span>
        <label className="btn btn-small">
          Open .vrm
          <input
            type="file"
            accept=".vrm,.glb,model/gltf-binary"
            data-testid="avatar-file"
            className="visually-hidden"
            onChange={(e) => {
              void open(e.target.files?.[0]);
              e.target.value = "";
            }}
          />
        </label>
        {model !== "Mannequin" && (
          <button type="button" className="btn btn-small btn-ghost" onClick={useMannequin}>
            Mannequin
          </button>
        )}
      </div>
      {loadError && (
        <p className="avatar-error" role="alert" data-testid="avatar-error">
          {loadError}
        </p>
      )}
      {failure && <p className="view3d-failure">{failure}</p>}
    </div>
  );
}

function colours(element: HTMLElement): AvatarColours {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return { grid: read("--grid", "#334155"), background: read("--surface-3d", "#0b1220") };
}
