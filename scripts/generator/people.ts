import { Rng, stableHex } from "./random";

/** A person of the organization: where they work from and with which browser. */
export interface Person {
  /** Identity Center / SAML user name (an email address). */
  login: string;
  /** Identity Center user id. */
  userId: string;
  homeIp: string;
  browser: string;
  /** Whether this person also uses the AWS CLI (an access key from a session). */
  cli: boolean;
}

const BROWSERS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
];

function person(seed: string, login: string, cli: boolean): Person {
  const r = new Rng(seed, "person", login);
  const h = stableHex(32, seed, "idc-user", login);
  return {
    login,
    userId: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`,
    homeIp: `198.51.100.${r.range(10, 99)}`,
    browser: r.pick(BROWSERS),
    cli,
  };
}

/** The people of the organization, by role. */
export function people(seed: string) {
  return {
    /** Platform/ops engineers with administrator access. */
    ops: [person(seed, "ravi.patel@corp.example", true), person(seed, "lena.kowalski@corp.example", true)],
    /** Application developers. */
    devs: [person(seed, "amelie.dubois@corp.example", true), person(seed, "sofia.rossi@corp.example", false), person(seed, "tom.berger@corp.example", true)],
    /** Developers who sign in through the company's SAML identity provider (Okta) into the dev account. */
    saml: [person(seed, "marc.lefevre@corp.example", true), person(seed, "nina.schmidt@corp.example", false), person(seed, "omar.haddad@corp.example", true)],
  };
}

/** Office egress addresses (documentation ranges only: nothing here is a real host). */
export const OFFICE_IPS = ["192.0.2.10", "192.0.2.11", "192.0.2.12"];
/** The on-premises reporting server. */
export const REPORT_SERVER_IP = "192.0.2.50";
/** GitHub-hosted runners. */
export const RUNNER_IPS = ["203.0.113.20", "203.0.113.21", "203.0.113.22", "203.0.113.23", "203.0.113.24"];
