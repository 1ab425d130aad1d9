/**
 * The 3D view: `world` landmarks (metres, origin between the hips, y down) as a
 * skeleton over a ground grid, with orbit controls. It renders only when the pose,
 * the size or the view changed, at most once per display frame.
 */
import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { LineMaterial } from "three/addons/lines/LineMaterial.js";
import { LineSegments2 } from "three/addons/lines/LineSegments2.js";
import { LineSegmentsGeometry } from "three/addons/lines/LineSegmentsGeometry.js";
import { visibilityAlpha } from "./geometry";
import { BONES, NUM_LANDMARKS, boneSide, sideOf, type Side } from "./skeleton";
import type { Landmark } from "./types";

export interface SceneColours {
  left: string;
  right: string;
  center: string;
  grid: string;
  background: string;
}

const FEET = [27, 28, 29, 30, 31, 32];

export type ViewName = "reset" | "front" | "side" | "top";

/** Camera offsets from the body's centre (metres): 2.3 m keeps a standing body in view
 * (the distance until a pose is seen; then the body's own size sets it). */
export const VIEWS: Record<ViewName, [number, number, number]> = {
  reset: [0.75, 0.4, 2.1],
  front: [0, 0, 2.3],
  side: [2.3, 0, 0],
  top: [0, 2.6, 0.01],
};

const FOV_DEGREES = 45;
/** Room around the body when it is framed: 10 % of its size on each side. */
const FIT_MARGIN = 1.1;

/**
 * How far a camera with this vertical field of view (degrees) and aspect (width/height)
 * must stand from the centre of a sphere of `radius` to see all of it, with a margin:
 * the narrower of the two fields of view decides.
 */
export function fitDistance(radius: number, fovDegrees: number, aspect: number, margin = FIT_MARGIN): number {
  const vertical = (fovDegrees * Math.PI) / 360;
  const horizontal = Math.atan(Math.tan(vertical) * aspect);
  return (margin * radius) / Math.sin(Math.min(vertical, horizontal));
}

/** The sphere around the joints: their bounding box's centre and the farthest joint from it. */
export function bodySphere(points: readonly [number, number, number][]): {
  centre: [number, number, number];
  radius: number;
} {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (const p of points)
    for (let k = 0; k < 3; k++) {
      lo[k] = Math.min(lo[k], p[k]);
      hi[k] = Math.max(hi[k], p[k]);
    }
  const centre: [number, number, number] = [0, 1, 2].map((k) => (lo[k] + hi[k]) / 2) as [
    number,
    number,
    number,
  ];
  const radius = Math.max(
    0,
    ...points.map((p) => Math.hypot(p[0] - centre[0], p[1] - centre[1], p[2] - centre[2])),
  );
  return { centre, radius };
}

export class SkeletonScene {
  readonly renderer: THREE.WebGLRenderer;
  private scene = new THREE.Scene();
  private camera = new THREE.PerspectiveCamera(FOV_DEGREES, 1, 0.05, 50);
  private controls: OrbitControls;
  private group = new THREE.Group();
  // Fat lines: WebGL draws plain lines one pixel wide whatever `linewidth` says.
  private bones: LineSegments2;
  // Double-sided: the mirror (a negative x scale) turns the line quads around.
  private boneMaterial = new LineMaterial({ linewidth: 3, vertexColors: true, side: THREE.DoubleSide });
  private bonePositions = new Float32Array(BONES.length * 2 * 3);
  private boneColours = new Float32Array(BONES.length * 2 * 3);
  private joints: THREE.InstancedMesh;
  private grid: THREE.GridHelper;
  private floorY = -0.95;
  private dirty = true;
  private colours: SceneColours;
  frames = 0;
  private canvas: HTMLCanvasElement;
  /** The body's sphere (three.js coordinates), smoothed over poses; null before the first. */
  private body: { centre: THREE.Vector3; radius: number } | null = null;
  /** The named view the camera keeps framing the body from; null once the person orbits. */
  following: ViewName | null = "reset";

