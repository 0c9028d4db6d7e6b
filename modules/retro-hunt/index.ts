export { RetroHunt, type RetroHuntProps } from "./retro-hunt";
export { retroHuntConfigSchema, retroHuntSettingsSchema, type RetroHuntConfig, type RetroHuntSettings, type RetroHuntSettingsInput } from "./config";
export { planStatements, scanStatements, summarizeStatements, stateMachineStatements, huntLogRoot, type RetroHuntPolicyContext } from "./policies";
