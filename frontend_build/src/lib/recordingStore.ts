/**
 * Active recordings kept in `localStorage` across a reload (what is needed to ask the
 * server after them again and to record on into a new session), under one key.
 */

export const STORAGE_KEY = "poseStudio.recordings";

export type RecordingStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** What is kept of an active recording. */
export interface Stored {
  sessionId: string;
  streams: string[];
  name: string;
  tags: string[];
  video: boolean;
}

/** Keep these active recordings (none: remove the key). */
export function keepRecordings(storage: RecordingStorage, active: readonly Stored[]): void {
  const kept: Stored[] = active.map(({ sessionId, streams, name, tags, video }) => ({
    sessionId,
    streams,
    name,
    tags,
    video,
  }));
  if (kept.length) storage.setItem(STORAGE_KEY, JSON.stringify(kept));
  else storage.removeItem(STORAGE_KEY);
}

/** The recordings a page kept before it was reloaded, taken out of the storage (null:
 * none were kept, or not readably). */
export function takeKeptRecordings(storage: RecordingStorage): Stored[] | null {
  const text = storage.getItem(STORAGE_KEY);
  if (!text) return null;
  storage.removeItem(STORAGE_KEY);
  try {
    return JSON.parse(text) as Stored[];
  } catch {
    return null;
  }
}
