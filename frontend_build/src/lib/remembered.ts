/**
 * What the streams page remembers across a reload (localStorage): each stream's settings
 * (its name and number among them) and whether it was running, and whether the Ask panel was open. Nothing here is
 * secret: no token, no pose.
 */
import { QUALITY_PRESETS } from "./presets";
import type { TileSettings } from "./session";

const STREAMS_KEY = "poseStudio.streams";
const ASK_KEY = "poseStudio.askOpen";
const MAX_STREAMS = 16;

export interface RememberedStream {
  settings: TileSettings;
  running: boolean;
}

export function saveStreams(storage: Storage, streams: readonly RememberedStream[]): void {
  if (streams.length === 0) storage.removeItem(STREAMS_KEY);
  else storage.setItem(STREAMS_KEY, JSON.stringify(streams.slice(0, MAX_STREAMS)));
}

function validSettings(value: unknown): value is TileSettings {
  const s = value as Partial<TileSettings> | null;
  return (
    typeof s === "object" &&
    s !== null &&
    typeof s.camera === "string" &&
    typeof s.fps === "number" &&
    s.fps > 0 &&
    QUALITY_PRESETS.some((q) => q.id === s.quality) &&
    typeof s.mirror === "boolean" &&
    typeof s.smoothing === "boolean" &&
    typeof s.strength === "number" &&
    typeof s.avatar === "boolean" &&
    typeof s.hands === "boolean" &&
    typeof s.avatarSmoothing === "number" &&
    (s.name === undefined || typeof s.name === "string") &&
    (s.number === undefined || (Number.isInteger(s.number) && s.number >= 0))
  );
}

/** A tile name as kept: one line, at most this long. */
export const MAX_TILE_NAME = 40;

export function cleanTileName(name: string): string {
  return name.replace(/\s+/g, " ").slice(0, MAX_TILE_NAME);
}

/**
 * Numbers for new tiles beside those in use: each keeps the number it asks for (a
 * remembered one) when that is free, else takes the smallest free one from 1.
 */
export function tileNumbers(inUse: readonly number[], wanted: readonly number[]): number[] {
  const taken = new Set(inUse.filter((n) => n > 0));
  const kept = wanted.map((n) => (n > 0 && !taken.has(n) ? (taken.add(n), n) : 0));
  return kept.map((n) => {
    if (n > 0) return n;
    let free = 1;
    while (taken.has(free)) free++;
    taken.add(free);
    return free;
  });
}

/** The remembered streams; anything unreadable (an older shape, a hand edit) is dropped. */
export function loadStreams(storage: Storage): RememberedStream[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(STREAMS_KEY) ?? "[]");
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter((r: Partial<RememberedStream>) => validSettings(r?.settings) && typeof r.running === "boolean")
      .slice(0, MAX_STREAMS)
      .map((r: RememberedStream) => ({
        ...r,
        settings: {
          ...r.settings,
          name: cleanTileName(r.settings.name ?? ""),
          number: r.settings.number ?? 0,
        },
      }));
  } catch {
    return [];
  }
}

export function forgetStreams(storage: Storage): void {
  storage.removeItem(STREAMS_KEY);
}

export function loadAskOpen(storage: Storage): boolean {
  return storage.getItem(ASK_KEY) === "1";
}

export function saveAskOpen(storage: Storage, open: boolean): void {
  if (open) storage.setItem(ASK_KEY, "1");
  else storage.removeItem(ASK_KEY);
}
