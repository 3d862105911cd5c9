import { describe, expect, it } from "vitest";
import type { PostedAlert } from "../settlement/settlement-backend.ts";
import { stepAlert } from "./derisk-coordination.ts";
import type { PolicyContext } from "./engine-policy.ts";
import { createAlertPoster } from "./post-alert.ts";

describe("posting the engine's alert", () => {
  it("the backend's level (the contract's riskLevel rule) equals the engine's at every step, posting only raises and renewals (each renewal is needed: the alert would lapse before the next step)", async () => {
    const start = 1_700_000_000n;
    const posts: PostedAlert[] = [];
    let last: PostedAlert = { level: 0, expiresSec: 0n };
    const post = createAlertPoster();
    // A quorum for level 1 from hour 5, level 2 from 10 to 30, level 1 until 40, then nothing.
    const quorum = (h: number) => (h >= 10 && h < 30 ? 2 : h >= 5 && h < 40 ? 1 : 0);
    let alert = { level: 0, expiresHour: 0 };
    let renewals = 0;
    for (let h = 0; h <= 80; h++) {
      const step = stepAlert(alert, quorum(h), h, 12, 1);
      if (step.renewed) renewals++;
      alert = step.next;
      const ctx = {
        hours: h,
        world: { stepHours: 1, startTime: start },
        postAlert: async (a: PostedAlert) => {
          posts.push(a);
          last = a;
        },
      } as unknown as PolicyContext;
      await post(ctx, alert);
      const now = start + BigInt(h * 3600);
      const onBackend = now < last.expiresSec ? last.level : 0;
      expect(onBackend, `hour ${h}`).toBe(alert.level);
    }
    expect(posts.map((p) => p.level)).toContain(2);
    expect(posts.length).toBeLessThanOrEqual(renewals);
    expect(posts.length).toBeGreaterThan(2);
  });
});
