import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { startS3rverProcess } from "../../support/s3rver-process";

describe("s3rver in its own process", () => {
  it("pages ListObjectsV2 with continuation tokens on this Node version", async () => {
    const s3 = await startS3rverProcess({ buckets: ["paging"] });
    try {
      for (let i = 0; i < 5; i++) await s3.client.send(new PutObjectCommand({ Bucket: "paging", Key: `k/${i}`, Body: "x" }));
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.client.send(new ListObjectsV2Command({ Bucket: "paging", Prefix: "k/", MaxKeys: 2, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.NextContinuationToken;
      } while (token);
      expect(keys).toEqual(["k/0", "k/1", "k/2", "k/3", "k/4"]);
    } finally {
      await s3.stop();
    }
  });
});
