import { call, gap, type Activity, type Caller, type EmitCtx } from "./activity";
import type { Estate } from "./estate";
import {
  assumedRole, awsService, iamUser, iamUserSignIn, identityCenterUser, longTermKey, role, samlUser, sessionKey,
  webIdentityUser, type Identity, type RoleRef,
} from "./identities";
import type { AccountSpec, Organization } from "./organization";
import { OFFICE_IPS, REPORT_SERVER_IP, RUNNER_IPS, people, type Person } from "./people";
import { Rng, stableHex, stableUpper } from "./random";
import { HOUR, awsLongDate, isoSeconds } from "./time";
import { ciLambdaDeploys, configLoader, deniedRetries, patchRuns, sessionManagerOps, settingsColdStarts, signInTypos } from "./routine-ops";

/**
 * Routine activity of every principal of the organization: people (an IAM user, Identity Center
 * users, SAML users), CI roles, Lambda/ECS/EC2 roles, service-linked roles and AWS services. Each
 * piece is an `Activity`: a rate, a daily/weekly curve and an `emit` that writes one call or a burst.
 */

export const UA = {
  consoleInternal: "AWS Internal",
  cli: (cmd: string) =>
    `aws-cli/2.22.4 md/awscrt#0.23.4 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#${cmd}`,
  nodeLambda: (api: string) =>
    `aws-sdk-js/3.693.0 ua/2.1 os/linux#5.10.228-219.884.amzn2.x86_64 lang/js md/nodejs#20.18.0 api/${api}#3.693.0 exec-env/AWS_Lambda_nodejs20.x m/E,e`,
  pythonLambda:
    "Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#5.10.227-239.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.35.54",
  javaEcs:
    "aws-sdk-java/2.29.6 Linux/5.10.228-219.884.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy",
  ssmAgent: "aws-sdk-go/1.55.5 (go1.22.8; linux; amd64) amazon-ssm-agent/3.3.1142.0",
  githubActions: "configure-aws-credentials-for-github-actions",
  ciCli: (cmd: string) =>
    `aws-cli/2.22.2 md/awscrt#0.22.0 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/GitHubActions cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#${cmd}`,
  legacyReports: "Boto3/1.26.137 Python/3.8.10 Linux/5.4.0-182-generic Botocore/1.29.137",
};

const OIDC = "token.actions.githubusercontent.com";
export const CI_ROLE = "github-actions-deploy";
export const CI_SESSION = "GitHubActions";
export const LEGACY_USER = "legacy-reports";
export const MGMT_IAM_USER = "j.moreau";

/** Identity Center's role for a permission set in an account. */
export function ssoRole(org: Organization, account: string, permissionSet: string): RoleRef {
  return role(account, `AWSReservedSSO_${permissionSet}_${stableHex(16, "permset", org.id, permissionSet)}`, `/aws-reserved/sso.amazonaws.com/${org.homeRegion}/`);
}

export function identityStoreId(org: Organization): string {
  return `d-${stableHex(10, "identitystore", org.id)}`;
}

/** The CI role's session identity for a job started at `start`. */
export function ciIdentity(account: string, start: number): Identity {
  return assumedRole(role(account, CI_ROLE), CI_SESSION, {
    accessKeyId: sessionKey(account, "ci", start),
    created: start,
    webIdProvider: `arn:aws:iam::${account}:oidc-provider/${OIDC}`,
  });
}

function stsCredentials(c: EmitCtx, accessKeyId: string, hours = 1) {
  return { accessKeyId, sessionToken: c.token(), expiration: awsLongDate(c.t + hours * HOUR) };
}

function roleResource(r: RoleRef) {
  return [{ accountId: r.account, type: "AWS::IAM::Role", ARN: r.arn }];
}

function keyResource(c: EmitCtx, region: string, alias: string) {
  return [{ accountId: c.account.id, type: "AWS::KMS::Key", ARN: c.estate.keyArn(region, alias) }];
}

/** An AWS service assuming a role it runs as (Lambda, ECS tasks). */
function serviceAssumesRole(c: EmitCtx, service: string, r: RoleRef, sessionName: string, dt = 0): void {
  const key = sessionKey(r.arn, sessionName, c.t);
  call(c, { identity: awsService(service), ip: service, ua: service, byService: true }, "sts.amazonaws.com", "AssumeRole", {
    readOnly: true,
    requestParameters: { roleArn: r.arn, roleSessionName: sessionName },
    responseElements: { credentials: stsCredentials(c, key, 12) },
    resources: roleResource(r),
  }, dt);
}

// ---------------------------------------------------------------------------------------------
// Service-linked roles and AWS services, in every account.

