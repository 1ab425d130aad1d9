import { useEffect, type RefObject } from "react";

/** While `open`, Escape or a press outside `box` calls `dismiss` (menus and popovers). */
export function useDismiss(open: boolean, box: RefObject<HTMLElement | null>, dismiss: () => void): void {
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === "Escape" : !box.current?.contains(e.target as Node))
        dismiss();
    };
    document.addEventListener("pointerdown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("pointerdown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open, box, dismiss]);
}
