/**
 * The robot panel: every robot with its status and telemetry; for operators, take
 * control and drive (keys, gamepad, or one's own pose), actions, behaviours, and an
 * e-stop that is always on screen (Escape presses it).
 */
import { Suspense, lazy, useEffect, useMemo, useRef, useState } from "react";
import { openSocket } from "../lib/sockets";
import type { Behaviour, Robot } from "../lib/generated/protocol";
import {
  DriveLoop,
  STOPPED,
  combine,
  gamepadVelocity,
  isDriveKey,
  keysVelocity,
  type Velocity,
} from "./drive";
import { BehaviourRecorder } from "./recorder";
import { BehavioursApi, RobotsClient, warnings, type RobotsState } from "./robotsClient";
import "./robots.css";

// three.js is large: loaded when a robot is shown.
const Robot3D = lazy(() => import("./Robot3D").then((m) => ({ default: m.Robot3D })));

interface Props {
  backendUrl: string;
  token: string | null;
  /** The signed-in subject (to know which lease is ours) and whether one may drive. */
  subject: string;
  canControl: boolean;
}

export function RobotsPage({ backendUrl, token, subject, canControl }: Props) {
  const client = useMemo(
    () => new RobotsClient(openSocket("robots", backendUrl, token)),
    [backendUrl, token],
  );
  const api = useMemo(() => new BehavioursApi(backendUrl, token), [backendUrl, token]);
  const [state, setState] = useState<RobotsState>(client.state);
  const [selected, setSelected] = useState<string | null>(null);
  useEffect(() => client.subscribe(setState), [client]);
  useEffect(() => () => client.close(), [client]);

  const robot = state.robots.find((r) => r.id === selected) ?? state.robots[0] ?? null;
  const held = robot !== null && robot.controller === subject;

  // Escape is the e-stop, wherever the focus is (bound per robot, not per telemetry update).
  const robotId = robot?.id ?? null;
  useEffect(() => {
    if (!canControl || robotId === null) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") void client.estop(robotId);
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [client, robotId, canControl]);

  return (
    <main className="robots-page">
      <div className="robots-head">
        <h1>Robots</h1>
        {canControl && (
          <button
            type="button"
            className="estop"
            data-testid="estop"
            disabled={robot === null}
            onClick={() => robot && void client.estop(robot.id)}
            title="E-stop (Escape): damps the robot, latched until cleared"
          >
            E-STOP
          </button>
        )}
      </div>
      {!state.connected && <p className="muted">Connecting…</p>}
      {state.error && (
        <p className="robots-error" role="alert" data-testid="robot-error">
          {state.error.code}: {state.error.message}{" "}
          <button type="button" className="btn" onClick={() => client.dismissError()}>
            Dismiss
          </button>
        </p>
      )}
      {state.connected && state.robots.length === 0 && (
        <p className="muted">No robots yet: an admin adds them (POST /api/robots).</p>
      )}
      <ul className="robot-list">
        {state.robots.map((r) => (
          <RobotCard key={r.id} robot={r} active={r.id === robot?.id} onSelect={() => setSelected(r.id)} />
        ))}
      </ul>
      {robot && (
        <Suspense fallback={<p className="muted">Loading the 3D view…</p>}>
          <Robot3D robot={robot} />
        </Suspense>
      )}
      {robot && canControl && <Controls key={robot.id} client={client} api={api} robot={robot} held={held} />}
    </main>
  );
}

function RobotCard({ robot, active, onSelect }: { robot: Robot; active: boolean; onSelect: () => void }) {
  const t = robot.telemetry;
  const v = t?.velocity;
  return (
    <li className={`robot-card card${active ? " active" : ""}`} data-testid={`robot-${robot.name}`}>
      <button type="button" className="robot-pick" onClick={onSelect} aria-pressed={active}>
        <strong>{robot.name}</strong> <span className="muted">{robot.model}</span>{" "}
        <span className={`robot-status status-${robot.status}`} data-testid="robot-status">
          {robot.estopped ? "e-stopped" : robot.status}
        </span>
      </button>
      <div className="telemetry" data-testid="telemetry">
        <span>Battery {t?.battery?.soc != null ? `${Math.round(t.battery.soc)} %` : "–"}</span>
        <span>Mode {t?.mode ?? "–"}</span>
        <span>v {v ? `${v.x.toFixed(2)}, ${v.y.toFixed(2)}, ${v.z.toFixed(2)}` : "–"}</span>
        {warnings(t).map((w) => (
          <span key={w} className="robot-warning">
            {w}
          </span>
        ))}
      </div>
      <p className="muted">{robot.controller ? `Controlled by ${robot.controller}` : "Free"}</p>
    </li>
  );
}

function readGamepad(limits: Robot["limits"]): Velocity {
  const pads = typeof navigator.getGamepads === "function" ? navigator.getGamepads() : [];
  for (const pad of pads) if (pad && pad.connected) return gamepadVelocity(pad.axes, limits);
  return STOPPED;
}

function Controls({
  client,
  api,
  robot,
  held,
}: {
  client: RobotsClient;
  api: BehavioursApi;
  robot: Robot;
  held: boolean;
}) {
  const keys = useRef(new Set<string>());
  const recorder = useRef(new BehaviourRecorder());
  const [velocity, setVelocity] = useState<Velocity>(STOPPED);
  const [recording, setRecording] = useState(false);
  const [name, setName] = useState("");
  const [behaviours, setBehaviours] = useState<Behaviour[]>([]);
  const [streams, setStreams] = useState<Array<{ id: string; stream_id: string }>>([]);
  const [stream, setStream] = useState("");
  const [poseOn, setPoseOn] = useState(false);
  const limits = robot.limits;

  useEffect(() => {
    void api.list().then(setBehaviours, () => setBehaviours([]));
  }, [api]);

  useEffect(() => {
    if (!held || poseOn) return;
    const loop = new DriveLoop(
      (v, seq) => {
        client.drive(robot.id, v, seq);
        recorder.current.drive(v);
        // A new object each tick: keep the old one while it is the same, so a still robot
        // re-renders nothing.
        setVelocity((prev) => (prev.x === v.x && prev.y === v.y && prev.z === v.z ? prev : v));
      },
      () => combine(keysVelocity(keys.current, limits), readGamepad(limits)),
    );
    const down = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || !isDriveKey(e.code)) return;
      keys.current.add(e.code);
      e.preventDefault();
    };
    const up = (e: KeyboardEvent) => keys.current.delete(e.code);
    const blur = () => keys.current.clear();
    addEventListener("keydown", down);
    addEventListener("keyup", up);
    addEventListener("blur", blur);
    loop.start();
    return () => {
      loop.stop();
      removeEventListener("keydown", down);
      removeEventListener("keyup", up);
      removeEventListener("blur", blur);
      keys.current.clear();
    };
  }, [client, robot.id, held, poseOn, limits]);

  const togglePose = async () => {
    if (!stream) return;
    const ack = await client.poseControl(robot.id, stream, !poseOn);
    if (ack.ok) setPoseOn(!poseOn);
  };

  const record = async () => {
    if (!recording) {
      recorder.current.start();
      setRecording(true);
      return;
    }
    setRecording(false);
    const body = recorder.current.finish(
      name || `${robot.name} ${new Date().toLocaleTimeString()}`,
      robot.model,
    );
    if (body) {
      const saved = await api.save(body);
      setBehaviours((list) => [saved, ...list]);
    }
  };

  return (
    <section className="robot-controls card" aria-label={`Control ${robot.name}`}>
      <div className="row">
        {held ? (
          <button
            type="button"
            className="btn"
            data-testid="release"
            onClick={() => void client.release(robot.id)}
          >
            Release control
          </button>
        ) : (
          <button
            type="button"
            className="btn btn-primary"
            data-testid="take"
            disabled={robot.controller !== null}
            onClick={() => void client.take(robot.id)}
          >
            Take control
          </button>
        )}
        {robot.estopped && (
          <button
            type="button"
            className="btn"
            data-testid="clear-estop"
            onClick={() => void client.clearEstop(robot.id)}
          >
            Clear e-stop
          </button>
        )}
      </div>
      {held && (
        <>
          <p className="muted">
            Drive with W A S D (Q E turn) or a gamepad, at 15 Hz while you hold control.{" "}
            <span data-testid="velocity">
              {velocity.x.toFixed(2)} {velocity.y.toFixed(2)} {velocity.z.toFixed(2)}
            </span>
          </p>
          <TouchPad keys={keys.current} />
          <div className="row actions">
            {robot.actions.map((a) => (
              <button
                key={a}
                type="button"
                className="btn"
                data-testid={`action-${a}`}
                onClick={() => {
                  recorder.current.action(a);
                  void client.action(robot.id, a);
                }}
              >
                {a.replace(/_/g, " ")}
              </button>
            ))}
          </div>
          <div className="row">
            <label>
              Pose stream{" "}
              <select
                value={stream}
                onFocus={() => void api.streams().then(setStreams, () => setStreams([]))}
                onChange={(e) => setStream(e.target.value)}
                disabled={poseOn}
              >
                <option value="">choose…</option>
                {streams.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.stream_id}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              className="btn"
              disabled={!stream}
              aria-pressed={poseOn}
              onClick={() => void togglePose()}
            >
              {poseOn ? "Stop pose control" : "Drive with my pose"}
            </button>
          </div>
          <div className="row">
            <input
              aria-label="Behaviour name"
              placeholder="Behaviour name"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
            <button
              type="button"
              className="btn"
              data-testid="record-behaviour"
              onClick={() => void record()}
            >
              {recording ? "Stop and save" : "Record behaviour"}
            </button>
          </div>
        </>
      )}
      <h2>Behaviours</h2>
      <ul className="behaviours" data-testid="behaviours">
        {behaviours
          .filter((b) => b.models.includes(robot.model))
          .map((b) => (
            <li key={b.id}>
              {b.name}{" "}
              <span className="muted">
                v{b.version} · {b.steps.length} steps
              </span>{" "}
              {held && (
                <button
                  type="button"
                  className="btn"
                  onClick={() => void client.runBehaviour(robot.id, b.id)}
                >
                  Run
                </button>
              )}
            </li>
          ))}
      </ul>
    </section>
  );
}

const PAD: Array<[string, string, string]> = [
  ["KeyQ", "⟲", "Turn left"],
  ["KeyW", "▲", "Forward"],
  ["KeyE", "⟳", "Turn right"],
  ["KeyA", "◀", "Left"],
  ["KeyS", "▼", "Back"],
  ["KeyD", "▶", "Right"],
];

/** On-screen buttons for phones: held like the keys they stand for. */
function TouchPad({ keys }: { keys: Set<string> }) {
  return (
    <div className="touch-pad" aria-label="Drive pad">
      {PAD.map(([code, glyph, label]) => (
        <button
          key={code}
          type="button"
          className="btn"
          aria-label={label}
          onPointerDown={() => keys.add(code)}
          onPointerUp={() => keys.delete(code)}
          onPointerLeave={() => keys.delete(code)}
          onPointerCancel={() => keys.delete(code)}
        >
          {glyph}
        </button>
      ))}
    </div>
  );
}
