import { useEffect, useMemo, useReducer, useRef, useState } from "react";
import { AccountClient } from "../lib/account";
import { FRONT, REAR } from "../lib/cameras";
import { captureState } from "../lib/captureStatus";
import { FrameEncoder } from "../lib/encoder";
import {
  cameraAllowedHere,
  forgetPhoneToken,
  loadPhoneToken,
  pairingProblem,
  savePhoneToken,
  type PhoneToken,
} from "../lib/pairing";
import { PoseConnection } from "../lib/protocol";
import { StreamSession } from "../lib/session";
import { openSocket } from "../lib/sockets";
import { transportPreference } from "../lib/webrtc";
import { PoseOverlay } from "./PoseOverlay";

type Pairing =
  { kind: "claiming" } | { kind: "paired"; phone: PhoneToken } | { kind: "failed"; message: string };

/**
 * `#/capture?code=…`, what a phone opens from the studio's QR code: the code becomes the
 * phone's stream-only token (kept until it expires), then the camera fills the screen.
 */
export function CapturePage({ backendUrl, code }: { backendUrl: string; code: string }) {
  const [pairing, setPairing] = useState<Pairing>({ kind: "claiming" });
  const claimed = useRef(false);
  useEffect(() => {
    if (claimed.current) return;
    claimed.current = true;
    const stored = loadPhoneToken(localStorage);
    if (!code) {
      setPairing(
        stored
          ? { kind: "paired", phone: stored }
          : {
              kind: "failed",
              message: "This phone is not paired. In the studio, press Pair a phone and scan the QR code.",
            },
      );
      return;
    }
    new AccountClient(backendUrl, null).claimPairing(code).then(
      (claim) => {
        const phone = { token: claim.token, expires_at: claim.expires_at, display_name: claim.display_name };
        savePhoneToken(localStorage, phone);
        // The code is spent: a reload must not claim it again.
        history.replaceState(history.state, "", `${location.pathname}${location.search}#/capture`);
        setPairing({ kind: "paired", phone });
      },
      (error: unknown) => setPairing({ kind: "failed", message: pairingProblem(error) }),
    );
  }, [backendUrl, code]);

  if (!cameraAllowedHere(location))
    return (
      <CaptureMessage title="Camera needs HTTPS">
        This page is plain http, where phones refuse the camera. Start the studio with{" "}
        <code>posestudio serve --https</code> and scan its QR code again.
      </CaptureMessage>
    );
  if (pairing.kind === "claiming") return <main className="capture capture-message" aria-busy="true" />;
  if (pairing.kind === "failed") return <CaptureMessage title="Not paired">{pairing.message}</CaptureMessage>;
  return (
    <CaptureView
      backendUrl={backendUrl}
      phone={pairing.phone}
      onEnded={() => forgetPhoneToken(localStorage)}
    />
  );
}

function CaptureMessage({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main className="capture capture-message">
      <div className="card" role="alert" data-testid="capture-problem">
        <h1>{title}</h1>
        <p>{children}</p>
      </div>
    </main>
  );
}

