import type { Estate } from "./estate";
import {
  assumedRole, iamUser, iamUserSignIn, longTermKey, role, rootUser, sessionKey, userId, webIdentityUser, type Identity,
} from "./identities";
import { accountOfKind, type AccountSpec, type Organization } from "./organization";
import { people } from "./people";
import type { EventSpec } from "./record";
import { Rng, stableHex } from "./random";
import { CI_ROLE, CI_SESSION, LEGACY_USER, UA, ciIdentity, ssoRole } from "./routine";
import { DAY, HOUR, MINUTE, SECOND_MS, awsLongDate } from "./time";

/**
 * The injected attacks and mistakes, each crafted after what AWS logs for it (Stratus Red Team
 * detonations, the CloudTrail user guide), and the principal that starts doing new things after
 * weeks of routine. Each plan has one key event (its `tag`), which the manifest points to.
 */

/** One injected attack (or dangerous mistake) and the events that make it. */
export interface AttackPlan {
  /** A01, A02, ... */
  id: string;
  /** The catalog rule that should detect it. */
  rule: string;
  description: string;
  account: AccountSpec;
  /** The events, in time order; the one whose `tag` is the plan id is the key event. */
  events: EventSpec[];
}

/** A principal that, after weeks of routine, starts calling APIs it never called. */
export interface NewBehaviourPlan {
  account: AccountSpec;
  principalArn: string;
  principalName: string;
  description: string;
  events: EventSpec[];
}

const ATTACKER_IP = "198.51.100.213";
const ATTACKER_VPS_IP = "203.0.113.77";
const ROOT_ATTACKER_IP = "203.0.113.199";
const ATTACKER_BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const ATTACKER_CLI = "aws-cli/2.15.30 Python/3.11.8 Linux/6.6.15-amd64 exe/x86_64.kali.2024 prompt/off command/iam.create-access-key";
const PACU_LIKE = "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.6.15-amd64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69";

/** Builds an event spec with the common fields filled in. */
function ev(account: AccountSpec, time: number, region: string, identity: Identity, ip: string, ua: string, eventSource: string, eventName: string, o: Partial<EventSpec> & { readOnly: boolean }): EventSpec {
  const host = eventSource === "iam.amazonaws.com" ? "iam.amazonaws.com"
    : eventSource === "signin.amazonaws.com" ? "signin.aws.amazon.com"
    : eventSource === "organizations.amazonaws.com" ? "organizations.us-east-1.amazonaws.com"
    : `${eventSource.replace(".amazonaws.com", "")}.${region}.amazonaws.com`;
  return { time, account: account.id, region, identity, eventSource, eventName, sourceIPAddress: ip, userAgent: ua, host, ...o };
}

/**
 * Plans every injected attack. Times are counted back from the last generated day and squeezed
 * into the period when it is shorter than a week, so even a 1-day organization holds them all.
 */
