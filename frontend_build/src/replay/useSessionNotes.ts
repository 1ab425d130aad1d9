/**
 * A session's annotations (kept sorted as they are added, edited and deleted), its events
 * and analytics, and the marks the timeline shows for them: the events route's when the
 * server has it, else the analytics' repetitions and spans out of view.
 */
import { useEffect, useMemo, useState } from "react";
import { describeError } from "../lib/account";
import type { Annotation, NewAnnotation, SessionAnalytics, SessionEvent, SessionsClient } from "./api";
import type { Mark } from "./Timeline";

export function useSessionNotes(client: SessionsClient, sessionId: string) {
  const [annotations, setAnnotations] = useState<Annotation[]>([]);
  const [events, setEvents] = useState<SessionEvent[] | null>(null);
  const [analytics, setAnalytics] = useState<SessionAnalytics | null | undefined>(undefined);
  const [sideError, setSideError] = useState("");
  useEffect(() => {
    let live = true;
    const fail = (e: unknown) => live && setSideError(describeError(e));
    client.annotations(sessionId).then((a) => live && setAnnotations(a), fail);
    client.events(sessionId).then((e) => live && setEvents(e), fail);
    client.analytics(sessionId).then(
      (a) => live && setAnalytics(a),
      (e: unknown) => {
        if (!live) return;
        setAnalytics(null);
        fail(e);
      },
    );
    return () => {
      live = false;
    };
  }, [client, sessionId]);
  const byTs = (a: Annotation, b: Annotation) => a.ts - b.ts || a.id - b.id;
  const addAnnotation = async (a: NewAnnotation) => {
    const made = await client.addAnnotation(sessionId, a);
    setAnnotations((all) => [...all, made].sort(byTs));
  };
  const editAnnotation = async (id: number, changes: Partial<NewAnnotation>) => {
    const made = await client.editAnnotation(sessionId, id, changes);
    setAnnotations((all) => all.map((x) => (x.id === id ? made : x)).sort(byTs));
  };
  const deleteAnnotation = async (id: number) => {
    await client.deleteAnnotation(sessionId, id);
    setAnnotations((all) => all.filter((x) => x.id !== id));
  };
  const marks = useMemo<Mark[]>(() => {
    const out: Mark[] = annotations.map((a) => ({
      key: `a${a.id}`,
      kind: "annotation",
      ts: a.ts,
      end_ts: a.end_ts,
      label: a.label,
    }));
    // The events route when the server has it; else what the analytics say.
    const others: SessionEvent[] =
      events ??
      (analytics
        ? [
            ...analytics.repetitions.map((r, i): SessionEvent => ({
              kind: "repetition",
              ts: r.ts,
              end_ts: r.end_ts,
              label: `rep ${i + 1}`,
            })),
            ...analytics.in_view.spans_out.map((s): SessionEvent => ({
              kind: "out_of_view",
              ts: s.ts,
              end_ts: s.end_ts,
              label: "out of view",
            })),
          ]
        : []);
    others
      .filter((e) => e.kind !== "annotation")
      .forEach((e, i) =>
        out.push({ key: `e${i}`, kind: e.kind, ts: e.ts, end_ts: e.end_ts, label: e.label }),
      );
    return out;
  }, [annotations, events, analytics]);
  return { annotations, analytics, marks, sideError, addAnnotation, editAnnotation, deleteAnnotation };
}
