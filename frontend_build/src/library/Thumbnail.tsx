import { useEffect, useRef, useState } from "react";
import { drawSkeleton } from "../lib/draw";
import { fitContain } from "../lib/geometry";
import type { SessionInfo, SessionsClient } from "../lib/sessionsApi";
import type { PoseMessage } from "../lib/types";
import { thumbnailStream } from "./listing";

const PALETTE = { left: "#22d3ee", right: "#f472b6", center: "#facc15", outline: "rgba(0,0,0,0.6)" };

/**
 * The session's first recorded frame (`frames/0`), or, for a pose-only session, a
 * skeleton drawn from its first pose with somebody in view.
 */
export function Thumbnail({ client, session }: { client: SessionsClient; session: SessionInfo }) {
  const stream = thumbnailStream(session);
  const [src, setSrc] = useState<string | null>(null);
  const [pose, setPose] = useState<PoseMessage | null>(null);
  const [none, setNone] = useState(false);
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    if (!stream) return;
    let live = true;
    let url: string | null = null;
    const showPose = () =>
      client.firstPose(session.id, stream.key).then((p) => {
        if (!live) return;
        if (p) setPose(p);
        else setNone(true);
      });
    const load = session.video
      ? client.firstFrame(session.id, stream.key).then((blob) => {
          if (!live) return;
          if (blob) setSrc((url = URL.createObjectURL(blob)));
          else return showPose();
        })
      : showPose();
    load.catch(() => live && setNone(true));
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [client, session.id, session.video, stream?.key]);

  useEffect(() => {
    const c = canvas.current;
    const person = pose?.persons[0];
    const ctx = c?.getContext("2d");
    if (!c || !ctx || !person || !pose) return;
    const ratio = window.devicePixelRatio || 1;
    c.width = c.clientWidth * ratio;
    c.height = c.clientHeight * ratio;
    ctx.clearRect(0, 0, c.width, c.height);
    const fit = fitContain(pose.image.width, pose.image.height, c.width, c.height);
    drawSkeleton(ctx, person.landmarks, fit, PALETTE, ratio);
  }, [pose]);

  if (src) return <img className="thumb" src={src} alt="" data-testid="library-thumb" data-kind="frame" />;
  if (pose) return <canvas className="thumb" ref={canvas} data-testid="library-thumb" data-kind="skeleton" />;
  return (
    <div
      className="thumb thumb-empty"
      data-testid="library-thumb"
      data-kind={none || !stream ? "none" : "loading"}
    >
      {none || !stream ? "no frames" : ""}
    </div>
  );
}
