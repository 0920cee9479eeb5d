// What botocore does to IAM answers before the CLI prints them: policy documents arrive URL-encoded
// (RFC 3986) and are shown as JSON objects (botocore/handlers.py json_decode_policies, on the members of
// shape policyDocumentType: a role's AssumeRolePolicyDocument, an inline policy's PolicyDocument, a managed
// policy version's Document — the only members of these names in the IAM actions the terminal knows).
const POLICY_MEMBERS = new Set(['AssumeRolePolicyDocument', 'PolicyDocument', 'Document']);

/** Decodes every policy document in `output` in place (a document that is not JSON stays as it is). */
export function decodePolicyDocuments(output: unknown): void {
  if (Array.isArray(output)) return output.forEach(decodePolicyDocuments);
  if (!output || typeof output !== 'object' || output instanceof Date || output instanceof Uint8Array) return;
  const o = output as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    if (POLICY_MEMBERS.has(k) && typeof v === 'string') {
      try {
        o[k] = JSON.parse(decodeURIComponent(v));
      } catch {
        // botocore leaves a document it cannot parse as the string it got.
      }
    } else decodePolicyDocuments(v);
  }
}
