import type { PolicyStatementSpec } from "../platform/policy-document";

/** Where the Splunk HEC token is kept: exactly one reference, never the token itself. */
export type HecTokenReference = { tokenSecretArn: string; tokenParameterName?: undefined } | { tokenParameterName: string; tokenSecretArn?: undefined };

/** The ARN of an SSM parameter from its name (`/a/b` and `a` both work). */
export function parameterArn(partition: string, region: string, account: string, name: string): string {
  return `arn:${partition}:ssm:${region}:${account}:parameter${name.startsWith("/") ? name : `/${name}`}`;
}

/**
 * Read access to the HEC token and nothing else: `secretsmanager:GetSecretValue` on that one secret,
 * or `ssm:GetParameter` on that one parameter; plus `kms:Decrypt` only when the call comes through
 * that service for that secret/parameter (encryption-context condition), whichever key encrypts it.
 */
export function hecTokenStatements(ref: HecTokenReference, ctx: { partition: string; region: string; account: string }): PolicyStatementSpec[] {
  if (ref.tokenSecretArn) {
    const region = ref.tokenSecretArn.split(":")[3] ?? ctx.region;
    const account = ref.tokenSecretArn.split(":")[4] ?? ctx.account;
    return [
      { sid: "ReadHecTokenSecret", actions: ["secretsmanager:GetSecretValue"], resources: [ref.tokenSecretArn] },
      {
        sid: "DecryptHecTokenSecret",
        actions: ["kms:Decrypt"],
        resources: [`arn:${ctx.partition}:kms:${region}:${account}:key/*`],
        conditions: [
          { test: "StringEquals", variable: "kms:ViaService", values: [`secretsmanager.${region}.amazonaws.com`] },
          { test: "StringEquals", variable: "kms:EncryptionContext:SecretARN", values: [ref.tokenSecretArn] },
        ],
      },
    ];
  }
  const arn = parameterArn(ctx.partition, ctx.region, ctx.account, ref.tokenParameterName!);
  return [
    { sid: "ReadHecTokenParameter", actions: ["ssm:GetParameter"], resources: [arn] },
    {
      sid: "DecryptHecTokenParameter",
      actions: ["kms:Decrypt"],
      resources: [`arn:${ctx.partition}:kms:${ctx.region}:${ctx.account}:key/*`],
      conditions: [
        { test: "StringEquals", variable: "kms:ViaService", values: [`ssm.${ctx.region}.amazonaws.com`] },
        { test: "StringEquals", variable: "kms:EncryptionContext:PARAMETER_ARN", values: [arn] },
      ],
    },
  ];
}
