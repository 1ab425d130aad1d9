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

export class SkeletonScene {
  readonly renderer: THREE.WebGLRenderer;
  private scene = new THREE.Scene();
  private camera = new THREE.PerspectiveCamera(45, 1, 0.05, 50);
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
    this.controls.listenToKeyEvents(canvas);
    this.controls.addEventListener("change", () => (this.dirty = true));

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
    for (let i = 0; i < NUM_LANDMARKS; i++) {
      this.joints.setMatrixAt(i, matrix.makeTranslation(at(i)));
      this.joints.setColorAt(i, tint(sideOf(i), world[i][3]));
    }
    this.joints.instanceMatrix.needsUpdate = true;
    if (this.joints.instanceColor) this.joints.instanceColor.needsUpdate = true;
    // The floor follows the feet slowly, so the grid does not jump with every step.
    const lowest = Math.min(...FEET.map((i) => -world[i][1]));
    if (Number.isFinite(lowest)) this.floorY += (lowest - 0.01 - this.floorY) * 0.1;
    this.grid.position.y = this.floorY;
  }

  /** Render if anything changed; returns whether it did. */
  renderIfDirty(): boolean {
    if (!this.dirty) return false;
    this.dirty = false;
    this.renderer.render(this.scene, this.camera);
    this.frames++;
    return true;
  }

  dispose(): void {
    this.controls.dispose();
    this.bones.geometry.dispose();
    this.boneMaterial.dispose();
    this.joints.geometry.dispose();
    this.renderer.dispose();
  }
}
