import { BuiltinScorer, DEFAULT_INSIGHT_THRESHOLD, explainBuiltinScore, type DayPairs, type PairCount } from "../../../functions/core/scoring";
import { syntheticAccount } from "./synthetic-account";

const DAY = "2026/11/20";
const alice = "arn:aws:iam::111122223333:user/alice";
const pair = (principal: string, eventName: string, count: number, eventSource = "ec2.amazonaws.com"): PairCount => ({
  principal, principalType: "IAMUser", eventSource, eventName, count, firstSeen: "", lastSeen: "", firstEventId: "",
});
/** 14 days on which alice and 9 colleagues call DescribeInstances about 100 times and alice also GetObject 20 times. */
function habitualHistory(): DayPairs[] {
  return Array.from({ length: 14 }, (_, d) => ({
    day: `2026/11/${String(d + 6).padStart(2, "0")}`,
    pairs: [
      pair(alice, "DescribeInstances", 80 + ((d * 37) % 41)),
      pair(alice, "GetObject", 15 + ((d * 7) % 11), "s3.amazonaws.com"),
      ...Array.from({ length: 9 }, (_, u) => pair(`arn:aws:iam::111122223333:user/u${u}`, "DescribeInstances", 50 + u + d)),
      pair("arn:aws:iam::111122223333:user/u0", "CreateSnapshot", 2),
    ],
  }));
}

describe("the built-in scorer", () => {
  const scorer = new BuiltinScorer(habitualHistory());
  const threshold = DEFAULT_INSIGHT_THRESHOLD;

  it("is quiet for a principal doing what it always does", () => {
    const { score, components } = scorer.scoreOne(pair(alice, "DescribeInstances", 110));
    expect(score).toBeLessThan(0.1);
    expect(components).toMatchObject({ pairDays: 14, newPrincipal: false, novelty: expect.any(Number) });
  });

  it("flags an API that no one in the account has called, made by a known principal", () => {
    const { score, components } = scorer.scoreOne(pair(alice, "CreateAccessKey", 1, "iam.amazonaws.com"));
    expect(score).toBeGreaterThan(threshold);
    expect(components).toMatchObject({ pairDays: 0, callers: 0, accountRarity: 1, principalApis: 2, oneDayApis: 0, routine: 0.9667, tailProbability: null });
    expect(components.novelty).toBeGreaterThan(0.9);
    expect(explainBuiltinScore(components, 1)).toBe(
      "first call of this API by the principal in 14 days (active on 14, 2 APIs), which keeps to a routine; no principal in the account called it before",
    );
  });

  it("flags a first call by a principal that keeps to a routine, even of an API some colleagues use", () => {
    const shared = new BuiltinScorer(habitualHistory().map((d) => ({ ...d, pairs: [...d.pairs, ...[1, 2, 3].map((u) => pair(`arn:aws:iam::111122223333:user/u${u}`, "GetSecretValue", 2, "secretsmanager.amazonaws.com"))] })));
    const { score, components } = shared.scoreOne(pair(alice, "GetSecretValue", 1, "secretsmanager.amazonaws.com"));
    expect(components).toMatchObject({ routine: 0.9667, callers: 3, principals: 10 });
    expect(score).toBeGreaterThan(threshold);
  });

  it("stays quiet for a first call of a common API by a principal that often tries new ones", () => {
    const dev = "arn:aws:iam::111122223333:user/dev";
    // dev calls DescribeInstances daily and one API it never used before each day: an exploring repertoire.
    const history = habitualHistory().map((d, i) => ({ ...d, pairs: [...d.pairs, pair(dev, "DescribeInstances", 5), pair(dev, `Explore${i}`, 1)] }));
    const common = new BuiltinScorer(history.map((d) => ({ ...d, pairs: [...d.pairs, ...[1, 2, 3, 4, 5, 6].map((u) => pair(`arn:aws:iam::111122223333:user/u${u}`, "ListBuckets", 3, "s3.amazonaws.com"))] })));

    const { score, components } = common.scoreOne(pair(dev, "ListBuckets", 2, "s3.amazonaws.com"));
    expect(components).toMatchObject({ routine: 0.5, oneDayApis: 14 });
    expect(score).toBeLessThan(threshold);
    expect(score).toBeGreaterThan(0.3);
  });

  it("flags a volume far above the principal's own history of the pair", () => {
    const { score, components } = scorer.scoreOne(pair(alice, "GetObject", 2_000, "s3.amazonaws.com"));
    expect(score).toBeGreaterThan(0.95);
    expect(components.volume).toBe(1);
    expect(components.tailProbability).toBeLessThan(1e-6);
    expect(explainBuiltinScore(components, 2000)).toMatch(/2,000 calls vs\. about 20 a day \(chance < 1e-6\)/);
  });

  it("does not flag ordinary day-to-day variation", () => {
    expect(scorer.scoreOne(pair(alice, "GetObject", 35, "s3.amazonaws.com")).score).toBeLessThan(0.4);
  });

  it("judges a new principal only by how rare its calls are in the account", () => {
    const newcomer = "arn:aws:iam::111122223333:role/new-role";
    const common = scorer.scoreOne(pair(newcomer, "DescribeInstances", 50));
    const rare = scorer.scoreOne(pair(newcomer, "PutBucketPolicy", 1, "s3.amazonaws.com"));
    expect(common.components.newPrincipal).toBe(true);
    expect(common.score).toBeLessThan(0.5);
    expect(rare.score).toBeGreaterThan(threshold);
  });

  it("judges nothing without enough history, instead of calling everything new", async () => {
    const young = new BuiltinScorer(habitualHistory().slice(0, 2));
    const [s] = await young.score([pair(alice, "CreateAccessKey", 1, "iam.amazonaws.com")]);
    expect(s).toEqual({ score: 0, components: expect.objectContaining({ insufficientHistory: true, historyDays: 2 }) });
  });

  it("leaves days without data out of the window", () => {
    const gappy = new BuiltinScorer([...habitualHistory(), { day: "2026/11/19", pairs: [] }]);
    expect(gappy.scoreOne(pair(alice, "GetObject", 20, "s3.amazonaws.com")).components.historyDays).toBe(14);
  });

  it("scores an ordinary synthetic account's day mostly below the default threshold and always within [0, 1]", async () => {
    const account = syntheticAccount(7);
    const history = account.history(DAY, 14);
    const today = account.day(DAY);
    const scores = await new BuiltinScorer(history).score(today.pairs);

    const above = scores.filter((s) => s.score > threshold).length;
    expect(scores.every((s) => s.score >= 0 && s.score <= 1)).toBe(true);
    expect(above / scores.length).toBeLessThan(0.01);
  });

  it("puts injected anomalies in an ordinary synthetic day above the threshold", async () => {
    const account = syntheticAccount(11);
    const scorer = new BuiltinScorer(account.history(DAY, 14));
    const habit = account.habits.find((h) => h.daily === 1 && h.rate > 20 && h.rate < 100)!;
    const anomalies = [
      pair(habit.principal, "CreateAccessKey", 3, "iam.amazonaws.com"),
      pair(habit.principal, habit.eventName, Math.round(habit.rate * 40), habit.eventSource),
      pair("arn:aws:iam::111122223333:user/intruder", "GetSecretValue", 12, "secretsmanager.amazonaws.com"),
    ];
    const scores = await scorer.score(anomalies);
    expect(scores.map((s) => s.score > threshold)).toEqual([true, true, true]);
  });
});