function configRecorder(a: AccountSpec): Activity {
  const r = role(a.id, "AWSServiceRoleForConfig", "/aws-service-role/config.amazonaws.com/");
  return {
    id: "config-recorder",
    perHour: 0.3,
    curve: "flat",
    where: "all",
    emit(c) {
      const who: Caller = {
        identity: c.sessions.get(r.arn + c.region, c.t, 1, (created) =>
          assumedRole(r, "AWSConfig-Describe", { accessKeyId: sessionKey(r.arn, c.region, created), created, invokedBy: "config.amazonaws.com" })),
        ip: "config.amazonaws.com", ua: "config.amazonaws.com", byService: true,
      };
      const n = c.rng.range(3, 10);
      let dt = 0;
      for (let i = 0; i < n; i++) {
        dt += gap(c.rng, 1, 20);
        const pick = c.rng.int(7);
        const sg = c.rng.pick(c.estate.securityGroups(c.region));
        if (pick === 0) call(c, who, "ec2.amazonaws.com", "DescribeSecurityGroups", { readOnly: true, requestParameters: { securityGroupSet: {}, securityGroupIdSet: { items: [{ groupId: sg.id }] }, filterSet: {} } }, dt);
        else if (pick === 1) call(c, who, "ec2.amazonaws.com", "DescribeInstances", { readOnly: true, requestParameters: { instancesSet: { items: [{ instanceId: c.rng.pick(c.estate.instances(c.region)) }] }, filterSet: {}, includeAllInstances: false } }, dt);
        else if (pick === 2) call(c, who, "ec2.amazonaws.com", "DescribeNetworkInterfaces", { readOnly: true, requestParameters: { networkInterfaceIdSet: {}, filterSet: { items: [{ name: "vpc-id", valueSet: { items: [{ value: c.estate.vpcId(c.region) }] } }] } } }, dt);
        else if (pick === 3) call(c, who, "ec2.amazonaws.com", "DescribeSubnets", { readOnly: true, requestParameters: { subnetSet: { items: c.estate.subnetIds(c.region).map((s) => ({ subnetId: s })) }, filterSet: {} } }, dt);
        else if (pick === 4) call(c, who, "lambda.amazonaws.com", "GetFunction20150331v2", { readOnly: true, requestParameters: { functionName: `arn:aws:lambda:${c.region}:${a.id}:function:${c.rng.pick(c.estate.functions)}` } }, dt);
        else if (pick === 5) call(c, who, "kms.amazonaws.com", "DescribeKey", { readOnly: true, requestParameters: { keyId: c.estate.keyArn(c.region, "app") }, resources: keyResource(c, c.region, "app") }, dt);
        else if (c.region === c.org.globalRegion) {
          const rn = c.rng.pick([CI_ROLE, "OrganizationAccountAccessRole", `${c.estate.env}-orders-api-role`]);
          call(c, who, "iam.amazonaws.com", c.rng.pick(["GetRole", "ListRolePolicies", "ListAttachedRolePolicies"]), { readOnly: true, requestParameters: { roleName: rn } }, dt);
        } else call(c, who, "s3.amazonaws.com", c.rng.pick(["GetBucketEncryption", "GetBucketVersioning", "GetBucketPolicy", "GetBucketAcl"]), {
          readOnly: true, s3: true,
          requestParameters: { bucketName: c.estate.buckets.config, Host: `${c.estate.buckets.config}.s3.${c.region}.amazonaws.com`, [c.rng.pick(["encryption", "versioning", "policy", "acl"])]: "" },
          additionalEventData: { SignatureVersion: "SigV4", CipherSuite: "TLS_AES_128_GCM_SHA256", bytesTransferredIn: 0, AuthenticationMethod: "AuthHeader", "x-amz-id-2": c.rng.base64(76), bytesTransferredOut: c.rng.range(200, 900) },
        }, dt);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Workloads: Lambda functions, ECS tasks, EC2 instances, Auto Scaling.

function lambdaFunctions(a: AccountSpec, e: Estate, factor: number): Activity[] {
  return e.functions.map((fn, i) => {
    const r = role(a.id, `${e.env}-${fn}-role`);
    const python = i % 2 === 1;
    return {
      id: `lambda-${fn}`,
      perHour: 7 * factor,
      curve: "always",
      where: "home",
      emit(c) {
        if (c.rng.chance(0.25)) serviceAssumesRole(c, "lambda.amazonaws.com", r, fn);
        const vpce = a.kind === "production" ? `vpce-0${stableHex(16, "vpce", a.id, c.region)}` : undefined;
        const who: Caller = {
          identity: c.sessions.get(r.arn, c.t, 1, (created) => assumedRole(r, fn, { accessKeyId: sessionKey(r.arn, created), created })),
          ip: vpce ? `10.20.${(i * 37) % 200}.${c.rng.range(10, 250)}` : `34.${240 + i}.${c.rng.range(1, 250)}.${c.rng.range(1, 250)}`,
          ua: python ? UA.pythonLambda : UA.nodeLambda("secrets-manager"),
          vpce,
        };
        const dt = gap(c.rng, 0, 2);
        const x = c.rng.next();
        if (x < 0.35) {
          const s = c.rng.pick(e.secrets);
          call(c, who, "secretsmanager.amazonaws.com", "GetSecretValue", { readOnly: true, requestParameters: { secretId: s.arn } }, dt);
        } else if (x < 0.6) {
          call(c, who, "kms.amazonaws.com", "Decrypt", {
            readOnly: true,
            requestParameters: { encryptionContext: { LambdaFunctionName: fn }, encryptionAlgorithm: "SYMMETRIC_DEFAULT" },
            resources: keyResource(c, c.region, "lambda-env"),
          }, dt);
        } else if (x < 0.85) {
          call(c, who, "ssm.amazonaws.com", "GetParameter", { readOnly: true, requestParameters: { name: c.rng.pick(e.parameterNames), withDecryption: true } }, dt);
        } else {
          const day = isoSeconds(c.t).slice(0, 10).replace(/-/g, "/");
          call(c, { ...who, ua: "awslambda-worker/1.0 rusoto/0.48.0 rust/1.80.1 linux", vpce: undefined, ip: `3.${250 - i}.${c.rng.range(1, 250)}.${c.rng.range(1, 250)}` }, "logs.amazonaws.com", "CreateLogStream", {
            readOnly: false,
            requestParameters: { logGroupName: `/aws/lambda/${fn}`, logStreamName: `${day}/[$LATEST]${c.rng.hex(32)}` },
          }, dt);
        }
      },
    } satisfies Activity;
  });
}

function ecsTasks(a: AccountSpec, e: Estate, factor: number): Activity {
  const r = role(a.id, `${e.env}-${e.ecsService}-task-role`);
  return {
    id: "ecs-checkout",
    perHour: 10 * factor,
    curve: "always",
    where: "home",
    emit(c) {
      const taskId = stableHex(32, "task", a.id, Math.floor(c.t / (6 * HOUR)), c.rng.int(3));
      if (c.rng.chance(0.04)) serviceAssumesRole(c, "ecs-tasks.amazonaws.com", r, taskId);
      const who: Caller = {
        identity: c.sessions.get(r.arn + taskId, c.t, 6, (created) => assumedRole(r, taskId, { accessKeyId: sessionKey(r.arn, taskId, created), created })),
        ip: `10.20.${64 + c.rng.int(32)}.${c.rng.range(10, 250)}`,
        ua: UA.javaEcs,
        vpce: `vpce-0${stableHex(16, "vpce", a.id, c.region)}`,
      };
      const x = c.rng.next();
      if (x < 0.3) call(c, who, "secretsmanager.amazonaws.com", "GetSecretValue", { readOnly: true, requestParameters: { secretId: e.secrets[2]!.arn } });
      else if (x < 0.55) call(c, who, "kms.amazonaws.com", "Decrypt", {
        readOnly: true,
        requestParameters: { encryptionAlgorithm: "SYMMETRIC_DEFAULT", encryptionContext: { SecretARN: e.secrets[2]!.arn, SecretVersionId: stableHex(8, "v", a.id) } },
        resources: keyResource(c, c.region, "app"),
      });
      else if (x < 0.75 && a.kind === "production") {
        const key = `checkout/${c.rng.pick(["config.json", "feature-flags.json", "tax-rates.csv", "routing.yaml"])}`;
        call(c, { ...who, vpce: undefined }, "s3.amazonaws.com", "GetObject", {
          readOnly: true, data: true, s3: true,
          host: `${e.buckets.config}.s3.${c.region}.amazonaws.com`,
          requestParameters: { bucketName: e.buckets.config, Host: `${e.buckets.config}.s3.${c.region}.amazonaws.com`, key },
          additionalEventData: { SignatureVersion: "SigV4", CipherSuite: "TLS_AES_128_GCM_SHA256", bytesTransferredIn: 0, AuthenticationMethod: "AuthHeader", "x-amz-id-2": c.rng.base64(76), bytesTransferredOut: c.rng.range(400, 40000) },
          resources: [
            { type: "AWS::S3::Object", ARN: `arn:aws:s3:::${e.buckets.config}/${key}` },
            { accountId: a.id, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${e.buckets.config}` },
          ],
        });
      } else call(c, who, "ssm.amazonaws.com", "GetParameters", { readOnly: true, requestParameters: { names: [e.parameterNames[2]!, e.parameterNames[0]!], withDecryption: false } });
    },
  };
}

function ec2Instances(a: AccountSpec, e: Estate, factor: number): Activity {
  const r = role(a.id, `${e.env}-app-instance-role`);
  return {
    id: "ec2-ssm-agent",
    perHour: 9 * factor,
    curve: "flat",
    where: "home",
    emit(c) {
      const idx = c.rng.int(3);
      const instance = e.instances(c.region)[idx]!;
      const ip = `10.20.${10 + idx}.${40 + idx * 7}`;
      const who: Caller = {
        identity: c.sessions.get(r.arn + instance, c.t, 6, (created) => assumedRole(r, instance, { accessKeyId: sessionKey(r.arn, instance, created), created })),
        ip, ua: UA.ssmAgent,
      };
      call(c, who, "ssm.amazonaws.com", "UpdateInstanceInformation", {
        readOnly: false,
        requestParameters: {
          instanceId: instance, agentVersion: "3.3.1142.0", agentStatus: "Active", platformType: "Linux", platformName: "Amazon Linux",
          platformVersion: "2023", iPAddress: ip, computerName: `ip-${ip.replace(/\./g, "-")}.${c.region}.compute.internal`, agentName: "amazon-ssm-agent",
          availabilityZone: `${c.region}${"abc"[idx]}`, availabilityZoneId: `euw1-az${idx + 1}`, sSMConnectionChannel: "ssmmessages",
        },
      });
    },
  };
}

function autoScaling(a: AccountSpec, e: Estate): Activity {
  const r = role(a.id, "AWSServiceRoleForAutoScaling", "/aws-service-role/autoscaling.amazonaws.com/");
  return {
    id: "autoscaling",
    perHour: 0.6,
    curve: "always",
    where: "home",
    emit(c) {
      const who: Caller = {
        identity: c.sessions.get(r.arn, c.t, 1, (created) => assumedRole(r, "AutoScaling", { accessKeyId: sessionKey(r.arn, created), created, invokedBy: "autoscaling.amazonaws.com" })),
        ip: "autoscaling.amazonaws.com", ua: "autoscaling.amazonaws.com", byService: true,
      };
      const instanceId = `i-0${c.rng.hex(16)}`;
      if (c.rng.chance(0.5)) {
        call(c, who, "ec2.amazonaws.com", "RunInstances", {
          readOnly: false,
          requestParameters: {
            instancesSet: { items: [{ minCount: 1, maxCount: 1 }] },
            launchTemplate: { launchTemplateId: `lt-0${stableHex(16, "lt", a.id)}`, version: "7" },
            subnetId: c.rng.pick(e.subnetIds(c.region)), disableApiTermination: false, clientToken: c.rng.uuid(),
            tagSpecificationSet: { items: [{ resourceType: "instance", tags: [{ key: "aws:autoscaling:groupName", value: `${e.env}-app-asg` }] }] },
          },
          responseElements: {
            requestId: c.rng.uuid(), reservationId: `r-0${c.rng.hex(16)}`, ownerId: a.id, requesterId: "940372691376", groupSet: {},
            instancesSet: { items: [{ instanceId, imageId: `ami-0${stableHex(16, "ami", c.region)}`, currentInstanceBootMode: "uefi", instanceState: { code: 0, name: "pending" },
              privateDnsName: `ip-10-20-11-${c.rng.range(10, 250)}.${c.region}.compute.internal`, amiLaunchIndex: 0, productCodes: {}, instanceType: "m7g.large",
              launchTime: c.t, placement: { availabilityZone: `${c.region}a`, tenancy: "default" }, monitoring: { state: "disabled" }, subnetId: e.subnetIds(c.region)[0], vpcId: e.vpcId(c.region),
              privateIpAddress: `10.20.11.${c.rng.range(10, 250)}`, stateReason: { code: "pending", message: "pending" }, architecture: "arm64", rootDeviceType: "ebs", rootDeviceName: "/dev/xvda",
              blockDeviceMapping: {}, virtualizationType: "hvm", hypervisor: "xen", clientToken: c.rng.uuid(), groupSet: { items: [{ groupId: e.securityGroups(c.region)[1]!.id, groupName: e.securityGroups(c.region)[1]!.name }] },
              sourceDestCheck: true, networkInterfaceSet: {}, ebsOptimized: true, enaSupport: true, cpuOptions: { coreCount: 2, threadsPerCore: 1 }, capacityReservationSpecification: { capacityReservationPreference: "open" },
              enclaveOptions: { enabled: false }, metadataOptions: { state: "pending", httpTokens: "required", httpPutResponseHopLimit: 2, httpEndpoint: "enabled", httpProtocolIpv4: "enabled", httpProtocolIpv6: "disabled", instanceMetadataTags: "disabled" },
              maintenanceOptions: { autoRecovery: "default" }, privateDnsNameOptions: { hostnameType: "ip-name", enableResourceNameDnsARecord: false, enableResourceNameDnsAAAARecord: false } }] },
          },
        });
      } else {
        call(c, who, "ec2.amazonaws.com", "TerminateInstances", {
          readOnly: false,
          requestParameters: { instancesSet: { items: [{ instanceId }] } },
          responseElements: { requestId: c.rng.uuid(), instancesSet: { items: [{ instanceId, currentState: { code: 32, name: "shutting-down" }, previousState: { code: 16, name: "running" } }] } },
        });
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// CI: GitHub Actions deploys through OIDC.

/** One deployment job of the CI role: assume through OIDC, push an image, deploy a stack. */
function ciDeploys(a: AccountSpec, e: Estate, perHour: number): Activity {
  const r = role(a.id, CI_ROLE);
  return {
    id: "ci-deploy",
    perHour,
    curve: "ci",
    where: "home",
    emit(c) {
      const repo = c.rng.pick(e.ecrRepos);
      const sub = `repo:corp/${repo}:ref:refs/heads/main`;
      const ip = c.rng.pick(RUNNER_IPS);
      const key = sessionKey(a.id, "ci", c.t);
      const proxy: Caller = { identity: webIdentityUser(a.id, OIDC, sub), ip, ua: UA.githubActions };
      call(c, proxy, "sts.amazonaws.com", "AssumeRoleWithWebIdentity", {
        readOnly: true,
        requestParameters: { roleArn: r.arn, roleSessionName: CI_SESSION, durationSeconds: 3600 },
        responseElements: {
          credentials: stsCredentials(c, key),
          subjectFromWebIdentityToken: sub,
          assumedRoleUser: { assumedRoleId: `${r.principalId}:${CI_SESSION}`, arn: `arn:aws:sts::${a.id}:assumed-role/${CI_ROLE}/${CI_SESSION}` },
          provider: `arn:aws:iam::${a.id}:oidc-provider/${OIDC}`,
          audience: "sts.amazonaws.com",
        },
        additionalEventData: { identityProviderConnectionVerificationMethod: "IAMTrustStore" },
        resources: roleResource(r),
      });
      const session = ciIdentity(a.id, c.t);
      const who: Caller = { identity: session, ip, ua: UA.ciCli("sts.get-caller-identity") };
      let dt = gap(c.rng, 2, 6);
      const step = (src: string, name: string, o: Parameters<typeof call>[4], cmd: string, min = 1, max = 8) => {
        call(c, { ...who, ua: UA.ciCli(cmd) }, src, name, o, dt);
        dt += gap(c.rng, min, max);
      };
      step("sts.amazonaws.com", "GetCallerIdentity", { readOnly: true }, "sts.get-caller-identity");
      step("ecr.amazonaws.com", "GetAuthorizationToken", { readOnly: true, requestParameters: { registryIds: [a.id] } }, "ecr.get-login-password");
      const registry = { registryId: a.id, repositoryName: repo };
      const layers = c.rng.range(2, 5);
      for (let i = 0; i < layers; i++) step("ecr.amazonaws.com", "BatchCheckLayerAvailability", { readOnly: true, requestParameters: { ...registry, layerDigests: [`sha256:${c.rng.hex(64)}`] } }, "ecr.batch-check-layer-availability", 0, 2);
      const uploadId = c.rng.uuid();
      step("ecr.amazonaws.com", "InitiateLayerUpload", { readOnly: false, requestParameters: registry, responseElements: { uploadId, partSize: 10485760 } }, "ecr.initiate-layer-upload", 5, 30);
      step("ecr.amazonaws.com", "CompleteLayerUpload", { readOnly: false, requestParameters: { ...registry, uploadId, layerDigests: [`sha256:${c.rng.hex(64)}`] }, responseElements: { ...registry, uploadId, layerDigest: `sha256:${c.rng.hex(64)}` } }, "ecr.complete-layer-upload");
      const tag = c.rng.hex(7);
      const manifest = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.docker.distribution.manifest.v2+json", config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 7023, digest: `sha256:${c.rng.hex(64)}` }, layers: [0, 1, 2].map(() => ({ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", size: c.rng.range(1e5, 5e7), digest: `sha256:${c.rng.hex(64)}` })) });
      step("ecr.amazonaws.com", "PutImage", { readOnly: false, requestParameters: { ...registry, imageTag: tag, imageManifest: manifest, imageManifestMediaType: "application/vnd.docker.distribution.manifest.v2+json" }, responseElements: { image: { ...registry, imageId: { imageDigest: `sha256:${c.rng.hex(64)}`, imageTag: tag }, imageManifestMediaType: "application/vnd.docker.distribution.manifest.v2+json" } } }, "ecr.put-image");
      if (a.kind === "production") {
        // The packaged template goes to the artifacts bucket: an S3 data event, and an SSE-KMS data key made for the caller by S3.
        const objKey = `${repo}/${tag}/template.yaml`;
        const bucket = e.buckets.artifacts;
        step("s3.amazonaws.com", "PutObject", {
          readOnly: false, data: true, s3: true,
          host: `${bucket}.s3.${c.region}.amazonaws.com`,
          requestParameters: { bucketName: bucket, Host: `${bucket}.s3.${c.region}.amazonaws.com`, key: objKey, "x-amz-server-side-encryption": "aws:kms" },
          responseElements: { "x-amz-server-side-encryption-aws-kms-key-id": e.keyArn(c.region, "artifacts"), "x-amz-server-side-encryption": "aws:kms", "x-amz-version-id": c.rng.alnum(32) },
          additionalEventData: { SignatureVersion: "SigV4", CipherSuite: "TLS_AES_128_GCM_SHA256", bytesTransferredIn: c.rng.range(2000, 40000), SSEApplied: "SSE_KMS", AuthenticationMethod: "AuthHeader", "x-amz-id-2": c.rng.base64(76), bytesTransferredOut: 0 },
          resources: [{ type: "AWS::S3::Object", ARN: `arn:aws:s3:::${bucket}/${objKey}` }, { accountId: a.id, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${bucket}` }],
        }, "s3.cp");
        call(c, { identity: { ...session, invokedBy: "s3.amazonaws.com" }, ip: "s3.amazonaws.com", ua: "s3.amazonaws.com", byService: true }, "kms.amazonaws.com", "GenerateDataKey", {
          readOnly: true,
          requestParameters: { keyId: e.keyArn(c.region, "artifacts"), encryptionContext: { "aws:s3:arn": `arn:aws:s3:::${bucket}/${objKey}` }, keySpec: "AES_256" },
          resources: keyResource(c, c.region, "artifacts"),
        }, dt - 500);
      }
      const stack = c.rng.pick(e.stacks.slice(0, 3));
      const stackId = `arn:aws:cloudformation:${c.region}:${a.id}:stack/${stack}/${new Rng("stack", a.id, stack).uuid()}`;
      const changeSet = `deploy-${tag}`;
      const csArn = `arn:aws:cloudformation:${c.region}:${a.id}:changeSet/${changeSet}/${c.rng.uuid()}`;
      step("cloudformation.amazonaws.com", "DescribeStacks", { readOnly: true, requestParameters: { stackName: stack } }, "cloudformation.deploy");
      step("cloudformation.amazonaws.com", "CreateChangeSet", {
        readOnly: false,
        requestParameters: {
          stackName: stack, templateURL: `https://s3.${c.region}.amazonaws.com/${e.buckets.artifacts}/${repo}/${tag}/template.yaml`,
          parameters: [{ parameterKey: "ImageTag", parameterValue: tag }, { parameterKey: "Environment", parameterValue: e.env }],
          capabilities: ["CAPABILITY_IAM"], changeSetName: changeSet, changeSetType: "UPDATE", description: `Created by GitHub Actions run ${c.rng.range(4e9, 9e9)}`,
        },
        responseElements: { id: csArn, stackId },
      }, "cloudformation.deploy", 3, 10);
      for (let i = c.rng.range(1, 3); i > 0; i--) step("cloudformation.amazonaws.com", "DescribeChangeSet", { readOnly: true, requestParameters: { changeSetName: changeSet, stackName: stack } }, "cloudformation.deploy", 3, 6);
      step("cloudformation.amazonaws.com", "ExecuteChangeSet", { readOnly: false, requestParameters: { changeSetName: changeSet, stackName: stack } }, "cloudformation.deploy", 2, 5);
      // CloudFormation carries out the update with the caller's credentials.
      const viaCfn: Caller = { identity: { ...session, invokedBy: "cloudformation.amazonaws.com" }, ip: "cloudformation.amazonaws.com", ua: "cloudformation.amazonaws.com", byService: true };
      if (repo === "checkout") {
        const td = `${e.env}-checkout`;
        call(c, viaCfn, "ecs.amazonaws.com", "RegisterTaskDefinition", {
          readOnly: false,
          requestParameters: { family: td, taskRoleArn: `arn:aws:iam::${a.id}:role/${e.env}-checkout-task-role`, executionRoleArn: `arn:aws:iam::${a.id}:role/${e.env}-checkout-exec-role`, networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], cpu: "512", memory: "1024",
            containerDefinitions: [{ name: "checkout", image: `${a.id}.dkr.ecr.${c.region}.amazonaws.com/checkout:${tag}`, essential: true, portMappings: [{ containerPort: 8080, protocol: "tcp" }], logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": `/ecs/${td}`, "awslogs-region": c.region, "awslogs-stream-prefix": "checkout" } } }] },
          responseElements: { taskDefinition: { taskDefinitionArn: `arn:aws:ecs:${c.region}:${a.id}:task-definition/${td}:${c.rng.range(100, 400)}`, family: td, status: "ACTIVE", compatibilities: ["EC2", "FARGATE"], requiresCompatibilities: ["FARGATE"], cpu: "512", memory: "1024", networkMode: "awsvpc" } },
        }, dt);
        call(c, viaCfn, "ecs.amazonaws.com", "UpdateService", {
          readOnly: false,
          requestParameters: { cluster: e.cluster, service: e.ecsService, taskDefinition: `${td}:${c.rng.range(100, 400)}`, forceNewDeployment: false },
          responseElements: { service: { serviceName: e.ecsService, clusterArn: `arn:aws:ecs:${c.region}:${a.id}:cluster/${e.cluster}`, desiredCount: 3, runningCount: 3, pendingCount: 0, launchType: "FARGATE", status: "ACTIVE" } },
        }, dt + 4000);
      } else {
        const fn = repo === "orders-api" ? "orders-api" : "invoice-renderer";
        call(c, viaCfn, "lambda.amazonaws.com", "UpdateFunctionCode20150331v2", {
          readOnly: false,
          requestParameters: { functionName: fn, imageUri: `${a.id}.dkr.ecr.${c.region}.amazonaws.com/${repo}:${tag}`, publish: false, dryRun: false },
          responseElements: {
            functionName: fn, functionArn: `arn:aws:lambda:${c.region}:${a.id}:function:${fn}`, role: `arn:aws:iam::${a.id}:role/${e.env}-${fn}-role`,
            codeSize: 0, description: "", timeout: 30, memorySize: 1024, lastModified: `${isoSeconds(c.t + dt).slice(0, 19)}.000+0000`, codeSha256: c.rng.base64(43) + "=",
            version: "$LATEST", tracingConfig: { mode: "PassThrough" }, revisionId: c.rng.uuid(), state: "Active", lastUpdateStatus: "InProgress",
            lastUpdateStatusReason: "The function is being created.", lastUpdateStatusReasonCode: "Creating", packageType: "Image", architectures: ["arm64"],
            ephemeralStorage: { size: 512 }, snapStart: { applyOn: "None", optimizationStatus: "Off" }, loggingConfig: { logFormat: "Text", logGroup: `/aws/lambda/${fn}` },
          },
        }, dt);
      }
      for (let i = c.rng.range(3, 10); i > 0; i--) step("cloudformation.amazonaws.com", "DescribeStackEvents", { readOnly: true, requestParameters: { stackName: stack } }, "cloudformation.deploy", 4, 12);
      step("cloudformation.amazonaws.com", "DescribeStacks", { readOnly: true, requestParameters: { stackName: stack } }, "cloudformation.deploy");
    },
  };
}

// ---------------------------------------------------------------------------------------------
// People.

/** Read-only calls people make from the console or the CLI, by what they look at. */
function peopleRead(c: EmitCtx, who: Caller, dt: number): void {
  const e = c.estate;
  const x = c.rng.int(14);
  const r = c.region;
  const global = c.org.globalRegion;
  switch (x) {
    case 0: return call(c, who, "ec2.amazonaws.com", "DescribeInstances", { readOnly: true, requestParameters: { instancesSet: {}, filterSet: {}, maxResults: 50 } }, dt);
    case 1: return call(c, who, "ec2.amazonaws.com", "DescribeSecurityGroups", { readOnly: true, requestParameters: { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: { items: [{ name: "vpc-id", valueSet: { items: [{ value: e.vpcId(r) }] } }] } } }, dt);
    case 2: return call(c, who, "lambda.amazonaws.com", "ListFunctions20150331", { readOnly: true, requestParameters: { functionVersion: "ALL", maxItems: 50 } }, dt);
    case 3: return call(c, who, "logs.amazonaws.com", "DescribeLogGroups", { readOnly: true, requestParameters: { limit: 50, logGroupNamePrefix: `/aws/lambda/${c.rng.pick(e.functions)}` } }, dt);
    case 4: return call(c, who, "monitoring.amazonaws.com", "GetMetricData", {
      readOnly: true,
      requestParameters: {
        metricDataQueries: [{ id: "m0", metricStat: { metric: { namespace: "AWS/Lambda", metricName: c.rng.pick(["Errors", "Duration", "Invocations", "Throttles"]), dimensions: [{ name: "FunctionName", value: c.rng.pick(e.functions) }] }, period: 300, stat: "Sum" }, returnData: true }],
        startTime: awsLongDate(c.t - 3 * HOUR), endTime: awsLongDate(c.t),
      },
    }, dt);
    case 5: return call(c, who, "ecs.amazonaws.com", "DescribeServices", { readOnly: true, requestParameters: { cluster: e.cluster, services: [e.ecsService], include: ["TAGS"] } }, dt);
    case 6: return call(c, who, "cloudformation.amazonaws.com", "DescribeStacks", { readOnly: true, requestParameters: { stackName: c.rng.pick(e.stacks) } }, dt);
    case 7: return call(c, who, "s3.amazonaws.com", "ListBuckets", { readOnly: true, s3: true, region: global, host: "s3.amazonaws.com", requestParameters: { Host: "s3.amazonaws.com" }, additionalEventData: { SignatureVersion: "SigV4", CipherSuite: "TLS_AES_128_GCM_SHA256", bytesTransferredIn: 0, AuthenticationMethod: "AuthHeader", "x-amz-id-2": c.rng.base64(76), bytesTransferredOut: c.rng.range(900, 3000) } }, dt);
    case 8: return call(c, who, "iam.amazonaws.com", c.rng.pick(["ListRoles", "ListUsers", "GetAccountSummary", "ListPolicies"]), { readOnly: true, region: global, requestParameters: c.rng.chance(0.5) ? { maxItems: 100 } : null }, dt);
    case 9: return call(c, who, "iam.amazonaws.com", "GetRole", { readOnly: true, region: global, requestParameters: { roleName: `${e.env}-${c.rng.pick(e.functions)}-role` } }, dt);
    case 10: return call(c, who, "cloudtrail.amazonaws.com", c.rng.pick(["DescribeTrails", "GetTrailStatus", "LookupEvents"]), { readOnly: true, requestParameters: { includeShadowTrails: true } }, dt);
    case 11: return call(c, who, "ssm.amazonaws.com", "DescribeParameters", { readOnly: true, requestParameters: { maxResults: 50, parameterFilters: [{ key: "Path", option: "Recursive", values: [`/${e.env}/`] }] } }, dt);
    case 12: return call(c, who, "secretsmanager.amazonaws.com", "ListSecrets", { readOnly: true, requestParameters: { maxResults: 100, includePlannedDeletion: false } }, dt);
    default: return call(c, who, "kms.amazonaws.com", "ListAliases", { readOnly: true, requestParameters: { limit: 100 } }, dt);
  }
}

/** Changes developers and operators make by hand in their accounts (none of them alert-worthy). */
function peopleWrite(c: EmitCtx, who: Caller, dt: number, kind: "dev" | "ops" | "sandbox"): void {
  const e = c.estate;
  const x = c.rng.int(5);
  if (kind === "ops") {
    if (x < 2) return call(c, who, "ecs.amazonaws.com", "UpdateService", { readOnly: false, requestParameters: { cluster: e.cluster, service: e.ecsService, desiredCount: c.rng.range(3, 6) }, responseElements: { service: { serviceName: e.ecsService, desiredCount: 4, status: "ACTIVE" } } }, dt);
    if (x < 4) {
      const target = c.rng.pick(e.instances(c.region));
      return call(c, who, "ssm.amazonaws.com", "StartSession", { readOnly: false, requestParameters: { target }, responseElements: { sessionId: `${who.identity.principalId?.toString().split(":")[1]}-${c.rng.hex(17)}`, tokenValue: "Value hidden due to security reasons.", streamUrl: `wss://ssmmessages.${c.region}.amazonaws.com/v1/data-channel/${c.rng.hex(17)}?role=publish_subscribe&cell-number=AAEAAQ` } }, dt);
    }
    return call(c, who, "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", { readOnly: false, requestParameters: { functionName: c.rng.pick(e.functions), timeout: c.rng.pick([30, 60, 90]) } }, dt);
  }
  if (x === 0) {
    const name = c.rng.pick(e.parameterNames);
    // Secret-looking names are stored as SecureString, the rest as String: routine negatives for the plaintext rule.
    const secret = /password|secret/.test(name);
    return call(c, who, "ssm.amazonaws.com", "PutParameter", {
      readOnly: false,
      requestParameters: { name, type: secret ? "SecureString" : "String", overwrite: true, ...(secret ? { keyId: "alias/aws/ssm" } : {}), tier: "Standard" },
      responseElements: { version: c.rng.range(2, 40), tier: "Standard" },
    }, dt);
  }
  if (x === 1) return call(c, who, "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", { readOnly: false, requestParameters: { functionName: c.rng.pick(e.functions), memorySize: c.rng.pick([512, 1024, 2048]) } }, dt);
  if (x === 2) {
    const id = `i-0${c.rng.hex(16)}`;
    return call(c, who, "ec2.amazonaws.com", "RunInstances", {
      readOnly: false,
      requestParameters: { instancesSet: { items: [{ imageId: `ami-0${stableHex(16, "ami", c.region)}`, minCount: 1, maxCount: 1 }] }, instanceType: c.rng.pick(["t3.micro", "t3.small", "t4g.medium"]), blockDeviceMapping: {}, monitoring: { enabled: false }, disableApiTermination: false, subnetId: e.subnetIds(c.region)[0], clientToken: c.rng.uuid(), tagSpecificationSet: { items: [{ resourceType: "instance", tags: [{ key: "Name", value: `${kind}-scratch` }, { key: "owner", value: String(who.identity.principalId).split(":")[1] }] }] } },
      responseElements: { requestId: c.rng.uuid(), reservationId: `r-0${c.rng.hex(16)}`, ownerId: c.account.id, groupSet: {}, instancesSet: { items: [{ instanceId: id, instanceState: { code: 0, name: "pending" }, instanceType: "t3.micro", subnetId: e.subnetIds(c.region)[0], vpcId: e.vpcId(c.region) }] } },
    }, dt);
  }
  if (x === 3) return call(c, who, "ec2.amazonaws.com", c.rng.pick(["StopInstances", "TerminateInstances"]), { readOnly: false, requestParameters: { instancesSet: { items: [{ instanceId: `i-0${c.rng.hex(16)}` }] }, force: false } }, dt);
  return call(c, who, "logs.amazonaws.com", "PutRetentionPolicy", { readOnly: false, requestParameters: { logGroupName: `/aws/lambda/${c.rng.pick(e.functions)}`, retentionInDays: c.rng.pick([14, 30, 90]) } }, dt);
}

/** A person working in an account through an Identity Center permission set (console and CLI). */
function ssoWork(a: AccountSpec, org: Organization, p: Person, permissionSet: string, perHour: number, writes: "dev" | "ops" | "sandbox" | "none"): Activity {
  const r = ssoRole(org, a.id, permissionSet);
  return {
    id: `sso-${p.login}-${permissionSet}`,
    perHour,
    curve: "office",
    where: "any",
    emit(c) {
      const identity = c.sessions.get(r.arn + p.login, c.t, 4, (created) => assumedRole(r, p.login, { accessKeyId: sessionKey(r.arn, p.login, created), created }));
      const atOffice = new Rng(p.login, Math.floor(c.t / 86_400_000)).chance(0.6);
      const ip = atOffice ? OFFICE_IPS[p.login.length % OFFICE_IPS.length]! : p.homeIp;
      const cli = p.cli && c.rng.chance(0.35);
      const who: Caller = cli ? { identity, ip, ua: UA.cli("configure.sso") } : { identity, ip, ua: c.rng.chance(0.6) ? UA.consoleInternal : p.browser, console: true };
      if (!cli && c.rng.chance(0.08)) {
        // Federated console sign-in: no MFA flag here, Identity Center did the MFA.
        call(c, { identity, ip, ua: p.browser }, "signin.amazonaws.com", "ConsoleLogin", {
          readOnly: false, eventType: "AwsConsoleSignIn", region: c.org.globalRegion, host: "signin.aws.amazon.com",
          responseElements: { ConsoleLogin: "Success" },
          additionalEventData: { MobileVersion: "No", MFAUsed: "No" },
        });
      }
      const n = c.rng.range(1, 6);
      let dt = gap(c.rng, 1, 5);
      for (let i = 0; i < n; i++) {
        peopleRead(c, who, dt);
        dt += gap(c.rng, 2, 40);
      }
      if (writes !== "none" && c.rng.chance(writes === "ops" ? 0.1 : 0.2)) peopleWrite(c, who, dt, writes);
    },
  };
}

/** Identity Center portal: sign-in and federation into accounts, logged in the management account. */
function identityCenterPortal(a: AccountSpec, org: Organization, p: Person): Activity {
  return {
    id: `idc-${p.login}`,
    perHour: 0.3,
    curve: "office",
    where: "home",
    emit(c) {
      const store = identityStoreId(org);
      const identity = identityCenterUser(a.id, store, p.userId, stableHex(32, "credential", p.login));
      const who: Caller = { identity, ip: p.homeIp, ua: p.browser };
      const flow = c.rng.uuid();
      for (const [i, name] of (["CredentialChallenge", "CredentialVerification", "UserAuthentication"] as const).entries()) {
        call(c, who, "signin.amazonaws.com", name, {
          readOnly: false, eventType: "AwsServiceEvent", host: `${store}.awsapps.com`,
          additionalEventData: { AuthWorkflowID: flow, ...(name === "UserAuthentication" ? { LoginTo: `https://${store}.awsapps.com/start/`, CredentialType: "PASSWORD,TOTP" } : { CredentialType: i === 0 ? "PASSWORD" : "TOTP" }) },
          serviceEventDetails: { [name]: "Success" },
        }, i * 4000);
      }
      const accountIds = org.accounts.map((x) => x.id);
      call(c, who, "sso.amazonaws.com", "ListAccounts", { readOnly: true, requestParameters: { maxResults: 100 } }, 15_000);
      const target = c.rng.pick(accountIds);
      call(c, who, "sso.amazonaws.com", "ListAccountRoles", { readOnly: true, requestParameters: { accountId: target, maxResults: 50 } }, 21_000);
      call(c, who, "sso.amazonaws.com", c.rng.chance(0.7) ? "Federate" : "GetRoleCredentials", { readOnly: true, requestParameters: { accountId: target, roleName: c.rng.pick(["AdministratorAccess", "ReadOnlyAccess", "DeveloperAccess"]) } }, 30_000);
    },
  };
}

/** The management account's one remaining IAM user: a person who signs in to the console with MFA. */
function mgmtIamUser(a: AccountSpec, org: Organization): Activity {
  return {
    id: "iam-user-jmoreau",
    perHour: 1.2,
    curve: "office",
    where: "global",
    emit(c) {
      const ip = OFFICE_IPS[0]!;
      const browser = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15";
      if (c.rng.chance(0.25)) {
        call(c, { identity: iamUserSignIn(a.id, MGMT_IAM_USER), ip, ua: browser }, "signin.amazonaws.com", "ConsoleLogin", {
          readOnly: false, eventType: "AwsConsoleSignIn", host: "signin.aws.amazon.com",
          responseElements: { ConsoleLogin: "Success" },
          additionalEventData: { LoginTo: "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true", MobileVersion: "No", MFAIdentifier: `arn:aws:iam::${a.id}:mfa/${MGMT_IAM_USER}`, MFAUsed: "Yes" },
        });
      }
      const identity = c.sessions.get(`jm${a.id}`, c.t, 8, (created) => iamUser(a.id, MGMT_IAM_USER, { accessKeyId: sessionKey(a.id, MGMT_IAM_USER, created), session: { created, mfa: true } }));
      const who: Caller = { identity, ip, ua: UA.consoleInternal, console: true };
      const n = c.rng.range(2, 6);
      let dt = gap(c.rng, 5, 30);
      const roots = `r-${stableHex(4, org.id, "root")}`;
      for (let i = 0; i < n; i++) {
        const x = c.rng.int(6);
        if (x === 0) call(c, who, "organizations.amazonaws.com", "DescribeOrganization", { readOnly: true }, dt);
        else if (x === 1) call(c, who, "organizations.amazonaws.com", "ListAccounts", { readOnly: true }, dt);
        else if (x === 2) call(c, who, "organizations.amazonaws.com", "ListPoliciesForTarget", { readOnly: true, requestParameters: { targetId: roots, filter: "SERVICE_CONTROL_POLICY" } }, dt);
        else if (x === 3) call(c, who, "ce.amazonaws.com", "GetCostAndUsage", { readOnly: true, requestParameters: { timePeriod: { start: isoSeconds(c.t - 30 * 86_400_000).slice(0, 10), end: isoSeconds(c.t).slice(0, 10) }, granularity: "DAILY", metrics: ["UnblendedCost"], groupBy: [{ type: "DIMENSION", key: "LINKED_ACCOUNT" }] } }, dt);
        else if (x === 4) call(c, who, "iam.amazonaws.com", "GetAccountSummary", { readOnly: true }, dt);
        else call(c, who, "cloudtrail.amazonaws.com", "GetTrailStatus", { readOnly: true, requestParameters: { name: `arn:aws:cloudtrail:${c.org.globalRegion}:${a.id}:trail/${org.trailName}` } }, dt);
        dt += gap(c.rng, 5, 60);
      }
    },
  };
}

/** Ops administering Identity Center and the organization from the management account. */
function identityCenterAdmin(a: AccountSpec, org: Organization, p: Person): Activity {
  const r = ssoRole(org, a.id, "AdministratorAccess");
  const instanceArn = `arn:aws:sso:::instance/ssoins-${stableHex(16, "ssoins", org.id)}`;
  return {
    id: `sso-admin-${p.login}`,
    perHour: 0.8,
    curve: "office",
    where: "home",
    emit(c) {
      const identity = c.sessions.get(r.arn + p.login, c.t, 4, (created) => assumedRole(r, p.login, { accessKeyId: sessionKey(r.arn, p.login, created), created }));
      const who: Caller = { identity, ip: p.homeIp, ua: UA.consoleInternal, console: true };
      const x = c.rng.int(4);
      const ps = `${instanceArn.replace(":::instance/", "::::permissionSet/")}/ps-${stableHex(16, "ps", org.id, c.rng.int(4))}`;
      if (x === 0) call(c, who, "sso.amazonaws.com", "ListPermissionSets", { readOnly: true, requestParameters: { instanceArn, maxResults: 100 } });
      else if (x === 1) call(c, who, "sso.amazonaws.com", "DescribePermissionSet", { readOnly: true, requestParameters: { instanceArn, permissionSetArn: ps } });
      else if (x === 2) call(c, who, "sso.amazonaws.com", "ListAccountAssignments", { readOnly: true, requestParameters: { instanceArn, accountId: c.rng.pick(org.accounts).id, permissionSetArn: ps } });
      else call(c, who, "identitystore.amazonaws.com", "ListUsers", { readOnly: true, requestParameters: { identityStoreId: identityStoreId(org), maxResults: 100 } });
    },
  };
}

/** SAML (Okta) developers in the dev account: AssumeRoleWithSAML, then work in the session. */
function samlDevelopers(a: AccountSpec, p: Person): Activity {
  const r = role(a.id, "okta-developers");
  const provider = `arn:aws:iam::${a.id}:saml-provider/Okta`;
  return {
    id: `saml-${p.login}`,
    perHour: 3,
    curve: "office",
    where: "any",
    emit(c) {
      const identity = c.sessions.get(r.arn + p.login, c.t, 4, (created) => {
        // The AssumeRoleWithSAML that opened this session, logged once; never before the hour being
        // generated (its files are already written), so at worst a little after the session's creationDate.
        {
          const proxy: Caller = { identity: samlUser(a.id, "Okta", p.login), ip: p.homeIp, ua: p.browser };
          const key = sessionKey(r.arn, p.login, created);
          c.push({
            time: Math.max(created, c.hourStart), account: a.id, region: c.org.globalRegion, identity: proxy.identity, eventSource: "sts.amazonaws.com", eventName: "AssumeRoleWithSAML",
            sourceIPAddress: p.homeIp, userAgent: p.browser, readOnly: true, host: "sts.amazonaws.com",
            requestParameters: { sAMLAssertionID: `id${stableHex(30, "saml", key)}`, roleSessionName: p.login, roleArn: r.arn, principalArn: provider, durationSeconds: 14400 },
            responseElements: {
              credentials: { accessKeyId: key, sessionToken: c.token(), expiration: awsLongDate(created + 4 * HOUR) },
              assumedRoleUser: { assumedRoleId: `${r.principalId}:${p.login}`, arn: `arn:aws:sts::${a.id}:assumed-role/${r.name}/${p.login}` },
              packedPolicySize: 2, subject: p.login, subjectType: "unspecified", issuer: `http://www.okta.com/exk${stableUpper(17, "okta")}`,
              audience: "https://signin.aws.amazon.com/saml", nameQualifier: stableUpper(27, "nq", a.id) + "=",
            },
            resources: [...roleResource(r), { accountId: a.id, type: "AWS::IAM::SAMLProvider", ARN: provider }],
          });
        }
        return assumedRole(r, p.login, { accessKeyId: sessionKey(r.arn, p.login, created), created });
      });
      const cli = p.cli && c.rng.chance(0.5);
      const who: Caller = cli ? { identity, ip: p.homeIp, ua: UA.cli("ec2.describe-instances") } : { identity, ip: p.homeIp, ua: UA.consoleInternal, console: true };
      let dt = gap(c.rng, 1, 5);
      for (let i = c.rng.range(1, 5); i > 0; i--) {
        peopleRead(c, who, dt);
        dt += gap(c.rng, 2, 30);
      }
      if (c.rng.chance(0.25)) peopleWrite(c, who, dt, "dev");
    },
  };
}

/** An old IAM user with a long-term key: a nightly reporting job on an on-premises server. */
function legacyReports(a: AccountSpec, e: Estate): Activity {
  return {
    id: "legacy-reports",
    perHour: 1,
    curve: "nightly",
    where: "home",
    emit(c) {
      const who: Caller = { identity: iamUser(a.id, LEGACY_USER, { accessKeyId: longTermKey(a.id, LEGACY_USER) }), ip: REPORT_SERVER_IP, ua: UA.legacyReports };
      const wg = "reporting";
      let dt = 0;
      call(c, who, "s3.amazonaws.com", "ListBuckets", { readOnly: true, s3: true, region: c.org.globalRegion, host: "s3.amazonaws.com", requestParameters: { Host: "s3.amazonaws.com" } }, dt);
      const qid = c.rng.uuid();
      dt += gap(c.rng, 1, 3);
      call(c, who, "athena.amazonaws.com", "StartQueryExecution", {
        readOnly: false,
        requestParameters: { queryString: "SELECT date_trunc('day', order_ts) AS day, count(*) AS orders, sum(total) AS revenue FROM orders_db.orders WHERE order_ts > current_date - interval '1' day GROUP BY 1", clientRequestToken: c.rng.uuid(), queryExecutionContext: { database: "orders_db" }, resultConfiguration: { outputLocation: `s3://${e.buckets.reports}/athena/` }, workGroup: wg },
        responseElements: { queryExecutionId: qid },
      }, dt);
      for (let i = c.rng.range(2, 4); i > 0; i--) {
        dt += gap(c.rng, 2, 6);
        call(c, who, "athena.amazonaws.com", "GetQueryExecution", { readOnly: true, requestParameters: { queryExecutionId: qid } }, dt);
      }
      dt += gap(c.rng, 1, 3);
      call(c, who, "athena.amazonaws.com", "GetQueryResults", { readOnly: true, requestParameters: { queryExecutionId: qid, maxResults: 1000 } }, dt);
    },
  };
}

/** CloudTrail encrypting each delivered log file with the organization trail's KMS key (log archive). */
function trailEncryption(a: AccountSpec, org: Organization): Activity {
  const mgmt = org.accounts.find((x) => x.kind === "management") ?? a;
  return {
    id: "cloudtrail-kms",
    perHour: 12,
    curve: "always",
    where: "home",
    emit(c) {
      const src = c.rng.pick(org.accounts);
      const srcRegion = c.rng.pick(org.regions);
      call(c, { identity: awsService("cloudtrail.amazonaws.com"), ip: "cloudtrail.amazonaws.com", ua: "cloudtrail.amazonaws.com", byService: true }, "kms.amazonaws.com", "GenerateDataKey", {
        readOnly: true,
        requestParameters: {
          keySpec: "AES_256",
          encryptionContext: {
            "aws:cloudtrail:arn": `arn:aws:cloudtrail:${org.globalRegion}:${mgmt.id}:trail/${org.trailName}`,
            "aws:s3:arn": `arn:aws:s3:::${org.bucket}/AWSLogs/${org.id}/${src.id}/CloudTrail/${srcRegion}/${isoSeconds(c.t).slice(0, 10).replace(/-/g, "/")}/${src.id}_CloudTrail_${srcRegion}_${isoSeconds(c.t).replace(/[-:]/g, "").slice(0, 13)}Z_${c.rng.alnum(16)}.json.gz`,
          },
          keyId: c.estate.keyArn(c.region, "cloudtrail"),
        },
        resources: keyResource(c, c.region, "cloudtrail"),
        sharedEventID: true,
      });
    },
  };
}

/** The security team reviewing findings from the log archive / security account. */
function securityAnalyst(a: AccountSpec, org: Organization, p: Person): Activity {
  const r = ssoRole(org, a.id, "SecurityAudit");
  return {
    id: `security-${p.login}`,
    perHour: 2.5,
    curve: "office",
    where: "home",
    emit(c) {
      const identity = c.sessions.get(r.arn + p.login, c.t, 4, (created) => assumedRole(r, p.login, { accessKeyId: sessionKey(r.arn, p.login, created), created }));
      const who: Caller = { identity, ip: p.homeIp, ua: UA.consoleInternal, console: true };
      const det = c.estate.detectorId(c.region);
      const x = c.rng.int(5);
      if (x === 0) call(c, who, "guardduty.amazonaws.com", "ListFindings", { readOnly: true, requestParameters: { detectorId: det, maxResults: 50, findingCriteria: { criterion: { "service.archived": { eq: ["false"] } } }, sortCriteria: { attributeName: "updatedAt", orderBy: "DESC" } } });
      else if (x === 1) call(c, who, "guardduty.amazonaws.com", "GetFindings", { readOnly: true, requestParameters: { detectorId: det, findingIds: [c.rng.hex(32), c.rng.hex(32)] } });
      else if (x === 2) call(c, who, "securityhub.amazonaws.com", "GetFindings", { readOnly: true, requestParameters: { filters: { RecordState: [{ Value: "ACTIVE", Comparison: "EQUALS" }], WorkflowStatus: [{ Value: "NEW", Comparison: "EQUALS" }] }, maxResults: 100 } });
      else if (x === 3) {
        const qid = c.rng.uuid();
        call(c, { ...who, console: false, ua: UA.cli("athena.start-query-execution") }, "athena.amazonaws.com", "StartQueryExecution", {
          readOnly: false,
          requestParameters: { queryString: `SELECT eventname, count(*) FROM cloudtrail_logs WHERE recipientaccountid = '${c.rng.pick(org.accounts).id}' AND eventtime > '${isoSeconds(c.t - 86_400_000)}' GROUP BY 1 ORDER BY 2 DESC LIMIT 50`, queryExecutionContext: { database: "security_lake" }, workGroup: "security", clientRequestToken: c.rng.uuid() },
          responseElements: { queryExecutionId: qid },
        });
        call(c, { ...who, console: false, ua: UA.cli("athena.get-query-results") }, "athena.amazonaws.com", "GetQueryResults", { readOnly: true, requestParameters: { queryExecutionId: qid } }, 9000);
      } else call(c, who, "cloudtrail.amazonaws.com", "LookupEvents", { readOnly: true, requestParameters: { maxResults: 50, lookupAttributes: [{ attributeKey: "EventName", attributeValue: c.rng.pick(["ConsoleLogin", "CreateAccessKey", "StopLogging"]) }] } });
    },
  };
}

/** Every routine activity of one account, by the account's kind. */
export function routineActivities(seed: string, org: Organization, a: AccountSpec, e: Estate): Activity[] {
  const ppl = people(seed);
  const acts: Activity[] = [configRecorder(a)];
  switch (a.kind) {
    case "management":
      acts.push(mgmtIamUser(a, org), signInTypos(a));
      for (const p of [...ppl.ops, ...ppl.devs]) acts.push(identityCenterPortal(a, org, p));
      for (const p of ppl.ops) acts.push(identityCenterAdmin(a, org, p));
      break;
    case "security":
      acts.push(trailEncryption(a, org), securityAnalyst(a, org, ppl.ops[1]!));
      acts.push(...lambdaFunctions(a, { ...e, functions: ["trailwatch-log-analyzer"] }, 1.5));
      break;
    case "production":
      acts.push(ciDeploys(a, e, 0.6), ...lambdaFunctions(a, e, 1), ecsTasks(a, e, 1), ec2Instances(a, e, 1), autoScaling(a, e), legacyReports(a, e));
      acts.push(ciLambdaDeploys(a, e, 0.8), configLoader(a, e), settingsColdStarts(a, e), patchRuns(a, e), deniedRetries(a, e));
      ppl.ops.forEach((p, i) => acts.push(ssoWork(a, org, p, "AdministratorAccess", 1.5, "ops"), sessionManagerOps(a, org, e, p, i)));
      for (const p of ppl.devs) acts.push(ssoWork(a, org, p, "ReadOnlyAccess", 2, "none"));
      break;
    case "development":
      acts.push(ciDeploys(a, e, 1.2), ...lambdaFunctions(a, e, 0.25), ecsTasks(a, e, 0.3), ec2Instances(a, e, 0.5), ciLambdaDeploys(a, e, 1.5), settingsColdStarts(a, e));
      for (const p of ppl.devs) acts.push(ssoWork(a, org, p, "DeveloperAccess", 2.5, "dev"));
      for (const p of ppl.saml) acts.push(samlDevelopers(a, p));
      break;
    case "sandbox":
      for (const p of [ppl.devs[0]!, ppl.devs[2]!]) acts.push(ssoWork(a, org, p, "PowerUserAccess", 1.2, "sandbox"));
      break;
  }
  return acts;
}
