import * as z from "zod";

/**
 * A test-side schema of the OCSF Detection Finding (class 2004), written from
 * ../shared/reference/ocsf-detection-finding.md: the attributes the schema requires on every event
 * and on this class, their enums, and the objects' required attributes. Optional attributes that
 * are present must have the documented types and enum values. Unknown attributes are allowed (the
 * schema has many more), but every attribute this project writes is listed here.
 */
const epochMs = z.number().int().nonnegative();
const enumOf = (...ids: number[]) => z.number().int().refine((v) => ids.includes(v), { message: `must be one of ${ids.join(", ")}` });

const product = z.looseObject({ name: z.string().min(1).optional(), vendor_name: z.string().min(1).optional(), version: z.string().optional() });
const metadata = z.looseObject({
  product,
  // A released 1.x schema version (not a -dev build).
  version: z.string().regex(/^1\.\d+\.\d+$/),
  original_time: z.string().optional(),
  tenant_uid: z.string().optional(),
  log_name: z.string().optional(),
});
const technique = z.looseObject({ uid: z.string().regex(/^T\d{4}(\.\d{3})?$/), name: z.string().optional() });
const analytic = z.looseObject({ uid: z.string().optional(), name: z.string().optional(), type_id: enumOf(0, 1, 2, 3, 4, 5, 6, 99), type: z.string().optional() });
const findingInfo = z.looseObject({
  uid: z.string().min(1),
  title: z.string().optional(),
  desc: z.string().optional(),
  types: z.array(z.string()).optional(),
  analytic: analytic.optional(),
  attacks: z.array(z.looseObject({ technique: technique.optional(), sub_technique: technique.optional(), tactic: z.looseObject({ uid: z.string() }).optional() })).optional(),
  created_time: epochMs.optional(),
  first_seen_time: epochMs.optional(),
  last_seen_time: epochMs.optional(),
});
const user = z.looseObject({ uid: z.string().optional(), name: z.string().optional(), type_id: enumOf(0, 1, 2, 3, 99).optional(), type: z.string().optional() });
const api = z.looseObject({ operation: z.string().min(1), service: z.looseObject({ name: z.string().optional() }).optional(), request: z.looseObject({ uid: z.string().min(1) }).optional() });
const evidence = z.looseObject({
  actor: z.looseObject({ user: user.optional() }).optional(),
  api: api.optional(),
  src_endpoint: z.looseObject({ ip: z.union([z.ipv4(), z.ipv6()]) }).optional(),
});
const cloud = z.looseObject({ provider: z.string().min(1), region: z.string().optional(), account: z.looseObject({ uid: z.string() }).optional() });

export const detectionFinding = z
  .looseObject({
    activity_id: enumOf(0, 1, 2, 3, 99),
    category_uid: z.literal(2),
    class_uid: z.literal(2004),
    type_uid: z.number().int(),
    metadata,
    severity_id: enumOf(0, 1, 2, 3, 4, 5, 6, 99),
    time: epochMs,
    finding_info: findingInfo,
    status_id: enumOf(0, 1, 2, 3, 4, 5, 6, 99).optional(),
    confidence_id: enumOf(0, 1, 2, 3, 99).optional(),
    is_alert: z.boolean().optional(),
    message: z.string().optional(),
    evidences: z.array(evidence).optional(),
    cloud: cloud.optional(),
    remediation: z.looseObject({ desc: z.string().min(1) }).optional(),
    unmapped: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((f) => f.type_uid === f.class_uid * 100 + f.activity_id, { message: "type_uid must be class_uid * 100 + activity_id", path: ["type_uid"] });
