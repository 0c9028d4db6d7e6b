declare module "asl-validator" {
  /** asl-validator 4 ships no types; this is the part the tests use. */
  function validator(definition: unknown, opts?: { checkPaths?: boolean; checkArn?: boolean }): { isValid: boolean; errors: { message?: string; Code?: string; Message?: string }[] };
  export = validator;
}
