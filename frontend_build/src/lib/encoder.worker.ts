/// <reference lib="webworker" />
/** JPEG encoding off the main thread: ImageBitmap in, JPEG bytes out (transferred, not copied). */

export interface EncodeRequest {
  id: number;
  bitmap: ImageBitmap;
  width: number;
  height: number;
  quality: number;
}

export type EncodeReply = { id: number; jpeg: ArrayBuffer } | { id: number; error: string };

let canvas: OffscreenCanvas | null = null;

self.onmessage = async (event: MessageEvent<EncodeRequest>) => {
  const { id, bitmap, width, height, quality } = event.data;
  try {
    if (!canvas || canvas.width !== width || canvas.height !== height) {
      canvas = new OffscreenCanvas(width, height);
    }
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("no 2D context on OffscreenCanvas");
    ctx.drawImage(bitmap, 0, 0, width, height);
    const blob = await canvas.convertToBlob({ type: "image/jpeg", quality });
    const jpeg = await blob.arrayBuffer();
    (self as unknown as DedicatedWorkerGlobalScope).postMessage({ id, jpeg } satisfies EncodeReply, [jpeg]);
  } catch (err) {
    (self as unknown as DedicatedWorkerGlobalScope).postMessage({
      id,
      error: String(err),
    } satisfies EncodeReply);
  } finally {
    bitmap.close();
  }
};
