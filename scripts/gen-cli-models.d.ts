// Types of scripts/gen-cli-models.js for the tests that regenerate the CLI tables in memory.
/** File name (kms.json, sts.json, s3.json) → the JSON text the generator writes. */
export function generateCliModels(): Record<string, string>;
