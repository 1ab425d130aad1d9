/**
 * Watching someone else's live stream, read-only: its own `/pose` connection sends
 * `watch` (again after every reconnect) and feeds the poses to a `LivePoses`, which the
 * views read like any other `PoseSource`.
 */
import { LivePoses } from "./poseSource";
import type { PoseMessage, WireError } from "./types";

/** The part of a Socket.IO socket a watch uses (a fake one in unit tests). */
export interface WatchSocket {
  on(event: string, listener: (...args: any[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  disconnect(): unknown;
}

export type WatchStatus = "connecting" | "watching" | "ended" | "refused";

/** Comma- or space-separated emails, trimmed, empty ones left out. */
export function parseEmails(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
}

export class WatchSession {
  readonly poses = new LivePoses(() => false);
  status: WatchStatus = "connecting";
  error: WireError | null = null;
  landmarkCount = 0;
  received = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly stream: string,
    private readonly socket: WatchSocket,
    private readonly now: () => number = () => performance.now(),
  ) {
    socket.on("connect", () => this.watch());
    socket.on("pose", (pose: PoseMessage) => this.onPose(pose));
    socket.on("unwatched", (notice: { stream?: string }) => {
      if (notice.stream !== this.stream) return;
      this.poses.clear();
      this.landmarkCount = 0;
      this.setStatus("ended");
    });
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setStatus(status: WatchStatus): void {
    this.status = status;
    this.listeners.forEach((l) => l());
  }

  private watch(): void {
    this.socket.emit("watch", { stream: this.stream }, (reply: { ok: boolean; error?: WireError }) => {
      if (reply?.ok) {
        this.error = null;
        this.setStatus("watching");
      } else {
        this.error = reply?.error ?? { code: "INTERNAL", message: "no answer to watch" };
        this.setStatus(this.error.code === "UNKNOWN_STREAM" ? "ended" : "refused");
      }
    });
  }

  private onPose(pose: PoseMessage): void {
    if (this.status !== "watching") return;
    this.received += 1;
    this.poses.receive(pose, this.now());
    this.landmarkCount = pose.persons[0]?.landmarks.length ?? 0;
  }

  /** Unwatch and close the connection. */
  close(): void {
    this.socket.emit("unwatch", { stream: this.stream }, () => undefined);
    this.socket.disconnect();
    this.listeners.clear();
  }
}
