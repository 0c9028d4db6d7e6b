/**
 * MITRE ATT&CK (Enterprise) techniques that rules may name, with their names for people. All but the
 * ones marked `pre` are in ATT&CK's cloud matrix (platforms IaaS, Identity Provider, SaaS, Office
 * Suite); the catalog test fails on a technique id not listed here, so a typo or a technique from
 * another matrix is caught when a rule is added. Add techniques here when a rule needs one (check the
 * id and its platforms on attack.mitre.org first).
 */
export interface AttackTechnique {
  name: string;
  /** `cloud`: in the cloud matrix; `pre`: preparation (Resource Development), outside it. */
  matrix: "cloud" | "pre";
}

const t = (name: string, matrix: AttackTechnique["matrix"] = "cloud"): AttackTechnique => ({ name, matrix });

/** The ATT&CK version these names and ids were checked against. */
export const ATTACK_VERSION = "17";

export const ATTACK_TECHNIQUES: Readonly<Record<string, AttackTechnique>> = {
  // Initial access
  T1078: t("Valid Accounts"),
  "T1078.001": t("Valid Accounts: Default Accounts"),
  "T1078.004": t("Valid Accounts: Cloud Accounts"),
  T1190: t("Exploit Public-Facing Application"),
  T1199: t("Trusted Relationship"),
  T1566: t("Phishing"),
  // Execution
  "T1059.009": t("Command and Scripting Interpreter: Cloud API"),
  "T1204.003": t("User Execution: Malicious Image"),
  T1648: t("Serverless Execution"),
  T1651: t("Cloud Administration Command"),
  // Persistence and privilege escalation
  T1098: t("Account Manipulation"),
  "T1098.001": t("Account Manipulation: Additional Cloud Credentials"),
  "T1098.003": t("Account Manipulation: Additional Cloud Roles"),
  "T1098.004": t("Account Manipulation: SSH Authorized Keys"),
  "T1098.005": t("Account Manipulation: Device Registration"),
  T1136: t("Create Account"),
  "T1136.003": t("Create Account: Cloud Account"),
  T1525: t("Implant Internal Image"),
  T1546: t("Event Triggered Execution"),
  T1556: t("Modify Authentication Process"),
  "T1556.006": t("Modify Authentication Process: Multi-Factor Authentication"),
  "T1556.007": t("Modify Authentication Process: Hybrid Identity"),
  "T1556.009": t("Modify Authentication Process: Conditional Access Policies"),
  "T1548.005": t("Abuse Elevation Control Mechanism: Temporary Elevated Cloud Access"),
  T1484: t("Domain or Tenant Policy Modification"),
  "T1484.002": t("Domain or Tenant Policy Modification: Trust Modification"),
  // Defense evasion
  T1535: t("Unused/Unsupported Cloud Regions"),
  "T1550.001": t("Use Alternate Authentication Material: Application Access Token"),
  T1562: t("Impair Defenses"),
  "T1562.001": t("Impair Defenses: Disable or Modify Tools"),
  "T1562.007": t("Impair Defenses: Disable or Modify Cloud Firewall"),
  "T1562.008": t("Impair Defenses: Disable or Modify Cloud Logs"),
  T1578: t("Modify Cloud Compute Infrastructure"),
  "T1578.001": t("Modify Cloud Compute Infrastructure: Create Snapshot"),
  "T1578.002": t("Modify Cloud Compute Infrastructure: Create Cloud Instance"),
  "T1578.003": t("Modify Cloud Compute Infrastructure: Delete Cloud Instance"),
  "T1578.004": t("Modify Cloud Compute Infrastructure: Revert Cloud Instance"),
  "T1578.005": t("Modify Cloud Compute Infrastructure: Modify Cloud Compute Configurations"),
  T1666: t("Modify Cloud Resource Hierarchy"),
  // Credential access
  T1110: t("Brute Force"),
  "T1110.001": t("Brute Force: Password Guessing"),
  "T1110.003": t("Brute Force: Password Spraying"),
  "T1110.004": t("Brute Force: Credential Stuffing"),
  T1528: t("Steal Application Access Token"),
  T1552: t("Unsecured Credentials"),
  "T1552.005": t("Unsecured Credentials: Cloud Instance Metadata API"),
  T1555: t("Credentials from Password Stores"),
  "T1555.006": t("Credentials from Password Stores: Cloud Secrets Management Stores"),
  T1606: t("Forge Web Credentials"),
  "T1606.002": t("Forge Web Credentials: SAML Tokens"),
  T1621: t("Multi-Factor Authentication Request Generation"),
  // Discovery
  "T1069.003": t("Permission Groups Discovery: Cloud Groups"),
  "T1087.004": t("Account Discovery: Cloud Account"),
  T1201: t("Password Policy Discovery"),
  T1526: t("Cloud Service Discovery"),
  T1538: t("Cloud Service Dashboard"),
  "T1518.001": t("Software Discovery: Security Software Discovery"),
  T1580: t("Cloud Infrastructure Discovery"),
  T1619: t("Cloud Storage Object Discovery"),
  T1654: t("Log Enumeration"),
  T1040: t("Network Sniffing"),
  // Lateral movement
  "T1021.007": t("Remote Services: Cloud Services"),
  "T1021.008": t("Remote Services: Direct Cloud VM Connections"),
  // Collection and exfiltration
  T1530: t("Data from Cloud Storage"),
  T1537: t("Transfer Data to Cloud Account"),
  "T1020.001": t("Automated Exfiltration: Traffic Duplication"),
  T1567: t("Exfiltration Over Web Service"),
  // Impact
  T1485: t("Data Destruction"),
  "T1485.001": t("Data Destruction: Lifecycle-Triggered Deletion"),
  T1486: t("Data Encrypted for Impact"),
  T1490: t("Inhibit System Recovery"),
  T1491: t("Defacement"),
  T1499: t("Endpoint Denial of Service"),
  T1496: t("Resource Hijacking"),
  "T1496.001": t("Resource Hijacking: Compute Hijacking"),
  "T1496.004": t("Resource Hijacking: Cloud Service Hijacking"),
  T1531: t("Account Access Removal"),
  T1657: t("Financial Theft"),
  // Resource development (outside the cloud matrix)
  "T1584.001": t("Compromise Infrastructure: Domains", "pre"),
};

/** The name of a technique ("T1562.008 Impair Defenses: Disable or Modify Cloud Logs"), or the bare id when unknown. */
export function techniqueLabel(id: string): string {
  const tech = ATTACK_TECHNIQUES[id];
  return tech ? `${id} ${tech.name}` : id;
}
