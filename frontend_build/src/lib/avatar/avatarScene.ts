/**
 * The avatar view's three.js scene: a humanoid (the mannequin or a VRM) driven by the
 * stream's skeletons, rendered on every display frame (the motion interpolates between
 * poses), over a floor with a soft contact shadow, with orbit controls.
 */
import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import type { PoseSource } from "../poseSource";
import { boneMapping, type BoneName } from "./bones";
import { FingerMotion } from "./fingers";
import type { AvatarModel } from "./model";
import { SkeletonMotion, type MotionState } from "./motion";
import { applyMotion, jointPositions } from "./retarget";

const FEET: BoneName[] = ["leftFoot", "rightFoot", "leftToes", "rightToes"];

export interface AvatarColours {
  background: string;
  grid: string;
}

function shadowTexture(): THREE.Texture {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 128;
  const g = canvas.getContext("2d")!;
  const gradient = g.createRadialGradient(64, 64, 0, 64, 64, 64);
  gradient.addColorStop(0, "rgba(0,0,0,0.45)");
  gradient.addColorStop(1, "rgba(0,0,0,0)");
  g.fillStyle = gradient;
  g.fillRect(0, 0, 128, 128);
  return new THREE.CanvasTexture(canvas);
}

export class AvatarScene {
  readonly renderer: THREE.WebGLRenderer;
  readonly motion = new SkeletonMotion();
  /** The fingers, from the pose's hands (streams started with `hands`). */
  readonly fingers = new FingerMotion();
  private scene = new THREE.Scene();
  private camera = new THREE.PerspectiveCamera(35, 1, 0.05, 50);
  private controls: OrbitControls;
  /** Mirrors like the video; holds `frame`. */
  private display = new THREE.Group();
  /** The body's frame: the model stands in it, feet on the floor at y = 0. */
  readonly frame = new THREE.Group();
  private grid: THREE.GridHelper;
  private shadow: THREE.Mesh;
  private model: AvatarModel | null = null;
  private mapping: (BoneName | null)[] = boneMapping(null);
  private mappedFrom: readonly string[] | null | undefined = undefined;
  private lastAt: number | null = null;
  /** How high the lowest foot joint is above the floor in the model's rest pose. */
  private restClearance = 0;
  private lift = 0;
  frames = 0;

  constructor(
    canvas: HTMLCanvasElement,
    private readonly source: PoseSource,
    colours: AvatarColours,
  ) {
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: true, alpha: false });
    this.renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
    this.renderer.toneMapping = THREE.ACESFilmicToneMapping;
    this.camera.position.set(0.9, 1.35, 3.6);
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.target.set(0, 0.95, 0);
    this.controls.minDistance = 0.8;
    this.controls.maxDistance = 10;
    this.controls.update();
    this.controls.listenToKeyEvents(canvas);

    const hemisphere = new THREE.HemisphereLight("#f1f5ff", "#3a3530", 1.6);
    const key = new THREE.DirectionalLight("#ffffff", 2.2);
    key.position.set(1.5, 3, 2.5);
    const rim = new THREE.DirectionalLight("#b8d4ff", 1.2);
    rim.position.set(-2, 2, -2.5);
    this.grid = new THREE.GridHelper(6, 24, colours.grid, colours.grid);
    this.shadow = new THREE.Mesh(
      new THREE.PlaneGeometry(1.2, 1.2),
      new THREE.MeshBasicMaterial({ map: shadowTexture(), transparent: true, depthWrite: false }),
    );
    this.shadow.rotation.x = -Math.PI / 2;
    this.shadow.position.y = 0.002;
    this.display.add(this.frame);
    this.scene.add(hemisphere, key, rim, this.grid, this.shadow, this.display);
    this.setColours(colours);
  }

  setColours(colours: AvatarColours): void {
    this.scene.background = new THREE.Color(colours.background);
    const grid = this.grid.material as THREE.LineBasicMaterial;
    grid.color = new THREE.Color(colours.grid);
    grid.vertexColors = false;
    grid.opacity = 0.6;
    grid.transparent = true;
    grid.needsUpdate = true;
  }

  /** Show this model instead of the current one (which is disposed). */
  setModel(model: AvatarModel): void {
    if (this.model) {
      this.frame.remove(this.model.object);
      this.model.dispose();
    }
    this.model = model;
    this.frame.add(model.object);
    this.lift = 0;
    this.frame.position.y = 0;
    this.restClearance = this.lowestFoot() ?? 0;
  }

  /** The lowest foot or toe joint's height in the display (null: the model has none). */
  private lowestFoot(): number | null {
    const model = this.model;
    if (!model) return null;
    this.display.updateWorldMatrix(true, true);
    let lowest = Infinity;
    const at = new THREE.Vector3();
    for (const bone of FEET) {
      const node = model.joint(bone);
      if (node) lowest = Math.min(lowest, this.display.worldToLocal(node.getWorldPosition(at)).y);
    }
    return Number.isFinite(lowest) ? lowest : null;
  }

  get current(): AvatarModel | null {
    return this.model;
  }

  resize(width: number, height: number): void {
    if (width < 1 || height < 1) return;
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
  }

  /** One display frame at `now` (`performance.now()`): follow the source, pose the model, render. */
  frameAt(now: number): MotionState {
    const pose = this.source.poseAt(now);
    if (pose === null && this.motion.live) this.motion.reset();
    if (this.source.bones !== this.mappedFrom) {
      this.mappedFrom = this.source.bones;
      this.mapping = boneMapping(this.source.bones);
    }
    this.motion.push(pose, now);
    const state = this.motion.sample(now);
    this.display.scale.x = this.source.mirrored ? -1 : 1;
    const dt = this.lastAt === null ? 0 : Math.min(0.1, (now - this.lastAt) / 1000);
    this.lastAt = now;
    if (this.model) {
      applyMotion(this.model, state, this.mapping);
      const image = pose?.image;
      this.fingers.update(pose?.hands, image && image.width > 0 ? image.height / image.width : 1, dt);
      this.fingers.apply(this.model);
      this.model.update(dt);
      // Stand on the floor: a bent knee lifts the feet (the body model's root is the
      // hips), so the figure comes down, eased so that a step does not jolt it.
      const lowest = this.lowestFoot();
      if (lowest !== null) {
        const scale = this.model.scalesWithBody ? this.model.object.scale.y : 1;
        const wanted = this.lift + this.restClearance * scale - lowest;
        this.lift += (wanted - this.lift) * (1 - Math.exp(-dt / 0.15));
        this.frame.position.y = this.lift;
      }
    }
    this.renderer.render(this.scene, this.camera);
    this.frames++;
    return state;
  }

  /** Joint positions in the body's frame, as rendered (the test hook). */
  joints(): Partial<Record<BoneName, [number, number, number]>> {
    return this.model ? jointPositions(this.model, this.frame) : {};
  }

  dispose(): void {
    this.model?.dispose();
    this.controls.dispose();
    this.grid.dispose();
    this.shadow.geometry.dispose();
    const material = this.shadow.material as THREE.MeshBasicMaterial;
    material.map?.dispose();
    material.dispose();
    this.renderer.dispose();
  }
}
