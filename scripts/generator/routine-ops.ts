import { call, gap, type Activity, type Caller } from "./activity";
import type { Estate } from "./estate";
import { assumedRole, iamUserSignIn, role, sessionKey, webIdentityUser } from "./identities";
import type { AccountSpec, Organization } from "./organization";
import { OFFICE_IPS, RUNNER_IPS, type Person } from "./people";
import { stableHex } from "./random";
import { CI_ROLE, CI_SESSION, MGMT_IAM_USER, UA, ciIdentity, ssoRole } from "./routine";
import { HOUR, awsLongDate, isoSeconds } from "./time";

/**
 * Routine work that looks like attacks to rules that count: many deployments a day, applications
 * reading their secrets and SecureString parameters in bursts (below the thresholds, some close),
 * administrators on Session Manager, sign-ins with the odd typo, auto scaling launching instances.
 * The test "the routine of the generated organization raises no medium-or-higher alert"
 * (test/scripts/routine-quiet.test.ts) keeps it quiet.
 */

const OIDC = "token.actions.githubusercontent.com";

/** Secrets the checkout service's configuration loader reads at start-up: 8, two below the rule's 10. */
export const CONFIG_SECRETS = ["db-primary", "db-replica", "redis", "stripe", "sendgrid", "jwt-signing", "feature-flags-key", "partner-api"];
/** SecureString parameters the settings function decrypts at a cold start: 16, four below the rule's 20. */
export const SETTINGS_PARAMETERS = Array.from({ length: 16 }, (_, i) => `setting-${String(i + 1).padStart(2, "0")}`);

/** CI updating Lambda code straight from GitHub Actions (no CloudFormation), several functions per run. */
export function ciLambdaDeploys(a: AccountSpec, e: Estate, perHour: number): Activity {
  const r = role(a.id, CI_ROLE);
  return {
    id: "ci-lambda-deploy",
    perHour,
    curve: "ci",
    where: "home",
    emit(c) {
      const ip = c.rng.pick(RUNNER_IPS);
      const sub = `repo:corp/lambda-functions:ref:refs/heads/main`;
      call(c, { identity: webIdentityUser(a.id, OIDC, sub), ip, ua: UA.githubActions }, "sts.amazonaws.com", "AssumeRoleWithWebIdentity", {
        readOnly: true,
        requestParameters: { roleArn: r.arn, roleSessionName: CI_SESSION, durationSeconds: 3600 },
        responseElements: {
          credentials: { accessKeyId: sessionKey(a.id, "ci-lambda", c.t), sessionToken: c.token(), expiration: awsLongDate(c.t + HOUR) },
          subjectFromWebIdentityToken: sub,
          assumedRoleUser: { assumedRoleId: `${r.principalId}:${CI_SESSION}`, arn: `arn:aws:sts::${a.id}:assumed-role/${CI_ROLE}/${CI_SESSION}` },
          provider: `arn:aws:iam::${a.id}:oidc-provider/${OIDC}`, audience: "sts.amazonaws.com",
        },
        additionalEventData: { identityProviderConnectionVerificationMethod: "IAMTrustStore" },
        resources: [{ accountId: r.account, type: "AWS::IAM::Role", ARN: r.arn }],
      });
      const who: Caller = { identity: ciIdentity(a.id, c.t), ip, ua: UA.ciCli("lambda.update-function-code") };
      let dt = gap(c.rng, 3, 8);
      for (const fn of e.functions.slice(0, c.rng.range(1, 3))) {
        const fnArn = `arn:aws:lambda:${c.region}:${a.id}:function:${fn}`;
        const sha = c.rng.base64(43) + "=";
        call(c, who, "lambda.amazonaws.com", "UpdateFunctionCode20150331v2", {
          readOnly: false,
          requestParameters: { functionName: fn, s3Bucket: e.buckets.artifacts, s3Key: `lambda/${fn}/${c.rng.hex(12)}.zip`, publish: false, dryRun: false },
          responseElements: {
            functionName: fn, functionArn: fnArn, runtime: "nodejs20.x", role: `arn:aws:iam::${a.id}:role/${e.env}-${fn}-role`, handler: "index.handler",
            codeSize: c.rng.range(200_000, 4_000_000), timeout: 30, memorySize: 1024, lastModified: `${isoSeconds(c.t + dt).slice(0, 19)}.000+0000`,
            codeSha256: sha, version: "$LATEST", revisionId: c.rng.uuid(), state: "Active", lastUpdateStatus: "InProgress", packageType: "Zip", architectures: ["arm64"],
          },
        }, dt);
        dt += gap(c.rng, 2, 6);
        call(c, who, "lambda.amazonaws.com", "GetFunction20150331v2", { readOnly: true, requestParameters: { functionName: fn } }, dt);
        dt += gap(c.rng, 1, 3);
        const version = String(c.rng.range(100, 900));
        call(c, who, "lambda.amazonaws.com", "PublishVersion20150331", { readOnly: false, requestParameters: { functionName: fn, codeSha256: sha }, responseElements: { functionName: fn, functionArn: `${fnArn}:${version}`, version } }, dt);
        dt += gap(c.rng, 1, 3);
        call(c, who, "lambda.amazonaws.com", "UpdateAlias20150331", { readOnly: false, requestParameters: { functionName: fn, name: "live", functionVersion: version }, responseElements: { aliasArn: `${fnArn}:live`, name: "live", functionVersion: version } }, dt);
        dt += gap(c.rng, 2, 10);
      }
    },
  };
}