export function planAttacks(seed: string, org: Organization, estates: Map<string, Estate>, lastDay: number, days: number): AttackPlan[] {
  const at = (daysBack: number, h: number, m: number, s: number) => lastDay - Math.min(daysBack, days - 1) * DAY + h * HOUR + m * MINUTE + s * SECOND_MS;
  const prod = accountOfKind(org, "production");
  const dev = accountOfKind(org, "development", "sandbox", "production");
  const mgmt = accountOfKind(org, "management");
  const sandbox = accountOfKind(org, "sandbox", "development");
  const g = org.globalRegion;
  const home = org.homeRegion;
  const pe = estates.get(prod.id)!;
  const plans: AttackPlan[] = [];
  const rng = new Rng(seed, "attacks");

  // --- Story 1 (prod): a legacy IAM user without MFA is taken over and used to build a backdoor. ---
  const t1 = at(6, 2, 47, 12);
  plans.push({
    id: "A01", rule: "signin.console-login-without-mfa", account: prod,
    description: `console sign-in as IAM user ${LEGACY_USER} without MFA from an unknown address`,
    events: [ev(prod, t1, g, iamUserSignIn(prod.id, LEGACY_USER), ATTACKER_IP, ATTACKER_BROWSER, "signin.amazonaws.com", "ConsoleLogin", {
      readOnly: false, eventType: "AwsConsoleSignIn",
      responseElements: { ConsoleLogin: "Success" },
      additionalEventData: { LoginTo: "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_c1a7e3e4a6b2f0d9", MobileVersion: "No", MFAUsed: "No" },
      tag: "A01",
    })],
  });
  const legacyConsole = iamUser(prod.id, LEGACY_USER, { accessKeyId: sessionKey(prod.id, LEGACY_USER, "attack", t1), session: { created: t1, mfa: false } });
  const lc = (t: number, name: string, o: Partial<EventSpec> & { readOnly: boolean }) => ev(prod, t, g, legacyConsole, ATTACKER_IP, "AWS Internal", "iam.amazonaws.com", name, { console: true, ...o });
  const backdoorUser = "svc-backup";
  const newKey = longTermKey(prod.id, backdoorUser, "attacker");
  const t2 = at(6, 2, 58, 40);
  plans.push({
    id: "A02", rule: "iam.access-key-created", account: prod,
    description: `${LEGACY_USER} (console, no MFA) created an access key for another user, ${backdoorUser}`,
    events: [
      lc(t2 - 95 * SECOND_MS, "ListUsers", { readOnly: true, requestParameters: { maxItems: 100 } }),
      lc(t2 - 40 * SECOND_MS, "ListAccessKeys", { readOnly: true, requestParameters: { userName: backdoorUser } }),
      lc(t2, "CreateAccessKey", {
        readOnly: false, requestParameters: { userName: backdoorUser },
        responseElements: { accessKey: { userName: backdoorUser, accessKeyId: newKey, status: "Active", createDate: awsLongDate(t2) } },
        tag: "A02",
      }),
    ],
  });
  const t3 = at(6, 3, 1, 5);
  plans.push({
    id: "A03", rule: "iam.login-profile-changed", account: prod,
    description: `${LEGACY_USER} gave ${backdoorUser} a console password (CreateLoginProfile, no reset required)`,
    events: [lc(t3, "CreateLoginProfile", {
      readOnly: false, requestParameters: { userName: backdoorUser, passwordResetRequired: false },
      responseElements: { loginProfile: { userName: backdoorUser, createDate: awsLongDate(t3), passwordResetRequired: false } },
      tag: "A03",
    })],
  });
  const t4 = at(6, 3, 2, 30);
  plans.push({
    id: "A04", rule: "iam.admin-policy-attached", account: prod,
    description: `${LEGACY_USER} attached AdministratorAccess to ${backdoorUser}`,
    events: [lc(t4, "AttachUserPolicy", { readOnly: false, requestParameters: { userName: backdoorUser, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, tag: "A04" })],
  });

  // The attacker comes back the next night with the backdoor key, from a rented server.
  const bk = iamUser(prod.id, backdoorUser, { accessKeyId: newKey });
  const cli = (cmd: string) => ATTACKER_CLI.replace("iam.create-access-key", cmd);
  const bucket = pe.buckets.reports;
  const s3Host = `${bucket}.s3.${home}.amazonaws.com`;
  const s3Extra = () => ({ SignatureVersion: "SigV4", CipherSuite: "TLS_AES_128_GCM_SHA256", bytesTransferredIn: 0, AuthenticationMethod: "AuthHeader", "x-amz-id-2": rng.base64(76), bytesTransferredOut: 0 });
  const t5 = at(5, 1, 12, 9);
  plans.push({
    id: "A05", rule: "s3.bucket-made-public", account: prod,
    description: `${backdoorUser} removed the public access block of ${bucket} and granted s3:GetObject to everyone`,
    events: [
      ev(prod, t5 - 2 * MINUTE, home, bk, ATTACKER_VPS_IP, cli("s3api.delete-public-access-block"), "s3.amazonaws.com", "DeleteBucketPublicAccessBlock", {
        readOnly: false, s3: true, host: s3Host,
        requestParameters: { publicAccessBlock: "", bucketName: bucket, Host: s3Host },
        additionalEventData: s3Extra(),
        resources: [{ accountId: prod.id, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${bucket}` }],
      }),
      ev(prod, t5, home, bk, ATTACKER_VPS_IP, cli("s3api.put-bucket-policy"), "s3.amazonaws.com", "PutBucketPolicy", {
        readOnly: false, s3: true, host: s3Host,
        requestParameters: {
          bucketPolicy: { Version: "2012-10-17", Statement: [{ Sid: "PublicRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*` }] },
          bucketName: bucket, Host: s3Host, policy: "",
        },
        additionalEventData: s3Extra(),
        resources: [{ accountId: prod.id, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${bucket}` }],
        tag: "A05",
      }),
    ],
  });
  const sg = pe.securityGroups(home)[2]!;
  const t6 = at(5, 1, 19, 44);
  plans.push({
    id: "A06", rule: "ec2.security-group-open-to-world", account: prod,
    description: `${backdoorUser} opened SSH (tcp/22) on ${sg.name} to 0.0.0.0/0`,
    events: [ev(prod, t6, home, bk, ATTACKER_VPS_IP, cli("ec2.authorize-security-group-ingress"), "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", {
      readOnly: false,
      requestParameters: { groupId: sg.id, ipPermissions: { items: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, groups: {}, ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] }, ipv6Ranges: {}, prefixListIds: {} }] } },
      responseElements: {
        requestId: rng.uuid(), _return: true,
        securityGroupRuleSet: { items: [{ groupOwnerId: prod.id, groupId: sg.id, securityGroupRuleId: `sgr-0${rng.hex(16)}`, isEgress: false, ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }] },
      },
      tag: "A06",
    })],
  });
  const t7 = at(5, 1, 27, 3);
  const keyArn = pe.keyArn(home, "app");
  plans.push({
    id: "A07", rule: "kms.key-deletion-scheduled", account: prod,
    description: `${backdoorUser} scheduled the deletion of the application KMS key (7 days)`,
    events: [ev(prod, t7, home, bk, ATTACKER_VPS_IP, cli("kms.schedule-key-deletion"), "kms.amazonaws.com", "ScheduleKeyDeletion", {
      readOnly: false,
      requestParameters: { keyId: pe.keyId(home, "app"), pendingWindowInDays: 7 },
      responseElements: { keyId: keyArn, deletionDate: awsLongDate(Math.floor(t7 / DAY) * DAY + 8 * DAY), keyState: "PendingDeletion", pendingWindowInDays: 7 },
      resources: [{ accountId: prod.id, type: "AWS::KMS::Key", ARN: keyArn }],
      tag: "A07",
    })],
  });
  const t8 = at(5, 1, 33, 51);
  const localTrailArn = `arn:aws:cloudtrail:${home}:${prod.id}:trail/${pe.localTrail}`;
  plans.push({
    id: "A08", rule: "cloudtrail.trail-modified", account: prod,
    description: `${backdoorUser} changed the event selectors of trail ${pe.localTrail} so it no longer records management events`,
    events: [ev(prod, t8, home, bk, ATTACKER_VPS_IP, cli("cloudtrail.put-event-selectors"), "cloudtrail.amazonaws.com", "PutEventSelectors", {
      readOnly: false,
      requestParameters: { trailName: pe.localTrail, eventSelectors: [{ readWriteType: "All", includeManagementEvents: false, dataResources: [], excludeManagementEventSources: [] }] },
      responseElements: { trailARN: localTrailArn, eventSelectors: [{ readWriteType: "All", includeManagementEvents: false, dataResources: [], excludeManagementEventSources: [] }] },
      tag: "A08",
    })],
  });

  // --- Story 2 (management): a stolen Identity Center admin session turns the organization trail off. ---
  const lena = people(seed).ops[1]!;
  const ravi = people(seed).ops[0]!;
  const adminRole = ssoRole(org, mgmt.id, "AdministratorAccess");
  const t9 = at(3, 19, 22, 10);
  const stolen = assumedRole(adminRole, lena.login, { accessKeyId: sessionKey(adminRole.arn, lena.login, "stolen", t9), created: t9 - 47 * MINUTE });
  const orgTrailArn = `arn:aws:cloudtrail:${g}:${mgmt.id}:trail/${org.trailName}`;
  const ravisSession = assumedRole(adminRole, ravi.login, { accessKeyId: sessionKey(adminRole.arn, ravi.login, "incident", t9), created: t9 + 20 * MINUTE });
  plans.push({
    id: "A09", rule: "cloudtrail.logging-stopped", account: mgmt,
    description: `a stolen Identity Center admin session (${lena.login}) stopped the organization trail; logging was restarted 27 minutes later`,
    events: [
      ev(mgmt, t9 - 3 * MINUTE, g, stolen, ATTACKER_IP, PACU_LIKE, "cloudtrail.amazonaws.com", "DescribeTrails", { readOnly: true, requestParameters: { includeShadowTrails: true } }),
      ev(mgmt, t9, g, stolen, ATTACKER_IP, PACU_LIKE, "cloudtrail.amazonaws.com", "StopLogging", { readOnly: false, requestParameters: { name: orgTrailArn }, tag: "A09" }),
      ev(mgmt, t9 + 27 * MINUTE, g, ravisSession, ravi.homeIp, "AWS Internal", "cloudtrail.amazonaws.com", "StartLogging", { readOnly: false, console: true, requestParameters: { name: orgTrailArn } }),
    ],
  });

  // --- Story 3 (dev): a developer cuts "costs": deletes a trail, stops AWS Config, stores a key in plain text. ---
  const saml = people(seed).saml;
  const omar = saml[2]!;
  const nina = saml[1]!;
  const okta = role(dev.id, "okta-developers");
  const de = estates.get(dev.id)!;
  const t10 = at(2, 15, 10, 31);
  const omarSession = assumedRole(okta, omar.login, { accessKeyId: sessionKey(okta.arn, omar.login, "cost", t10), created: t10 - 38 * MINUTE });
  plans.push({
    id: "A10", rule: "cloudtrail.trail-deleted", account: dev,
    description: `${omar.login} (SAML) deleted trail ${de.localTrail}`,
    events: [ev(dev, t10, home, omarSession, omar.homeIp, UA.cli("cloudtrail.delete-trail"), "cloudtrail.amazonaws.com", "DeleteTrail", { readOnly: false, requestParameters: { name: de.localTrail }, tag: "A10" })],
  });
  const t11 = at(2, 15, 14, 2);
  plans.push({
    id: "A11", rule: "config.recorder-stopped", account: dev,
    description: `${omar.login} (SAML) stopped the AWS Config recorder`,
    events: [ev(dev, t11, home, omarSession, omar.homeIp, UA.cli("configservice.stop-configuration-recorder"), "config.amazonaws.com", "StopConfigurationRecorder", { readOnly: false, requestParameters: { configurationRecorderName: "default" }, tag: "A11" })],
  });
  const t12 = at(1, 11, 5, 47);
  const ninaSession = assumedRole(okta, nina.login, { accessKeyId: sessionKey(okta.arn, nina.login, "param", t12), created: t12 - 71 * MINUTE });
  plans.push({
    id: "A12", rule: "ssm.plaintext-secret-parameter", account: dev,
    description: `${nina.login} (SAML) stored /${de.env}/payments/stripe-api-key as a plain String parameter`,
    events: [ev(dev, t12, home, ninaSession, nina.homeIp, "AWS Internal", "ssm.amazonaws.com", "PutParameter", {
      readOnly: false, console: true,
      requestParameters: { name: `/${de.env}/payments/stripe-api-key`, description: "Stripe key for the payments sandbox", type: "String", overwrite: false, tier: "Standard", dataType: "text" },
      responseElements: { version: 1, tier: "Standard" },
      tag: "A12",
    })],
  });

  // --- Story 4 (sandbox): the root user signs in late at night, disables GuardDuty, tries to leave the organization. ---
  const t13 = at(4, 22, 3, 18);
  const se = estates.get(sandbox.id)!;
  const rootSession = rootUser(sandbox.id, { accessKeyId: sessionKey(sandbox.id, "root", t13), session: { created: t13, mfa: true } });
  const browserRoot = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
  plans.push({
    id: "A13", rule: "iam.root-activity", account: sandbox,
    description: "the root user of the sandbox account signed in at night from an unknown address",
    events: [ev(sandbox, t13, g, rootUser(sandbox.id), ROOT_ATTACKER_IP, browserRoot, "signin.amazonaws.com", "ConsoleLogin", {
      readOnly: false, eventType: "AwsConsoleSignIn",
      responseElements: { ConsoleLogin: "Success" },
      additionalEventData: { LoginTo: "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true", MobileVersion: "No", MFAIdentifier: `arn:aws:iam::${sandbox.id}:mfa/root-account-mfa-device`, MFAUsed: "Yes" },
      tag: "A13",
    })],
  });
  const det = se.detectorId(home);
  const t14 = at(4, 22, 9, 2);
  plans.push({
    id: "A14", rule: "guardduty.detector-disabled", account: sandbox,
    description: "the root user deleted the GuardDuty detector",
    events: [
      ev(sandbox, t14 - 70 * SECOND_MS, home, rootSession, ROOT_ATTACKER_IP, "AWS Internal", "guardduty.amazonaws.com", "ListDetectors", { readOnly: true, console: true }),
      ev(sandbox, t14, home, rootSession, ROOT_ATTACKER_IP, "AWS Internal", "guardduty.amazonaws.com", "DeleteDetector", { readOnly: false, console: true, requestParameters: { detectorId: det }, tag: "A14" }),
    ],
  });
  const t15 = at(4, 22, 12, 40);
  plans.push({
    id: "A15", rule: "organizations.leave-attempt", account: sandbox,
    description: "the root user tried to take the sandbox account out of the organization (denied by an SCP)",
    events: [ev(sandbox, t15, g, rootSession, ROOT_ATTACKER_IP, "AWS Internal", "organizations.amazonaws.com", "LeaveOrganization", {
      readOnly: false, console: true,
      errorCode: "AccessDeniedException",
      errorMessage: `User: arn:aws:iam::${sandbox.id}:root is not authorized to perform: organizations:LeaveOrganization on resource: * with an explicit deny in a service control policy`,
      tag: "A15",
    })],
  });
  for (const p of plans) p.events.sort((a, b) => a.time - b.time);
  return plans;
}

/**
 * The CI role of the production account (routine: deploys) starts, two days before the end, to create
 * an IAM user, attach a policy to it, read a payment secret, decrypt with KMS and download objects
 * from a bucket it never touched: a compromised workflow on a dependabot branch. It happens again
 * the next night.
 */
export function planNewBehaviour(seed: string, org: Organization, estates: Map<string, Estate>, lastDay: number, days: number): NewBehaviourPlan | undefined {
  const a = org.accounts.find((x) => x.kind === "production") ?? org.accounts.find((x) => x.kind === "development");
  if (!a) return undefined;
  const e = estates.get(a.id)!;
  const home = org.homeRegion;
  const g = org.globalRegion;
  const rng = new Rng(seed, "new-behaviour");
  const r = role(a.id, CI_ROLE);
  const events: EventSpec[] = [];
  const runnerIp = "203.0.113.131";
  const sub = "repo:corp/orders-api:ref:refs/heads/dependabot/npm_and_yarn/left-pad-1.3.1";
  const run = (start: number, first: boolean) => {
    const session = ciIdentity(a.id, start);
    const key = String((session as { accessKeyId: string }).accessKeyId);
    const cliUa = (cmd: string) => UA.ciCli(cmd);
    let t = start;
    const next = (s: number) => (t += s * SECOND_MS);
    events.push(ev(a, t, home, webIdentityUser(a.id, "token.actions.githubusercontent.com", sub), runnerIp, UA.githubActions, "sts.amazonaws.com", "AssumeRoleWithWebIdentity", {
      readOnly: true,
      requestParameters: { roleArn: r.arn, roleSessionName: CI_SESSION, durationSeconds: 3600 },
      responseElements: {
        credentials: { accessKeyId: key, sessionToken: `IQoJb3JpZ2luX2VjE${rng.base64(700)}`, expiration: awsLongDate(start + HOUR) },
        subjectFromWebIdentityToken: sub,
        assumedRoleUser: { assumedRoleId: `${r.principalId}:${CI_SESSION}`, arn: `arn:aws:sts::${a.id}:assumed-role/${CI_ROLE}/${CI_SESSION}` },
        provider: `arn:aws:iam::${a.id}:oidc-provider/token.actions.githubusercontent.com`, audience: "sts.amazonaws.com",
      },
      additionalEventData: { identityProviderConnectionVerificationMethod: "IAMTrustStore" },
      resources: [{ accountId: a.id, type: "AWS::IAM::Role", ARN: r.arn }],
    }));
    next(rng.range(8, 20));
    if (first) {
      const user = "gh-export";
      events.push(ev(a, t, g, session, runnerIp, cliUa("iam.create-user"), "iam.amazonaws.com", "CreateUser", {
        readOnly: false, requestParameters: { userName: user },
        responseElements: { user: { path: "/", userName: user, userId: userId(a.id, user), arn: `arn:aws:iam::${a.id}:user/${user}`, createDate: awsLongDate(t) } },
      }));
      next(rng.range(5, 15));
      events.push(ev(a, t, g, session, runnerIp, cliUa("iam.attach-user-policy"), "iam.amazonaws.com", "AttachUserPolicy", {
        readOnly: false, requestParameters: { userName: user, policyArn: `arn:aws:iam::${a.id}:policy/s3-export-readonly` },
      }));
      next(rng.range(40, 90));
    }
    const secret = e.secrets[1]!;
    events.push(ev(a, t, home, session, runnerIp, cliUa("secretsmanager.get-secret-value"), "secretsmanager.amazonaws.com", "GetSecretValue", { readOnly: true, requestParameters: { secretId: secret.name } }));
    next(rng.range(1, 3));
    events.push(ev(a, t, home, session, runnerIp, cliUa("kms.decrypt"), "kms.amazonaws.com", "Decrypt", {
      readOnly: true,
      requestParameters: { encryptionAlgorithm: "SYMMETRIC_DEFAULT", encryptionContext: { SecretARN: secret.arn, SecretVersionId: stableHex(8, "v", a.id, "stripe") } },
      resources: [{ accountId: a.id, type: "AWS::KMS::Key", ARN: e.keyArn(home, "app") }],
    }));
    next(rng.range(30, 80));
    const bucket = e.buckets.exports;
    const host = `${bucket}.s3.${home}.amazonaws.com`;
    for (let i = 0; i < (first ? 6 : 4); i++) {
      const key = `customers/${first ? "full" : "delta"}/export-${String(i).padStart(4, "0")}.csv.gz`;
      events.push(ev(a, t, home, session, runnerIp, cliUa("s3.cp"), "s3.amazonaws.com", "GetObject", {
        readOnly: true, data: true, s3: true, host,
        requestParameters: { bucketName: bucket, Host: host, key },
        additionalEventData: { SignatureVersion: "SigV4", CipherSuite: "TLS_AES_128_GCM_SHA256", bytesTransferredIn: 0, AuthenticationMethod: "AuthHeader", "x-amz-id-2": rng.base64(76), bytesTransferredOut: rng.range(5e6, 9e7) },
        resources: [{ type: "AWS::S3::Object", ARN: `arn:aws:s3:::${bucket}/${key}` }, { accountId: a.id, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${bucket}` }],
      }));
      next(rng.range(4, 25));
    }
  };
  const back = (n: number) => lastDay - Math.min(n, days - 1) * DAY;
  const first = back(2) + 14 * HOUR + 7 * MINUTE + 10 * SECOND_MS;
  run(first, true);
  // The next night; in a period too short for that, a few hours later.
  run(days >= 3 ? back(1) + 3 * HOUR + 12 * MINUTE + 44 * SECOND_MS : first + 4 * HOUR + 5 * MINUTE, false);
  events.sort((x, y) => x.time - y.time);
  return {
    account: a,
    principalArn: r.arn,
    principalName: CI_ROLE,
    description: "the CI deploy role, after weeks of deployments only, creates an IAM user, attaches a policy, reads a payment secret, decrypts with KMS and downloads customer exports from a bucket it never used",
    events,
  };
}