function CaptureView({
  backendUrl,
  phone,
  onEnded,
}: {
  backendUrl: string;
  phone: PhoneToken;
  onEnded: () => void;
}) {
  const { connection, session, encoder } = useMemo(() => {
    const connection = new PoseConnection(openSocket("pose", backendUrl, phone.token));
    const encoder = new FrameEncoder();
    // Rear camera by default: the phone films someone else, or stands on a shelf. WebRTC
    // first, as in the studio: on the LAN a phone sends a video track; where WebRTC is off
    // or does not connect within about 3 s (a tunnel) it falls back to Socket.IO.
    const session = new StreamSession(
      connection,
      encoder,
      { camera: REAR.id, mirror: false, transport: transportPreference() },
      { baseUrl: backendUrl, token: phone.token },
    );
    return { connection, session, encoder };
  }, [backendUrl, phone.token]);
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const [torch, setTorch] = useState(false);

  useEffect(() => {
    void session.open();
    const timer = setInterval(bump, 250);
    const offs = [session.subscribe(bump), connection.on("status", bump)];
    (window as unknown as { __poseStudio: unknown }).__poseStudio = { connection, sessions: [session] };
    return () => {
      clearInterval(timer);
      offs.forEach((off) => off());
      session.dispose();
      connection.close();
      encoder.close();
    };
  }, [connection, session, encoder]);
  useEffect(() => session.attach(video), [session, video]);
  useWakeLock(session.running);
  const unauthorized = connection.status === "unauthorized";
  useEffect(() => {
    if (unauthorized) onEnded();
  }, [unauthorized, onEnded]);

  const state = captureState(session.status, connection.status, session.camera.error);
  const stats = session.view.stats.snapshot(performance.now());
  const rear = session.settings.camera !== FRONT.id;
  const track = session.camera.stream?.getVideoTracks()[0];
  const torchable = Boolean(
    (track?.getCapabilities?.() as (MediaTrackCapabilities & { torch?: boolean }) | undefined)?.torch,
  );
  const toggleTorch = () => {
    const next = !torch;
    void track
      ?.applyConstraints({ advanced: [{ torch: next } as MediaTrackConstraintSet] })
      .then(() => setTorch(next))
      .catch(() => undefined);
  };

  return (
    <main className="capture" aria-label="Phone camera">
      <div className="capture-stage">
        <video
          ref={setVideo}
          className={session.settings.mirror ? "mirrored" : ""}
          autoPlay
          muted
          playsInline
          aria-label="Camera preview"
        />
        <PoseOverlay poses={session.poses} video={video} />
      </div>
      <header className="capture-bar">
        <p className={`capture-state capture-${state.tone}`} aria-live="polite">
          <span data-testid="capture-status">{state.word}</span>
          {state.word === "Live" && (
            <small>
              {" "}
              · <span data-testid="capture-fps">{(stats.posesPerSecond ?? 0).toFixed(0)}</span> poses/s ·{" "}
              <span data-testid="capture-landmarks">{session.view.landmarkCount}</span> landmarks ·{" "}
              <span data-testid="capture-transport">
                {session.transport === "webrtc" ? "WebRTC" : "Socket.IO"}
              </span>
            </small>
          )}
        </p>
        {state.hint && (
          <p className="capture-hint" data-testid="capture-hint">
            {state.hint}
          </p>
        )}
        {session.view.error && (
          <p className="capture-hint" role="alert">
            {session.view.error}
          </p>
        )}
      </header>
      <nav className="capture-controls" aria-label="Camera controls">
        <button
          type="button"
          className="btn btn-primary btn-big"
          data-testid="capture-toggle"
          disabled={unauthorized}
          onClick={() => void session.setRunning(!session.running)}
        >
          {session.running ? "Stop" : "Start"}
        </button>
        <button
          type="button"
          className="btn btn-big"
          data-testid="capture-switch"
          disabled={!session.running || unauthorized}
          onClick={() => session.update({ camera: rear ? FRONT.id : REAR.id, mirror: rear })}
        >
          {rear ? "Front camera" : "Rear camera"}
        </button>
        {torchable && (
          <button type="button" className="btn btn-big" aria-pressed={torch} onClick={toggleTorch}>
            Torch
          </button>
        )}
      </nav>
    </main>
  );
}

/** Keeps the screen on while streaming (Wake Lock API, where the browser has it). */
function useWakeLock(active: boolean): void {
  useEffect(() => {
    const wakeLock = (
      navigator as Navigator & {
        wakeLock?: { request(type: "screen"): Promise<{ release(): Promise<void> }> };
      }
    ).wakeLock;
    if (!active || !wakeLock) return;
    let lock: { release(): Promise<void> } | null = null;
    let live = true;
    const acquire = () => {
      if (document.visibilityState !== "visible") return;
      wakeLock.request("screen").then(
        (l) => (live ? (lock = l) : void l.release()),
        () => undefined,
      );
    };
    acquire();
    // The browser drops the lock when the page is hidden: take it again on return.
    document.addEventListener("visibilitychange", acquire);
    return () => {
      live = false;
      document.removeEventListener("visibilitychange", acquire);
      void lock?.release().catch(() => undefined);
    };
  }, [active]);
}
