/**
 * A tiny VRM built in the test (never a downloaded model): the 21 humanoid bones as glTF
 * nodes in a T-pose with a box on each, and the `VRMC_vrm` (1.0) or `VRM` (0.x) extension
 * naming them. 1.0 faces +Z; 0.x faces −Z, as the formats say.
 */
import { AVATAR_BONES, BONE_PARENT, REST_OFFSETS } from "../src/lib/avatar/bones";

export interface FixtureOptions {
  version?: "1.0" | "0.0";
  /** Leave these humanoid bones out of the extension. */
  without?: string[];
  /** Scale of the body (the fixture's proportions are the reference body's). */
  size?: number;
  /** Add each hand's index finger (three segments along the arm's line, 3 cm each). */
  fingers?: boolean;
}

const BOX_POSITIONS = (() => {
  const out: number[] = [];
  const normals: number[] = [];
  const faces: [number[], number[], number[]][] = [
    [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
    [[-1, 0, 0], [0, 0, 1], [0, 1, 0]],
    [[0, 1, 0], [0, 0, 1], [1, 0, 0]],
    [[0, -1, 0], [1, 0, 0], [0, 0, 1]],
    [[0, 0, 1], [1, 0, 0], [0, 1, 0]],
    [[0, 0, -1], [0, 1, 0], [1, 0, 0]],
  ]; // prettier-ignore
  for (const [n, u, v] of faces) {
    for (const [a, b] of [
      [-1, -1],
      [1, -1],
      [1, 1],
      [-1, 1],
    ]) {
      // prettier-ignore
      for (let c = 0; c < 3; c++) out.push(0.5 * (n[c] + a * u[c] + b * v[c]));
      normals.push(...n);
    }
  }
  return { positions: new Float32Array(out), normals: new Float32Array(normals) };
})();

export function buildVrm({
  version = "1.0",
  without = [],
  size = 1,
  fingers = false,
}: FixtureOptions = {}): ArrayBuffer {
  const flip = version === "0.0" ? -1 : 1; // VRM 0.x faces −Z: its left is −X.
  const nodes: Record<string, unknown>[] = [];
  const index = new Map<string, number>();
  for (const name of AVATAR_BONES) {
    const [x, y, z] = REST_OFFSETS[name];
    index.set(name, nodes.length);
    nodes.push({
      name,
      translation: name === "hips" ? [0, 0.9 * size, 0] : [flip * x * size, y * size, flip * z * size],
      children: [],
    });
  }
  for (const name of AVATAR_BONES) {
    const parent = BONE_PARENT[name];
    if (parent) (nodes[index.get(parent)!].children as number[]).push(index.get(name)!);
  }
  // A box along each bone (towards its first child), so the model shows.
  for (const name of AVATAR_BONES) {
    const child = AVATAR_BONES.find(
      (b) => BONE_PARENT[b] === name && b !== "leftShoulder" && b !== "rightShoulder",
    );
    const [x, y, z] = child ? REST_OFFSETS[child].map((c) => c * size) : [0, 0.15 * size, 0];
    const box = nodes.length;
    nodes.push({
      name: `${name}Box`,
      mesh: 0,
      translation: [(flip * x) / 2, y / 2, (flip * z) / 2],
      scale: [Math.abs(x) + 0.06, Math.abs(y) + 0.06, Math.abs(z) + 0.06],
    });
    (nodes[index.get(name)!].children as number[]).push(box);
  }
  const bones: string[] = AVATAR_BONES.filter((b) => !without.includes(b));
  if (fingers) {
    for (const side of ["left", "right"] as const) {
      let parent = index.get(`${side}Hand`)!;
      const x = (side === "left" ? 1 : -1) * flip;
      ["Proximal", "Intermediate", "Distal"].forEach((segment, i) => {
        const name = `${side}Index${segment}`;
        index.set(name, nodes.length);
        nodes.push({ name, translation: [x * (i === 0 ? 0.08 : 0.03) * size, 0, 0], children: [] });
        (nodes[parent].children as number[]).push(nodes.length - 1);
        parent = nodes.length - 1;
        bones.push(name);
      });
    }
  }
  const extension =
    version === "1.0"
      ? {
          VRMC_vrm: {
            specVersion: "1.0",
            meta: {
              name: "fixture",
              version: "1",
              authors: ["test"],
              licenseUrl: "https://vrm.dev/licenses/1.0/",
            },
            humanoid: { humanBones: Object.fromEntries(bones.map((b) => [b, { node: index.get(b) }])) },
          },
        }
      : {
          VRM: {
            specVersion: "0.0",
            meta: { title: "fixture", version: "1", author: "test" },
            humanoid: { humanBones: bones.map((b) => ({ bone: b, node: index.get(b) })) },
          },
        };
  const { positions, normals } = BOX_POSITIONS;
  const indices = new Uint16Array(
    Array.from({ length: 6 }, (_, f) => [0, 1, 2, 0, 2, 3].map((i) => i + 4 * f)).flat(),
  );
  const bin = new Uint8Array(positions.byteLength + normals.byteLength + indices.byteLength);
  bin.set(new Uint8Array(positions.buffer), 0);
  bin.set(new Uint8Array(normals.buffer), positions.byteLength);
  bin.set(new Uint8Array(indices.buffer), positions.byteLength * 2);
  const json = {
    asset: { version: "2.0", generator: "pose-studio test fixture" },
    extensionsUsed: Object.keys(extension),
    extensions: extension,
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes,
    meshes: [{ primitives: [{ attributes: { POSITION: 0, NORMAL: 1 }, indices: 2, material: 0 }] }],
    materials: [
      {
        pbrMetallicRoughness: {
          baseColorFactor: [0.95, 0.55, 0.1, 1],
          metallicFactor: 0,
          roughnessFactor: 0.6,
        },
      },
    ],
    accessors: [
      {
        bufferView: 0,
        componentType: 5126,
        count: 24,
        type: "VEC3",
        min: [-0.5, -0.5, -0.5],
        max: [0.5, 0.5, 0.5],
      },
      { bufferView: 1, componentType: 5126, count: 24, type: "VEC3" },
      { bufferView: 2, componentType: 5123, count: 36, type: "SCALAR" },
    ],
    bufferViews: [
      { buffer: 0, byteOffset: 0, byteLength: positions.byteLength },
      { buffer: 0, byteOffset: positions.byteLength, byteLength: normals.byteLength },
      { buffer: 0, byteOffset: positions.byteLength * 2, byteLength: indices.byteLength },
    ],
    buffers: [{ byteLength: bin.byteLength }],
  };
  return glb(json, bin);
}

/** glTF 2.0 binary container: header, JSON chunk (space-padded), BIN chunk (zero-padded). */
export function glb(json: unknown, bin: Uint8Array): ArrayBuffer {
  const pad = (n: number) => (n + 3) & ~3;
  const text = new TextEncoder().encode(JSON.stringify(json));
  const jsonLength = pad(text.length);
  const binLength = pad(bin.length);
  const total = 12 + 8 + jsonLength + 8 + binLength;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x46546c67, true);
  view.setUint32(4, 2, true);
  view.setUint32(8, total, true);
  view.setUint32(12, jsonLength, true);
  view.setUint32(16, 0x4e4f534a, true);
  out.fill(0x20, 20, 20 + jsonLength);
  out.set(text, 20);
  const binAt = 20 + jsonLength;
  view.setUint32(binAt, binLength, true);
  view.setUint32(binAt + 4, 0x004e4942, true);
  out.set(bin, binAt + 8);
  return out.buffer;
}
