export { TrailwatchStack } from "./trailwatch-stack";
export { CAPABILITIES, type CapabilityContext } from "./capabilities";
