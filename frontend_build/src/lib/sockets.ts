/**
 * The one Socket.IO factory: the pose backend's `/pose` namespace and the agent's `/agent`
 * push both open here, under the backend URL, with the API token as `auth`, or, signed
 * in without one, with the browser's session cookie (`withCredentials`).
 */
import { io, type Socket } from "socket.io-client";

/** Each service's namespace, its path below the backend URL, and how it reconnects. */
export const SERVICES = {
  // Poses are live: come back quickly after a restart of the server.
  pose: {
    namespace: "/pose",
    path: "/socket.io",
    reconnectionDelay: 300,
    reconnectionDelayMax: 4000,
    randomizationFactor: 0.4,
  },
  // Robots: status, telemetry and the lease come back as soon as the server does.
  robots: {
    namespace: "/robots",
    path: "/socket.io",
    reconnectionDelay: 300,
    reconnectionDelayMax: 2000,
    randomizationFactor: 0.3,
  },
  // Results also come by polling while this socket is down: no hurry.
  agent: {
    namespace: "/agent",
    path: "/agent/socket.io",
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10_000,
    randomizationFactor: 0.5,
  },
} as const;

export type Service = keyof typeof SERVICES;

/** Socket.IO's origin and path under the backend URL (`/socket.io` at the root, or below a prefix). */
export function socketTarget(
  backendUrl: string,
  path: string,
  base: string = globalThis.location?.href,
): { origin: string; path: string } {
  const url = new URL(backendUrl, base);
  return { origin: url.origin, path: `${url.pathname.replace(/\/$/, "")}${path}` };
}

export interface SocketOptions {
  /** The page's address, for a relative backend URL. */
  base?: string;
  /** False: the caller connects when it is ready (tests look at the socket unconnected). */
  autoConnect?: boolean;
}

export function openSocket(
  service: Service,
  backendUrl: string,
  /** The API token; null: the session cookie authenticates. */
  token: string | null,
  { base, autoConnect = true }: SocketOptions = {},
): Socket {
  const { namespace, path, ...reconnect } = SERVICES[service];
  const target = socketTarget(backendUrl, path, base);
  return io(`${target.origin}${namespace}`, {
    path: target.path,
    auth: token ? { token } : {},
    // Cookies go with the polling transport's requests (and cross-origin at all) only so.
    withCredentials: token === null,
    transports: ["websocket", "polling"],
    autoConnect,
    ...reconnect,
  });
}
