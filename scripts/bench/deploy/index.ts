export { deployedHandlers, type DeployedHandler } from "./handlers";
export { bundleForBench, contributors, contributorOf, isSdkPackage, type BundleReport, type Contributor } from "./bundles";
export { measureLoadTimes, median, type LoadTime, type LoadTimes } from "./load-time";
export { measureAnalyzer, type AnalyzerOptions, type AnalyzerResult } from "./analyzer";
export { analyzerObject, logObjectKey, type AnalyzerObject } from "./analyzer-data";
export type { AnalyzerMeasurement, Invocation } from "./analyzer-measure";
