/**
 * A deliberately small Markdown subset rendered to React elements (never to HTML):
 * paragraphs, line breaks, "- " / "* " / "1. " lists, **bold**, *italic* and `code`.
 * Anything else stays literal text, so an answer can never inject markup.
 */
import type { ReactNode } from "react";

const INLINE = /(\*\*[^*\n]+\*\*|`[^`\n]+`|\*[^*\n]+\*)/g;

export function renderInline(text: string, keyPrefix = ""): ReactNode[] {
  return text.split(INLINE).map((part, i) => {
    const key = `${keyPrefix}${i}`;
    if (part.startsWith("**") && part.endsWith("**") && part.length > 4)
      return <strong key={key}>{part.slice(2, -2)}</strong>;
    if (part.startsWith("`") && part.endsWith("`") && part.length > 2)
      return <code key={key}>{part.slice(1, -1)}</code>;
    if (part.startsWith("*") && part.endsWith("*") && part.length > 2)
      return <em key={key}>{part.slice(1, -1)}</em>;
    return part;
  });
}

export function renderAnswer(text: string): ReactNode[] {
  const blocks = text.replace(/\r\n?/g, "\n").split(/\n{2,}/);
  return blocks.map((block, b) => {
    const lines = block.split("\n").filter((l) => l.trim() !== "");
    const bullet = /^\s*(?:[-*]|\d+[.)])\s+/;
    if (lines.length > 0 && lines.every((l) => bullet.test(l))) {
      const ordered = /^\s*\d/.test(lines[0]);
      const items = lines.map((l, i) => <li key={i}>{renderInline(l.replace(bullet, ""), `${b}.${i}.`)}</li>);
      return ordered ? <ol key={b}>{items}</ol> : <ul key={b}>{items}</ul>;
    }
    return (
      <p key={b}>
        {lines.flatMap((l, i) =>
          i ? [<br key={`br${i}`} />, ...renderInline(l, `${b}.${i}.`)] : renderInline(l, `${b}.${i}.`),
        )}
      </p>
    );
  });
}

/** "12 s ago", "3 min ago", "in 2 s" — a timestamp relative to now. */
export function relativeTime(ts: number, now: number): string {
  const seconds = Math.round((now - ts) / 1000);
  const abs = Math.abs(seconds);
  const text =
    abs < 90 ? `${abs} s` : abs < 5400 ? `${Math.round(abs / 60)} min` : `${Math.round(abs / 3600)} h`;
  return seconds >= 0 ? `${text} ago` : `in ${text}`;
}
