import { afterEach, describe, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import { openSocket, socketTarget } from "../../src/lib/sockets";

describe("socketTarget", () => {
  it("puts Socket.IO under the backend URL's path", () => {
    expect(socketTarget("http://studio.local:8000", "/socket.io")).toEqual({
      origin: "http://studio.local:8000",
      path: "/socket.io",
    });
    expect(socketTarget("https://lab.example/pose/", "/agent/socket.io")).toEqual({
      origin: "https://lab.example",
      path: "/pose/agent/socket.io",
    });
    expect(socketTarget("/studio", "/socket.io", "http://host:9000/page")).toEqual({
      origin: "http://host:9000",
      path: "/studio/socket.io",
    });
  });
});

describe("openSocket", () => {
  const opened: Socket[] = [];
  afterEach(() => opened.splice(0).forEach((s) => s.close()));

  // Real socket.io-client sockets, left unconnected: what they would connect to is what counts.
  const open = (...args: Parameters<typeof openSocket>) => {
    const socket = openSocket(...args);
    opened.push(socket);
    return socket;
  };

  it("opens the pose namespace with the token, reconnecting quickly", () => {
    const socket = open("pose", "http://studio.local:8000/base", "tok", { autoConnect: false });
    expect(socket.connected).toBe(false);
    expect(socket["nsp"]).toBe("/pose");
    expect(socket.auth).toEqual({ token: "tok" });
    expect(socket.io.opts.path).toBe("/base/socket.io");
    expect(socket.io.opts.transports).toEqual(["websocket", "polling"]);
    expect(socket.io.reconnectionDelay()).toBe(300);
    expect(socket.io.reconnectionDelayMax()).toBe(4000);
    expect(socket.io.randomizationFactor()).toBe(0.4);
  });

  it("opens the agent's push namespace the same way, on its own path", () => {
    const socket = open("agent", "http://studio.local:8000/base", "tok", { autoConnect: false });
    expect(socket["nsp"]).toBe("/agent");
    expect(socket.auth).toEqual({ token: "tok" });
    expect(socket.io.opts.path).toBe("/base/agent/socket.io");
    expect(socket.io.reconnectionDelayMax()).toBe(10_000);
  });

  it("signed in without a token, sends no token and lets the session cookie go", () => {
    const socket = open("pose", "http://studio.local:8000", null, { autoConnect: false });
    expect(socket.auth).toEqual({});
    expect(socket.io.opts.withCredentials).toBe(true);
    const withToken = open("agent", "http://studio.local:8000", "tok", { autoConnect: false });
    expect(withToken.io.opts.withCredentials).toBe(false);
  });
});
