import * as THREE from "three";
import { describe, expect, it } from "vitest";
import { RobotStage, placement, robotBody } from "../../src/robots/robotScene";

/** Where the robot's front part is, in three.js world coordinates. */
function frontOf(robot: THREE.Object3D): THREE.Vector3 {
  const front = robot.getObjectByName("front");
  if (!front) throw new Error("no front");
  return front.getWorldPosition(new THREE.Vector3());
}

describe("the robot in 3D", () => {
  it("maps the odometry frame (x forward, y left, yaw counter-clockwise) to three.js", () => {
    expect(placement({ x: 1, y: 2, yaw: 0.5 })).toEqual({ position: [1, 0, -2], rotationY: 0.5 });
  });

  it("puts the body at the pose, facing where the yaw says", () => {
    const stage = new RobotStage();
    const robot = stage.update("go2", { x: 1, y: 2, yaw: 0 });
    expect(robot.position.toArray()).toEqual([1, 0, -2]);
    const ahead = frontOf(robot).sub(robot.position);
    expect(ahead.x).toBeGreaterThan(0.3); // forward is odometry +x
    expect(Math.abs(ahead.z)).toBeLessThan(1e-9);
    // A quarter turn counter-clockwise: it faces odometry +y (its left), three.js -z.
    stage.update("go2", { x: 1, y: 2, yaw: Math.PI / 2 });
    const left = frontOf(robot).sub(robot.position);
    expect(left.z).toBeLessThan(-0.3);
    expect(Math.abs(left.x)).toBeLessThan(1e-9);
  });

  it("keeps the last pose when telemetry has none, and rebuilds for another model", () => {
    const stage = new RobotStage();
    const go2 = stage.update("go2", { x: 3, y: 0, yaw: 0 });
    expect(stage.update("go2", null)).toBe(go2);
    expect(go2.position.x).toBe(3);
    const g1 = stage.update("g1", null);
    expect(g1).not.toBe(go2);
    expect(stage.scene.children).toContain(g1);
    expect(stage.scene.children).not.toContain(go2);
  });

  it("builds a Go2 long and low, a G1 tall", () => {
    const size = (model: "go2" | "g1") =>
      new THREE.Box3().setFromObject(robotBody(model)).getSize(new THREE.Vector3());
    const go2 = size("go2");
    const g1 = size("g1");
    expect(go2.x).toBeGreaterThan(go2.y);
    expect(g1.y).toBeGreaterThan(1.2);
    expect(g1.y).toBeGreaterThan(g1.x * 3);
  });
});
