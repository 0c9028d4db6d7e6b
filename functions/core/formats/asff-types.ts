/**
 * Where an ATT&CK technique goes in ASFF's `Types` taxonomy (namespace/category/classifier). The
 * TTPs categories follow the ATT&CK tactics; ASFF has no TTPs category for Exfiltration and Impact,
 * whose techniques go to the matching `Effects` category instead. A technique serving several
 * tactics is filed under the one it serves in the rules that cite it (e.g. T1078 Valid Accounts:
 * Initial Access). The classifier is the technique id, so Security Hub can group and filter on it.
 */

/** ASFF type categories used (`TTPs/<category>` or `Effects/<category>`). */
type Placement = `TTPs/${string}` | `Effects/${string}`;

/** Base technique id (T1562 for T1562.008) -> where its findings are filed. */
export const TECHNIQUE_TYPES: Readonly<Record<string, Placement>> = Object.freeze({
  T1005: "TTPs/Collection", // Data from Local System
  T1020: "Effects/Data Exfiltration", // Automated Exfiltration
  T1021: "TTPs/Lateral Movement", // Remote Services
  T1040: "TTPs/Credential Access", // Network Sniffing
  T1059: "TTPs/Execution", // Command and Scripting Interpreter
  T1070: "TTPs/Defense Evasion", // Indicator Removal
  T1078: "TTPs/Initial Access", // Valid Accounts
  T1087: "TTPs/Discovery", // Account Discovery
  T1098: "TTPs/Persistence", // Account Manipulation
  T1110: "TTPs/Credential Access", // Brute Force
  T1136: "TTPs/Persistence", // Create Account
  T1190: "TTPs/Initial Access", // Exploit Public-Facing Application
  T1484: "TTPs/Privilege Escalation", // Domain or Tenant Policy Modification
  T1485: "Effects/Data Destruction", // Data Destruction
  T1486: "Effects/Data Destruction", // Data Encrypted for Impact
  T1489: "Effects/Denial of Service", // Service Stop
  T1490: "Effects/Data Destruction", // Inhibit System Recovery
  T1491: "Effects/Data Destruction", // Defacement
  T1496: "Effects/Resource Consumption", // Resource Hijacking
  T1499: "Effects/Denial of Service", // Endpoint Denial of Service
  T1525: "TTPs/Persistence", // Implant Internal Image
  T1526: "TTPs/Discovery", // Cloud Service Discovery
  T1529: "Effects/Denial of Service", // System Shutdown/Reboot
  T1530: "TTPs/Collection", // Data from Cloud Storage
  T1535: "TTPs/Defense Evasion", // Unused/Unsupported Cloud Regions
  T1537: "Effects/Data Exfiltration", // Transfer Data to Cloud Account
  T1546: "TTPs/Persistence", // Event Triggered Execution
  T1550: "TTPs/Defense Evasion", // Use Alternate Authentication Material
  T1552: "TTPs/Credential Access", // Unsecured Credentials
  T1555: "TTPs/Credential Access", // Credentials from Password Stores
  T1556: "TTPs/Credential Access", // Modify Authentication Process
  T1562: "TTPs/Defense Evasion", // Impair Defenses
  T1567: "Effects/Data Exfiltration", // Exfiltration Over Web Service
  T1578: "TTPs/Defense Evasion", // Modify Cloud Compute Infrastructure
  T1580: "TTPs/Discovery", // Cloud Infrastructure Discovery
  T1584: "TTPs/Resource Development", // Compromise Infrastructure (no ASFF category; a custom one is allowed)
  T1599: "TTPs/Defense Evasion", // Network Boundary Bridging
  T1606: "TTPs/Credential Access", // Forge Web Credentials
  T1619: "TTPs/Discovery", // Cloud Storage Object Discovery
  T1648: "TTPs/Execution", // Serverless Execution
  T1651: "TTPs/Execution", // Cloud Administration Command
  T1666: "TTPs/Defense Evasion", // Modify Cloud Resource Hierarchy
});

const TECHNIQUE = /^(T\d{4})(\.\d{3})?$/;

/** The ASFF type of an ATT&CK technique id (`TTPs/Defense Evasion/T1562.008`), or undefined for an id not in the table. */
export function asffTypeOfTechnique(id: string): string | undefined {
  const m = TECHNIQUE.exec(id);
  const placement = m ? TECHNIQUE_TYPES[m[1]!] : undefined;
  return placement ? `${placement}/${id}` : undefined;
}
