// Shared jest setup. cdktf's matchers are registered by the infra tests that need them.
// Lambda runs Node 22; the SDK's "Node 20 support ends" notice is noise on this test machine.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
// Tests never reach real AWS: fake credentials and a region, so SDK clients build without a profile.
process.env.AWS_ACCESS_KEY_ID ??= "AKIATESTTESTTESTTEST";
process.env.AWS_SECRET_ACCESS_KEY ??= "test-secret-not-real";
process.env.AWS_REGION ??= "us-east-1";
export {};
