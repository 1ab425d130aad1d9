import { useCallback, useEffect, useState } from "react";
import { describeError } from "../lib/account";

/** Data from the server for a page: loaded when `load` changes, again on `reload()`. */
export function useLoad<T>(load: () => Promise<T>): {
  data: T | null;
  error: string;
  reload: () => void;
} {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState("");
  const [epoch, setEpoch] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError("");
      },
      (e: unknown) => live && setError(describeError(e)),
    );
    return () => {
      live = false;
    };
  }, [load, epoch]);
  const reload = useCallback(() => setEpoch((n) => n + 1), []);
  return { data, error, reload };
}

/** Run one change against the server; its error, readable, until the next one. */
export function useAction(): {
  busy: boolean;
  error: string;
  run: (action: () => Promise<unknown>) => Promise<boolean>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const run = useCallback(async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError("");
    try {
      await action();
      return true;
    } catch (e) {
      setError(describeError(e));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}
