import { assertEquals, assertStringIncludes } from "../../_assert.ts";
import {
  formatBytes,
  formatRate,
  progressBar,
  progressReporter,
} from "../../../lib/conda/progress.ts";

Deno.test("formatBytes() shows bytes below 1000 as B and larger sizes in decimal units", () => {
  assertEquals(formatBytes(0), "0 B");
  assertEquals(formatBytes(999), "999 B");
  assertEquals(formatBytes(1000), "1.0 KB");
  assertEquals(formatBytes(83_100_000), "83.1 MB");
  assertEquals(formatBytes(2_500_000_000), "2.5 GB");
});

Deno.test("formatRate() is bytes per second, and '-' before time has passed", () => {
  assertEquals(formatRate(2_000_000, 2000), "1.0 MB/s");
  assertEquals(formatRate(10, 0), "-");
});

Deno.test("progressBar() fills in proportion to the bytes received", () => {
  assertEquals(
    progressBar({ received: 50, total: 100 }, 1000, 10),
    "[=====     ]  50 B / 100 B  50 B/s",
  );
  assertEquals(progressBar({ received: 0, total: 100 }, 0, 4), "[    ]  0 B / 100 B  -");
  assertEquals(
    progressBar({ received: 100, total: 100 }, 1000, 4),
    "[====]  100 B / 100 B  100 B/s",
  );
});

Deno.test("progressBar() shows only bytes and rate when the total is unknown", () => {
  assertEquals(progressBar({ received: 1500, total: null }, 1000), "1.5 KB  1.5 KB/s");
});

function sink(terminal: boolean) {
  const written: string[] = [];
  let clock = 0;
  return {
    written,
    tick: (ms: number) => void (clock += ms),
    sink: { write: (t: string) => void written.push(t), now: () => clock, terminal },
  };
}

Deno.test("progressReporter() on a terminal redraws one line in place and ends it", () => {
  const s = sink(true);
  const r = progressReporter("https://h/i.sh", s.sink);
  s.tick(500);
  r.update({ received: 500, total: 1000 });
  s.tick(500);
  r.update({ received: 1000, total: 1000 });
  r.done();
  assertEquals(s.written[0], "llm: downloading https://h/i.sh\n");
  assertEquals(s.written[1], `\r${progressBar({ received: 500, total: 1000 }, 500)}\x1b[K`);
  assertEquals(s.written.at(-1), "\n");
  assertEquals(s.written.filter((w) => w.startsWith("\r")).length >= 2, true);
});

Deno.test("progressReporter() on a terminal redraws at most every 100 ms", () => {
  const s = sink(true);
  const r = progressReporter("u", s.sink);
  for (let i = 1; i <= 50; i++) r.update({ received: i, total: 1000 });
  assertEquals(s.written.filter((w) => w.startsWith("\r")).length, 1);
});

Deno.test("progressReporter() off a terminal prints a start line and a summary line only", () => {
  const s = sink(false);
  const r = progressReporter("https://h/i.sh", s.sink);
  r.update({ received: 1_000_000, total: 2_000_000 });
  s.tick(2000);
  r.update({ received: 2_000_000, total: 2_000_000 });
  r.done();
  assertEquals(s.written, [
    "llm: downloading https://h/i.sh\n",
    "llm: downloaded 2.0 MB in 2.0 s (1.0 MB/s)\n",
  ]);
});

Deno.test("progressReporter().abandon() ends a drawn bar so an error starts on a new line", () => {
  const s = sink(true);
  const r = progressReporter("u", s.sink);
  r.update({ received: 1, total: 10 });
  r.abandon();
  assertEquals(s.written.at(-1), "\n");
  const quiet = sink(false);
  progressReporter("u", quiet.sink).abandon();
  assertStringIncludes(quiet.written.join(""), "downloading u\n");
  assertEquals(quiet.written.length, 1);
});
