import { memo, useEffect, useState } from "react";
import { PoseOverlay } from "../components/PoseOverlay";
import type { SessionStream } from "./api";
import type { FrameLoader } from "./frameLoader";
import type { ReplaySource } from "./replaySource";

/**
 * One recorded camera: its JPEG under the playhead (as the loader has it: latest wins)
 * and the skeleton over it, drawn by the live tile's overlay through the stream's
 * `ReplaySource`; the skeleton alone for a pose-only session.
 */
export const CameraView = memo(function CameraView({
  stream,
  source,
  loader,
}: {
  stream: SessionStream;
  source: ReplaySource;
  loader: FrameLoader | null;
}) {
  const [shown, setShown] = useState<{ index: number; url: string | null }>({ index: -1, url: null });
  useEffect(() => {
    if (!loader) return;
    const update = () => setShown({ index: loader.shownIndex, url: loader.shownUrl });
    update();
    return loader.subscribe(update);
  }, [loader]);
  const aspect = stream.image ? stream.image.width / stream.image.height : 4 / 3;
  return (
    <figure className="replay-camera" data-testid="replay-camera" data-stream={stream.key}>
      <div className="stage stage-replay" style={{ aspectRatio: String(aspect) }}>
        {loader && shown.url && (
          <img
            src={shown.url}
            alt={`${stream.name} at the playhead`}
            data-testid="replay-frame"
            data-index={shown.index}
          />
        )}
        <PoseOverlay poses={source} video={null} withoutVideo />
      </div>
      <figcaption>
        {stream.name} · {stream.frames} frames{stream.fps === null ? "" : ` · ${stream.fps.toFixed(1)} FPS`}
        {loader ? "" : " · pose only"}
      </figcaption>
    </figure>
  );
});
