/**
 * Frame encoder: video frame to JPEG bytes. A worker with OffscreenCanvas encodes off
 * the main thread; where that is missing, `canvas.toBlob` (asynchronous) does it.
 */
import type { JpegEncoder } from "./capture";
import type { EncodeReply, EncodeRequest } from "./encoder.worker";

export class FrameEncoder implements JpegEncoder {
  private worker: Worker | null = null;
  private pending = new Map<number, { resolve: (b: ArrayBuffer) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private canvas: HTMLCanvasElement | null = null;

  constructor() {
    if (
      typeof OffscreenCanvas !== "undefined" &&
      typeof Worker !== "undefined" &&
      typeof createImageBitmap !== "undefined"
    ) {
      try {
        this.worker = new Worker(new URL("./encoder.worker.ts", import.meta.url), { type: "module" });
        this.worker.onmessage = (event: MessageEvent<EncodeReply>) => this.onReply(event.data);
        this.worker.onerror = () => this.failWorker();
      } catch {
        this.worker = null;
      }
    }
  }

  async encode(
    video: HTMLVideoElement,
    width: number,
    height: number,
    quality: number,
  ): Promise<ArrayBuffer> {
    if (this.worker) {
      const bitmap = await createImageBitmap(video, {
        resizeWidth: width,
        resizeHeight: height,
        resizeQuality: "medium",
      });
      const id = this.nextId++;
      return new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.worker!.postMessage({ id, bitmap, width, height, quality } satisfies EncodeRequest, [bitmap]);
      });
    }
    return this.encodeOnPage(video, width, height, quality);
  }

  private async encodeOnPage(
    video: HTMLVideoElement,
    width: number,
    height: number,
    quality: number,
  ): Promise<ArrayBuffer> {
    this.canvas ??= document.createElement("canvas");
    this.canvas.width = width;
    this.canvas.height = height;
    const ctx = this.canvas.getContext("2d");
    if (!ctx) throw new Error("no 2D canvas context");
    ctx.drawImage(video, 0, 0, width, height);
    const blob = await new Promise<Blob | null>((resolve) =>
      this.canvas!.toBlob(resolve, "image/jpeg", quality),
    );
    if (!blob) throw new Error("the browser could not encode the frame");
    return blob.arrayBuffer();
  }

  private onReply(reply: EncodeReply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if ("jpeg" in reply) waiter.resolve(reply.jpeg);
    else waiter.reject(new Error(reply.error));
  }

  private failWorker(): void {
    this.worker?.terminate();
    this.worker = null;
    for (const waiter of this.pending.values()) waiter.reject(new Error("the encoder worker failed"));
    this.pending.clear();
  }

  close(): void {
    this.failWorker();
  }
}