/** The checkout task's configuration loader: at each task start, its secrets one after the other. */
export function configLoader(a: AccountSpec, e: Estate): Activity {
  const r = role(a.id, `${e.env}-${e.ecsService}-task-role`);
  return {
    id: "ecs-config-loader",
    perHour: 0.4,
    curve: "always",
    where: "home",
    emit(c) {
      const taskId = c.rng.hex(32);
      const who: Caller = {
        identity: assumedRole(r, taskId, { accessKeyId: sessionKey(r.arn, taskId, c.t), created: c.t }),
        ip: `10.20.${64 + c.rng.int(32)}.${c.rng.range(10, 250)}`, ua: UA.javaEcs, vpce: `vpce-0${stableHex(16, "vpce", a.id, c.region)}`,
      };
      let dt = gap(c.rng, 1, 3);
      for (const s of CONFIG_SECRETS) {
        const name = `${e.env}/checkout/${s}`;
        call(c, who, "secretsmanager.amazonaws.com", "GetSecretValue", { readOnly: true, requestParameters: { secretId: `arn:aws:secretsmanager:${c.region}:${a.id}:secret:${name}-${stableHex(6, a.id, name)}` } }, dt);
        dt += gap(c.rng, 0.05, 0.4);
      }
    },
  };
}

/** A settings function decrypting its SecureString parameters at each cold start. */
export function settingsColdStarts(a: AccountSpec, e: Estate): Activity {
  const r = role(a.id, `${e.env}-settings-cache-role`);
  return {
    id: "lambda-settings-cache",
    perHour: 0.8,
    curve: "always",
    where: "home",
    emit(c) {
      const who: Caller = {
        identity: c.sessions.get(r.arn, c.t, 1, (created) => assumedRole(r, "settings-cache", { accessKeyId: sessionKey(r.arn, created), created })),
        ip: `34.250.${c.rng.range(1, 250)}.${c.rng.range(1, 250)}`, ua: UA.nodeLambda("ssm"),
      };
      const names = SETTINGS_PARAMETERS.map((n) => `/${e.env}/settings/${n}`);
      call(c, who, "ssm.amazonaws.com", "GetParameters", { readOnly: true, requestParameters: { names: names.slice(0, 8), withDecryption: true } }, gap(c.rng, 0.2, 1));
      call(c, who, "ssm.amazonaws.com", "GetParameters", { readOnly: true, requestParameters: { names: names.slice(8), withDecryption: true } }, gap(c.rng, 1, 2));
    },
  };
}

/**
 * An operator on Session Manager and Run Command: a shell on one of the two instances they look
 * after, sometimes a command on both. Never more than two instances per person.
 */
export function sessionManagerOps(a: AccountSpec, org: Organization, e: Estate, p: Person, index: number): Activity {
  const r = ssoRole(org, a.id, "AdministratorAccess");
  return {
    id: `ssm-ops-${p.login}`,
    perHour: 0.35,
    curve: "office",
    where: "home",
    emit(c) {
      const all = e.instances(c.region);
      const mine = [all[index % all.length]!, all[(index + 1) % all.length]!];
      const identity = c.sessions.get(r.arn + p.login, c.t, 4, (created) => assumedRole(r, p.login, { accessKeyId: sessionKey(r.arn, p.login, created), created }));
      const who: Caller = { identity, ip: p.homeIp, ua: UA.cli("ssm.start-session") };
      const target = c.rng.pick(mine);
      const sessionId = `${p.login.split("@")[0]}-${c.rng.hex(17)}`;
      call(c, who, "ssm.amazonaws.com", "StartSession", {
        readOnly: false,
        requestParameters: { target },
        responseElements: { sessionId, tokenValue: "Value hidden due to security reasons.", streamUrl: `wss://ssmmessages.${c.region}.amazonaws.com/v1/data-channel/${sessionId}?role=publish_subscribe&cell-number=AAEAAQ` },
      }, gap(c.rng, 1, 5));
      call(c, who, "ssm.amazonaws.com", "TerminateSession", { readOnly: false, requestParameters: { sessionId }, responseElements: { sessionId } }, gap(c.rng, 300, 1500));
      if (c.rng.chance(0.4)) {
        const ids = c.rng.chance(0.5) ? mine : [target];
        call(c, { ...who, ua: UA.cli("ssm.send-command") }, "ssm.amazonaws.com", "SendCommand", {
          readOnly: false,
          requestParameters: { instanceIds: ids, documentName: "AWS-RunShellScript", parameters: "HIDDEN_DUE_TO_SECURITY_REASONS", interactive: false },
          responseElements: { command: { commandId: c.rng.uuid(), documentName: "AWS-RunShellScript", instanceIds: ids, status: "Pending" } },
        }, gap(c.rng, 60, 240));
      }
    },
  };
}

