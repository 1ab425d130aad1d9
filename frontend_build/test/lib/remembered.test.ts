import { describe, expect, it } from "vitest";
import {
  cleanTileName,
  forgetStreams,
  loadAskOpen,
  loadStreams,
  saveAskOpen,
  saveStreams,
  tileNumbers,
} from "../../src/lib/remembered";
import type { TileSettings } from "../../src/lib/session";

function memory(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k: string) => items.get(k) ?? null,
    key: (i: number) => [...items.keys()][i] ?? null,
    removeItem: (k: string) => void items.delete(k),
    setItem: (k: string, v: string) => void items.set(k, v),
  };
}

const SETTINGS: TileSettings = {
  camera: "facing:environment",
  fps: 10,
  quality: "low",
  mirror: false,
  smoothing: true,
  strength: 0.3,
  avatar: false,
  hands: true,
  avatarSmoothing: 0.3,
  transport: "auto",
  name: "Side view",
  number: 2,
};

describe("remembered studio state", () => {
  it("keeps each stream's settings and whether it ran", () => {
    const storage = memory();
    saveStreams(storage, [
      { settings: SETTINGS, running: true },
      { settings: { ...SETTINGS, fps: 5 }, running: false },
    ]);
    expect(loadStreams(storage)).toEqual([
      { settings: SETTINGS, running: true },
      { settings: { ...SETTINGS, fps: 5 }, running: false },
    ]);
    saveStreams(storage, []);
    expect(storage.length).toBe(0);
  });

  it("reads settings kept before tiles had names and numbers", () => {
    const storage = memory();
    const { name: _name, number: _number, ...older } = SETTINGS;
    storage.setItem("poseStudio.streams", JSON.stringify([{ settings: older, running: true }]));
    expect(loadStreams(storage)).toEqual([{ settings: { ...SETTINGS, name: "", number: 0 }, running: true }]);
    storage.setItem(
      "poseStudio.streams",
      JSON.stringify([
        { settings: { ...SETTINGS, number: -1 }, running: true },
        { settings: { ...SETTINGS, name: 3 }, running: true },
      ]),
    );
    expect(loadStreams(storage)).toEqual([]);
  });

  it("keeps a tile name to one short line", () => {
    expect(cleanTileName("  Left\n side ")).toBe(" Left side ");
    expect(cleanTileName("x".repeat(100))).toHaveLength(40);
  });

  it("numbers new tiles: a remembered number when free, else the smallest free one", () => {
    expect(tileNumbers([], [0, 0, 0])).toEqual([1, 2, 3]);
    expect(tileNumbers([1, 3], [0, 0])).toEqual([2, 4]);
    expect(tileNumbers([], [2, 1])).toEqual([2, 1]);
    expect(tileNumbers([2], [2, 0, 5])).toEqual([1, 3, 5]);
    expect(tileNumbers([], [4, 4])).toEqual([4, 1]);
  });

  it("drops what it cannot read instead of failing the page", () => {
    const storage = memory();
    storage.setItem("poseStudio.streams", "{broken");
    expect(loadStreams(storage)).toEqual([]);
    storage.setItem(
      "poseStudio.streams",
      JSON.stringify([
        { settings: { ...SETTINGS, quality: "ultra" }, running: true },
        { settings: SETTINGS, running: "yes" },
        { settings: SETTINGS, running: true },
      ]),
    );
    expect(loadStreams(storage)).toEqual([{ settings: SETTINGS, running: true }]);
    forgetStreams(storage);
    expect(loadStreams(storage)).toEqual([]);
  });

  it("remembers whether the Ask panel was open", () => {
    const storage = memory();
    expect(loadAskOpen(storage)).toBe(false);
    saveAskOpen(storage, true);
    expect(loadAskOpen(storage)).toBe(true);
    saveAskOpen(storage, false);
    expect(storage.length).toBe(0);
  });
});
