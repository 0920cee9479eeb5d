// The AWS managed policies a KMS lab attaches (AWS Managed Policy Reference): their default versions'
// documents, version IDs and dates (to the minute) as AWS publishes them. ReadOnlyAccess is abridged to the
// services Pocket KMS has (KMS, IAM, S3, CloudTrail): its statements for other services could match nothing
// here; AWS edits it often, so its version and dates here are Pocket KMS's own. PolicyId is Pocket KMS's own
// too (stable, derived from the name): AWS's reference does not publish them.

import { sha256 } from '@noble/hashes/sha2.js';
import type { ManagedPolicyRecord } from './managed-policies';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

interface Published {
  name: string;
  description: string;
  created: string;
  edited: string;
  version: string;
  actions: string[];
}

const PUBLISHED: Published[] = [
  {
    name: 'AdministratorAccess',
    description: 'Provides full access to AWS services and resources.',
    created: '2015-02-06T18:39:00Z',
    edited: '2015-02-06T18:39:00Z',
    version: 'v1',
    actions: ['*'],
  },
  {
    name: 'AWSKeyManagementServicePowerUser',
    description: 'Provides access to AWS Key Management Service (KMS).',
    created: '2015-02-06T18:40:00Z',
    edited: '2017-03-07T00:55:00Z',
    version: 'v2',
    actions: [
      'kms:CreateAlias',
      'kms:CreateKey',
      'kms:DeleteAlias',
      'kms:Describe*',
      'kms:GenerateRandom',
      'kms:Get*',
      'kms:List*',
      'kms:TagResource',
      'kms:UntagResource',
      'iam:ListGroups',
      'iam:ListRoles',
      'iam:ListUsers',
    ],
  },
  {
    name: 'IAMFullAccess',
    description: 'Provides full access to IAM via the AWS Management Console.',
    created: '2015-02-06T18:40:00Z',
    edited: '2019-06-21T19:40:00Z',
    version: 'v2',
    actions: [
      'iam:*',
      'organizations:DescribeAccount',
      'organizations:DescribeOrganization',
      'organizations:DescribeOrganizationalUnit',
      'organizations:DescribePolicy',
      'organizations:ListChildren',
      'organizations:ListParents',
      'organizations:ListPoliciesForTarget',
      'organizations:ListRoots',
      'organizations:ListPolicies',
      'organizations:ListTargetsForPolicy',
    ],
  },
  {
    name: 'ReadOnlyAccess',
    description:
      "Provides read-only access to AWS services and resources. (Pocket KMS: abridged to this app's services.)",
    created: '2015-02-06T18:39:00Z',
    edited: '2015-02-06T18:39:00Z',
    version: 'v1',
    actions: [
      'cloudtrail:Describe*',
      'cloudtrail:Get*',
      'cloudtrail:List*',
      'cloudtrail:LookupEvents',
      'iam:Generate*',
      'iam:Get*',
      'iam:List*',
      'iam:Simulate*',
      'kms:Describe*',
      'kms:Get*',
      'kms:List*',
      's3:Get*',
      's3:List*',
    ],
  },
];

function policyId(name: string): string {
  return (
    'ANPA' +
    [...sha256(new TextEncoder().encode(`aws-managed:${name}`)).slice(0, 17)].map((b) => BASE32[b % 32]).join('')
  );
}

/** By ARN (arn:aws:iam::aws:policy/<name>). */
export const AWS_MANAGED: Record<string, ManagedPolicyRecord> = Object.fromEntries(
  PUBLISHED.map((p) => {
    const arn = `arn:aws:iam::aws:policy/${p.name}`;
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: p.actions.length === 1 ? p.actions[0] : p.actions, Resource: '*' }],
    });
    const rec: ManagedPolicyRecord = {
      arn,
      name: p.name,
      id: policyId(p.name),
      description: p.description,
      createdAt: Date.parse(p.created),
      updatedAt: Date.parse(p.edited),
      defaultVersionId: p.version,
      versions: [{ versionId: p.version, document, createdAt: Date.parse(p.edited) }],
      nextVersion: Number(p.version.slice(1)) + 1,
      tags: [],
      awsManaged: true,
    };
    return [arn, rec];
  }),
);