/** Nightly patching through Run Command, targeting instances by tag (one target, however many instances). */
export function patchRuns(a: AccountSpec, e: Estate): Activity {
  const r = role(a.id, `${e.env}-patch-automation`);
  return {
    id: "ssm-patch-runs",
    perHour: 1,
    curve: "nightly",
    where: "home",
    emit(c) {
      const who: Caller = { identity: assumedRole(r, "maintenance-window", { accessKeyId: sessionKey(r.arn, c.t), created: c.t }), ip: "203.0.113.40", ua: UA.cli("ssm.send-command") };
      call(c, who, "ssm.amazonaws.com", "SendCommand", {
        readOnly: false,
        requestParameters: { targets: [{ key: "tag:PatchGroup", values: [e.env] }], documentName: "AWS-RunPatchBaseline", parameters: "HIDDEN_DUE_TO_SECURITY_REASONS", maxConcurrency: "33%", maxErrors: "1" },
        responseElements: { command: { commandId: c.rng.uuid(), documentName: "AWS-RunPatchBaseline", status: "Pending", targetCount: 0 } },
      }, gap(c.rng, 0, 60));
    },
  };
}

/** The management account's IAM user mistyping the password now and then: one failure, then a sign-in with MFA. */
export function signInTypos(a: AccountSpec): Activity {
  return {
    id: "signin-typos",
    perHour: 0.05,
    curve: "office",
    where: "global",
    emit(c) {
      const ip = OFFICE_IPS[0]!;
      const ua = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15";
      const who: Caller = { identity: iamUserSignIn(a.id, MGMT_IAM_USER), ip, ua };
      const base = { readOnly: false, eventType: "AwsConsoleSignIn", host: "signin.aws.amazon.com" } as const;
      call(c, who, "signin.amazonaws.com", "ConsoleLogin", {
        ...base, errorMessage: "Failed authentication",
        responseElements: { ConsoleLogin: "Failure" },
        additionalEventData: { LoginTo: "https://console.aws.amazon.com/console/home", MobileVersion: "No", MFAUsed: "No" },
      });
      call(c, who, "signin.amazonaws.com", "ConsoleLogin", {
        ...base,
        responseElements: { ConsoleLogin: "Success" },
        additionalEventData: { LoginTo: "https://console.aws.amazon.com/console/home", MobileVersion: "No", MFAIdentifier: `arn:aws:iam::${a.id}:mfa/${MGMT_IAM_USER}`, MFAUsed: "Yes" },
      }, gap(c.rng, 10, 40));
    },
  };
}

/** A function whose role lacks one permission: the same call denied on every invocation (one distinct action). */
export function deniedRetries(a: AccountSpec, e: Estate): Activity {
  const r = role(a.id, `${e.env}-invoice-renderer-role`);
  return {
    id: "lambda-denied-retries",
    perHour: 2,
    curve: "always",
    where: "home",
    emit(c) {
      const who: Caller = {
        identity: c.sessions.get(r.arn + "denied", c.t, 1, (created) => assumedRole(r, "invoice-renderer", { accessKeyId: sessionKey(r.arn, "denied", created), created })),
        ip: `34.245.${c.rng.range(1, 250)}.${c.rng.range(1, 250)}`, ua: UA.nodeLambda("s3"),
      };
      call(c, who, "s3.amazonaws.com", "PutObjectAcl", {
        readOnly: false, s3: true, host: `${e.buckets.reports}.s3.${c.region}.amazonaws.com`,
        errorCode: "AccessDenied", errorMessage: "Access Denied",
        requestParameters: { bucketName: e.buckets.reports, Host: `${e.buckets.reports}.s3.${c.region}.amazonaws.com`, key: `invoices/${c.rng.hex(8)}.pdf`, acl: "" },
      }, gap(c.rng, 0, 30));
    },
  };
}
