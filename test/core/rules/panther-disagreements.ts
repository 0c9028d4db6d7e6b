/**
 * Panther test events on which trailwatch deliberately reaches another verdict than Panther's rule.
 * Reviewed one by one; `panther-conformance.test.ts` fails when an entry no longer disagrees (stale)
 * or when an unlisted event disagrees.
 */
export interface PantherDisagreement {
  /** Panther RuleID (`rule_id` in the corpus). */
  rule_id: string;
  /** Panther's test name (`test_name`). */
  test_name: string;
  /** Whether trailwatch's covering rules fire on the event. */
  ours: boolean;
  reason: string;
}

export const PANTHER_DISAGREEMENTS: readonly PantherDisagreement[] = [
  {
    rule_id: "AWS.Root.Activity",
    test_name: "Root Read-Only Enumeration",
    ours: true,
    reason: "iam.root-activity reports read-only root calls too (at medium): CIS asks to alarm on any root use, and reconnaissance with root credentials is itself the warning. Panther skips read-only calls.",
  },
  {
    rule_id: "AWS.CloudTrail.RootAccessKeyCreated",
    test_name: "Root Created Access Key For User",
    ours: true,
    reason: "Panther's rule is only about root creating a key for root; trailwatch covers it with iam.root-activity, which reports any root call, including root creating a key for an IAM user.",
  },
  {
    rule_id: "AWS.Console.LoginWithoutMFA",
    test_name: "No MFA Login - New User",
    ours: true,
    reason: "Panther suppresses the event with a mocked account-age lookup ('the user is new'). trailwatch has no such lookup and reports it: a new user's first password-only session is the window an attacker who set the password would use.",
  },
  {
    rule_id: "AWS.IAM.Backdoor.User.Keys",
    test_name: "user1 create keys for user1",
    ours: true,
    reason: "iam.access-key-created reports every new long-term key; a key for oneself is severity low (Panther only reports keys made for another user, which trailwatch raises to high).",
  },
  {
    rule_id: "AWS.CloudTrail.LoginProfileCreatedOrModified",
    test_name: "ChangeOwnPassword",
    ours: true,
    reason: "The caller is a role session named 'alice' setting IAM user alice's password. Panther treats the matching session name as 'own password'; trailwatch does not, because whoever assumes a role picks the session name, so matching it would let an attacker lower the alert. Only an IAM user changing its own profile counts as self (severity low).",
  },
  {
    rule_id: "AWS.User.Login.Profile.Modified",
    test_name: "ChangeOwnPassword",
    ours: true,
    reason: "Same event and same reason as for AWS.CloudTrail.LoginProfileCreatedOrModified: a role session's name does not prove it is the user.",
  },
  {
    rule_id: "AWS.User.Login.Profile.Modified",
    test_name: "User changed password for other reset required",
    ours: true,
    reason: "Setting another user's password is reported even with a forced reset (severity medium instead of high): the caller still knows a working password until the user signs in.",
  },
  {
    rule_id: "AWS.CloudTrail.AMIModifiedForPublicAccess",
    test_name: "AMI Added to User",
    ours: true,
    reason: "Panther suppresses the share with a mocked 'account is known' lookup. ec2.ami-shared reports every share with an account outside this one (Stratus ec2-share-ami); known accounts go in its trustedAccounts setting.",
  },
  {
    rule_id: "AWS.RDS.PublicRestore",
    test_name: "Not-Restore-RDS-Request",
    ours: true,
    reason: "The event is a CreateDBInstance whose response says publiclyAccessible: true. rds.instance-made-public reports databases created public as well as restored or modified to public; Panther's rule looks at restores only.",
  },
  {
    rule_id: "AWS.EC2.EBS.Encryption.Disabled",
    test_name: "DisableEbsEncryptionByDefault Event",
    ours: false,
    reason: "Panther's test event is a stub without eventTime or userIdentity. trailwatch reads only records with eventName, eventSource and eventTime, so the event never reaches a rule; real DisableEbsEncryptionByDefault events do fire ec2.ebs-default-encryption-disabled.",
  },
  {
    rule_id: "AWS.IPSet.Modified",
    test_name: "CreateIPSet Event",
    ours: false,
    reason: "Panther's test event uses lower-cased keys (eventname, eventsource), which is not a CloudTrail record; trailwatch does not read it. A real GuardDuty CreateIPSet fires guardduty.findings-suppressed (a WAF IP set does not: it suppresses nothing).",
  },
  {
    rule_id: "AWS.IPSet.Modified",
    test_name: "UpdateIPSet",
    ours: false,
    reason: "Lower-cased keys, as for 'CreateIPSet Event'.",
  },
  {
    rule_id: "AWS.CloudTrail.PasswordSpraying",
    test_name: "Failed Console Login",
    ours: false,
    reason: "Panther's test event is a stub without eventTime, userIdentity ARN or source address. trailwatch reads a record without eventTime as unreadable (it cannot be placed in a window) and reports it instead of evaluating it. Real failed console sign-ins fire signin.console-login-failed (low, one alert per user, address and hour) and count toward signin.console-login-failures and signin.password-spraying.",
  },
  {
    rule_id: "AWS.CloudTrail.PasswordSpraying",
    test_name: "Failed Console Login - Root User",
    ours: false,
    reason: "Stub without eventTime, as for 'Failed Console Login'; a real failed root sign-in fires signin.console-login-failed at medium and counts toward the sign-in threshold rules.",
  },
  {
    rule_id: "AWS.CloudTrail.EnableRegion",
    test_name: "EnableRegion",
    ours: false,
    reason: "Panther's test event names eventSource cloudtrail.amazonaws.com, but EnableRegion is an Account Management API that CloudTrail logs under account.amazonaws.com (as Sigma's rule and the AWS documentation say). account.region-enabled watches the real source and does not match an event name under a service that has no such call.",
  },
  {
    rule_id: "AWS.CloudTrail.IAMEntityCreatedWithoutCloudFormation",
    test_name: "IAM Entity Created Automatically",
    ours: true,
    reason: "The event is a CreateUser made through CloudFormation. iam.entity-created-outside-iac does skip it, but iam.user-created reports every new IAM user (low), stacks included: long-term users are rare enough in a managed estate that each one is worth seeing, whoever made it.",
  },
  {
    rule_id: "AWS.CloudTrail.IAMEntityCreatedWithoutCloudFormation",
    test_name: "IAM Entity Created Manually With Approved Role Pattern",
    ours: true,
    reason: "Same as 'IAM Entity Created Automatically': a CreateUser through CloudFormation, quiet for iam.entity-created-outside-iac, reported (low) by iam.user-created like every new IAM user.",
  },
  {
    rule_id: "AWS.Lambda.UpdateFunctionCode",
    test_name: "AssumedRole Updates Lambda Code (Normal CI/CD)",
    ours: true,
    reason: "The call's user agent is console.amazonaws.com: a person in the AWS console, not a pipeline, whatever the role is called. lambda.code-updated-by-hand counts console calls as by hand; pipelines (GitHub Actions, CloudFormation) stay quiet.",
  },
  {
    rule_id: "AWS.Lambda.UpdateFunctionCode",
    test_name: "AssumedRole Updates Lambda Code v2 (Normal CI/CD)",
    ours: true,
    reason: "Same as 'AssumedRole Updates Lambda Code (Normal CI/CD)': the console user agent means a person replaced the code by hand.",
  },
  {
    rule_id: "AWS.Lambda.UpdateFunctionConfiguration",
    test_name: "AssumedRole Updates Lambda Configuration with Layers (Normal CI/CD)",
    ours: true,
    reason: "The user agent is console.amazonaws.com, so a person attached the layers by hand in the console; lambda.layer-added reports that (medium). A pipeline role attaching its own account's layers stays quiet.",
  },
  {
    rule_id: "AWS.SecretsManager.BatchRetrieveSecretsCatchAll",
    test_name: "BatchGetSecretValue Catch-All",
    ours: false,
    reason: "Panther's test event has no eventTime or userIdentity, so trailwatch does not read it as a CloudTrail record and it never reaches a rule. The same request in a real record fires secretsmanager.all-secrets-requested (see its examples).",
  },
  {
    rule_id: "AWS.SecretsManager.BatchRetrieveSecrets",
    test_name: "BatchGetSecretValue",
    ours: false,
    reason: "The test event has no eventTime and no userIdentity. trailwatch reads a record without eventTime as unreadable and reports it; a real BatchGetSecretValue counts toward secretsmanager.secrets-read-burst (see its examples).",
  },
  {
    rule_id: "AWS.SecretsManager.RetrieveSecretsMultiRegion",
    test_name: "BatchGetSecretValue in us-east-1",
    ours: false,
    reason: "The test event has no eventTime and no userIdentity. trailwatch reads a record without eventTime as unreadable and reports it; real calls in many regions by one principal count toward aws.many-regions-touched (see its examples).",
  },
  {
    rule_id: "AWS.SSM.DistributedCommand",
    test_name: "Single Command Send, No Cached IDs",
    ours: true,
    reason: "Panther counts instances per actor in a cache and stays quiet below three. ssm.remote-access-to-instance reports every shell command sent to instances at low severity (one alert per caller and hour), so one instance is enough; the event is identical to Panther's positive 'Single Command Send, Many Cached IDs' apart from the mocked cache. (ssm.send-command-many-instances counts the event too, checked here with a threshold of 1; a real scan of this single command raises only the low alert, as it needs 3 instances in 30 minutes.)",
  },
  {
    rule_id: "AWS.CloudTrail.VPCE.AccessDenied",
    test_name: "VPC Endpoint Event Without Error",
    ours: true,
    reason: "The call succeeded, but with credentials of account 111111111111 through an endpoint of account 222222222222. vpce.data-perimeter-violation reports foreign credentials used through an endpoint (Panther reports that under AWS.CloudTrail.VPCE.ExternalPrincipal), so it fires here too.",
  },
  {
    rule_id: "AWS.IAM.CredentialsUpdated",
    test_name: "MFA Device Was Created",
    ours: true,
    reason: "iam.configuration-changed is the change audit of every IAM write (info, once per caller and hour); creating a virtual MFA device is an IAM change and is recorded with area 'credentials'. Panther's rule looks at four calls only (ChangePassword, CreateAccessKey, CreateLoginProfile, CreateUser), all of which trailwatch records too.",
  },
];