  constructor(canvas: HTMLCanvasElement, colours: SceneColours) {
    this.colours = colours;
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: true, alpha: false });
    this.renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
    this.camera.position.set(0.75, 0.3, 2.2);
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.target.set(0, -0.1, 0);
    this.controls.enableDamping = false;
    this.controls.minDistance = 0.6;
    this.controls.maxDistance = 8;
    this.controls.update();
    // Arrow keys orbit (OrbitControls' own keys pan, which loses the body).
    canvas.addEventListener("keydown", this.onKey);
    this.canvas = canvas;
    this.controls.addEventListener("change", () => (this.dirty = true));
    // Dragging or scrolling: the person's own view from then on (a button frames again).
    this.controls.addEventListener("start", () => (this.following = null));

    this.bones = new LineSegments2(new LineSegmentsGeometry(), this.boneMaterial);
    this.joints = new THREE.InstancedMesh(
      new THREE.SphereGeometry(0.022, 12, 8),
      new THREE.MeshBasicMaterial(),
      NUM_LANDMARKS,
    );
    this.joints.instanceMatrix.setUsage(THREE.DynamicDrawUsage);
    for (let i = 0; i < NUM_LANDMARKS; i++) this.joints.setColorAt(i, new THREE.Color(0, 0, 0));
    this.group.add(this.bones, this.joints);
    this.group.visible = false;
    this.grid = new THREE.GridHelper(4, 16, colours.grid, colours.grid);
    this.grid.position.y = this.floorY;
    this.scene.add(this.group, this.grid);
    this.setColours(colours);
  }

  setColours(colours: SceneColours): void {
    this.colours = colours;
    this.scene.background = new THREE.Color(colours.background);
    const grid = this.grid.material as THREE.LineBasicMaterial;
    grid.color = new THREE.Color(colours.grid);
    grid.vertexColors = false;
    grid.needsUpdate = true;
    this.dirty = true;
  }

  resize(width: number, height: number): void {
    if (width < 1 || height < 1) return;
    this.renderer.setSize(width, height, false);
    this.boneMaterial.resolution.set(width, height);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.frameBody();
    this.dirty = true;
  }

  /** Show a pose (or none); `mirrored` flips the view like the video, not the landmarks. */
  setPose(world: readonly Landmark[] | null, mirrored: boolean): void {
    this.dirty = true;
    if (!world || world.length < NUM_LANDMARKS) {
      this.group.visible = false;
      return;
    }
    this.group.visible = true;
    this.group.scale.x = mirrored ? -1 : 1;
    const background = new THREE.Color(this.colours.background);
    const tint = (side: Side, visibility: number) =>
      // Faded toward the background, but less than in 2D: there is no video to read the
      // joints against, and on a light background pale joints would vanish.
      new THREE.Color(this.colours[side]).lerp(background, 0.7 * (1 - visibilityAlpha(visibility)));
    // MediaPipe's world y points down and z away from the camera; three.js has y up.
    const at = (i: number) => new THREE.Vector3(world[i][0], -world[i][1], -world[i][2]);
    BONES.forEach((bone, k) => {
      const [a, b] = bone;
      const colour = tint(boneSide(bone), Math.min(world[a][3], world[b][3]));
      at(a).toArray(this.bonePositions, 6 * k);
      at(b).toArray(this.bonePositions, 6 * k + 3);
      colour.toArray(this.boneColours, 6 * k);
      colour.toArray(this.boneColours, 6 * k + 3);
    });
    // The geometry keeps its own interleaved copies: set them anew for every pose.
    this.bones.geometry.dispose();
    this.bones.geometry = new LineSegmentsGeometry()
      .setPositions(this.bonePositions)
      .setColors(this.boneColours);
    const matrix = new THREE.Matrix4();
    // The joints as shown (mirrored like the view), for framing the body below.
    const points: [number, number, number][] = [];
    for (let i = 0; i < NUM_LANDMARKS; i++) {
      const joint = at(i);
      this.joints.setMatrixAt(i, matrix.makeTranslation(joint));
      this.joints.setColorAt(i, tint(sideOf(i), world[i][3]));
      points.push([mirrored ? -joint.x : joint.x, joint.y, joint.z]);
    }
    this.joints.instanceMatrix.needsUpdate = true;
    if (this.joints.instanceColor) this.joints.instanceColor.needsUpdate = true;
    // The floor follows the feet slowly, so the grid does not jump with every step.
    const lowest = Math.min(...FEET.map((i) => -world[i][1]));
    if (Number.isFinite(lowest)) this.floorY += (lowest - 0.01 - this.floorY) * 0.1;
    this.grid.position.y = this.floorY;
    const sphere = bodySphere(points);
    if (Number.isFinite(sphere.radius) && sphere.radius > 0.05) {
      const centre = new THREE.Vector3(...sphere.centre);
      // Smoothed, so the camera glides with the body instead of shaking with each pose.
      if (!this.body) this.body = { centre, radius: sphere.radius };
      else {
        this.body.centre.lerp(centre, 0.2);
        this.body.radius += (sphere.radius - this.body.radius) * 0.2;
      }
      this.frameBody();
    }
  }

  /** The distance at which the whole body fits the view now. */
  private fitted(): number {
    return this.body ? fitDistance(this.body.radius, this.camera.fov, this.camera.aspect) : 0;
  }

  /** Follows the body in the named view; zooming in stops where the whole body still fits. */
  private frameBody(): void {
    this.controls.minDistance = Math.max(0.6, this.fitted());
    if (this.following) this.place(this.following);
    else this.controls.update();
  }

  private place(name: ViewName): void {
    const offset = new THREE.Vector3(...VIEWS[name]);
    if (this.body) {
      this.controls.target.copy(this.body.centre);
      offset.setLength(Math.max(this.fitted(), this.controls.minDistance));
    }
    this.camera.position.copy(this.controls.target).add(offset);
    this.controls.update();
    this.dirty = true;
  }

  /** Look from a named side, at the distance that keeps the whole body in view, and keep it framed. */
  view(name: ViewName): void {
    this.following = name;
    this.place(name);
  }

  /** Whether every joint of the shown pose projects inside the view (false: none shown). */
  bodyInView(): boolean {
    if (!this.group.visible) return false;
    this.camera.updateMatrixWorld();
    const matrix = new THREE.Matrix4();
    const p = new THREE.Vector3();
    for (let i = 0; i < NUM_LANDMARKS; i++) {
      p.setFromMatrixPosition(this.joints.getMatrixAt(i, matrix));
      p.x *= this.group.scale.x;
      p.project(this.camera);
      if (Math.abs(p.x) > 1 || Math.abs(p.y) > 1) return false;
    }
    return true;
  }

  /** Turn around the body: `azimuth` left/right and `polar` up/down, in radians. */
  orbit(azimuth: number, polar: number): void {
    const offset = this.camera.position.clone().sub(this.controls.target);
    const spherical = new THREE.Spherical().setFromVector3(offset);
    spherical.theta += azimuth;
    spherical.phi = Math.min(Math.PI - 0.05, Math.max(0.05, spherical.phi + polar));
    this.camera.position.setFromSpherical(spherical).add(this.controls.target);
    this.controls.update();
    this.dirty = true;
  }

  private onKey = (e: KeyboardEvent) => {
    const step = Math.PI / 12;
    const turns: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    const turn = turns[e.key];
    if (!turn) return;
    e.preventDefault();
    this.following = null;
    this.orbit(turn[0], turn[1]);
  };

  /** Render if anything changed; returns whether it did. */
  renderIfDirty(): boolean {
    if (!this.dirty) return false;
    this.dirty = false;
    this.renderer.render(this.scene, this.camera);
    this.frames++;
    return true;
  }

  dispose(): void {
    this.canvas.removeEventListener("keydown", this.onKey);
    this.controls.dispose();
    this.bones.geometry.dispose();
    this.boneMaterial.dispose();
    this.joints.geometry.dispose();
    this.renderer.dispose();
  }
}
