// Shared jest setup. cdktf's matchers are registered lazily by the infra tests that need them.
export {};
