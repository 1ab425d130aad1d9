import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { relativeTime, renderAnswer } from "../../src/components/markdown";

const html = (text: string) => renderToStaticMarkup(<>{renderAnswer(text)}</>);

describe("renderAnswer", () => {
  it("renders markup in an answer as text, never as HTML", () => {
    expect(html('<img src=x onerror="alert(1)"> **hi**')).toBe(
      "<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <strong>hi</strong></p>",
    );
  });

  it("keeps line breaks and paragraphs", () => {
    expect(html("one\ntwo\n\nthree")).toBe("<p>one<br/>two</p><p>three</p>");
  });

  it("renders lists, code and emphasis", () => {
    expect(html("- left knee: `12°`\n- right *steady*")).toBe(
      "<ul><li>left knee: <code>12°</code></li><li>right <em>steady</em></li></ul>",
    );
    expect(html("1. stand\n2. squat")).toBe("<ol><li>stand</li><li>squat</li></ol>");
  });

  it("leaves unbalanced markers alone", () => {
    expect(html("2 * 3 = 6 and a ` tick")).toBe("<p>2 * 3 = 6 and a ` tick</p>");
  });
});

describe("relativeTime", () => {
  it("says how long ago, in readable units", () => {
    expect(relativeTime(10_000, 52_000)).toBe("42 s ago");
    expect(relativeTime(0, 600_000)).toBe("10 min ago");
    expect(relativeTime(5_000, 3_000)).toBe("in 2 s");
  });
});
