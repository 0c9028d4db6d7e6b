/** Organization anomaly detection: pure parts (windows, scan plans, the activity SQL, baseline diff, severity, alerts). */
export * from "./schedule";
export * from "./window";
export * from "./scan-plan";
export * from "./activity-sql";
export * from "./activity";
export * from "./actions";
export * from "./trust";
export * from "./settings";
export * from "./baseline";
export * from "./baseline-keys";
export * from "./severity";
export * from "./alert";
export * from "./service-principals";
export * from "./discern";
export * from "./units";
export * from "./message";
export * from "./muster";
