// What botocore adds to S3 calls on its own, so the terminal sends what AWS CLI v2 sends: ListObjects(V2)
// asks for url-encoded keys when the user did not choose an encoding, and decodes them on the way back
// (botocore/handlers.py set_list_objects_encoding_type_url, decode_list_object_v2).
const LISTS: Record<string, { top: string[]; nested: [string, string][] }> = {
  ListObjectsV2: {
    top: ['Delimiter', 'Prefix', 'StartAfter'],
    nested: [
      ['Contents', 'Key'],
      ['CommonPrefixes', 'Prefix'],
    ],
  },
};

/** Python's urllib.parse.unquote_plus. */
const unquotePlus = (s: string) => {
  try {
    return decodeURIComponent(s.replaceAll('+', ' '));
  } catch {
    return s.replaceAll('+', ' ');
  }
};

/** Adjusts the input before sending; returns whether the encoding type was set here. */
export function beforeS3Send(operation: string, input: Record<string, unknown>): boolean {
  if (!(operation in LISTS) || input.EncodingType !== undefined) return false;
  input.EncodingType = 'url';
  return true;
}

export function afterS3Receive(operation: string, output: Record<string, unknown>, autoSet: boolean): void {
  const spec = LISTS[operation];
  if (!spec || !autoSet || output.EncodingType !== 'url') return;
  for (const k of spec.top) if (typeof output[k] === 'string') output[k] = unquotePlus(output[k] as string);
  for (const [list, key] of spec.nested)
    for (const m of (output[list] as Record<string, unknown>[] | undefined) ?? [])
      if (typeof m[key] === 'string') m[key] = unquotePlus(m[key] as string);
}
