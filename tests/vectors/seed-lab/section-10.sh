# The shell blocks of the seed tutorial's section 10 (../shared/seed/000_3463b2deb9004637.readable.txt),
# copied unchanged, one block per '### ' heading, in the order the sheet gives them.

### step 1: region and identity
export AWS_REGION="us-east-1"   # change as needed
aws configure set region "$AWS_REGION"

aws sts get-caller-identity
### step 1: convenience variables
export LAB_PREFIX="kms-lab"
export TS="$(date +%Y%m%d%H%M%S)"
### step 2: create a key
aws kms create-key \
  --description "KMS lab key for encrypt/decrypt and S3 SSE-KMS" \
  --key-usage ENCRYPT_DECRYPT \
  --origin AWS_KMS \
  --tags TagKey=Project,TagValue=kms-lab TagKey=Owner,TagValue="$USER"
### step 2: capture the key ID
export KEY_ID="$(aws kms create-key \
  --description "KMS lab key for encrypt/decrypt and S3 SSE-KMS" \
  --key-usage ENCRYPT_DECRYPT \
  --origin AWS_KMS \
  --query 'KeyMetadata.KeyId' \
  --output text)"

echo "KEY_ID=$KEY_ID"
### step 2: create an alias
export KEY_ALIAS="alias/${LAB_PREFIX}-${TS}"

aws kms create-alias \
  --alias-name "$KEY_ALIAS" \
  --target-key-id "$KEY_ID"

echo "KEY_ALIAS=$KEY_ALIAS"
### step 2: verify
aws kms describe-key --key-id "$KEY_ID"
aws kms list-aliases --query "Aliases[?AliasName=='$KEY_ALIAS']"
### step 3: caller ARN and account
export CALLER_ARN="$(aws sts get-caller-identity --query Arn --output text)"
export ACCOUNT_ID="$(aws sts get-caller-identity --query Account --output text)"

echo "CALLER_ARN=$CALLER_ARN"
echo "ACCOUNT_ID=$ACCOUNT_ID"
### step 3: key policy file
cat > key-policy.json <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EnableRootPermissions",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::${ACCOUNT_ID}:root" },
      "Action": "kms:*",
      "Resource": "*"
    },
    {
      "Sid": "AllowCallerKeyUsageForLab",
      "Effect": "Allow",
      "Principal": { "AWS": "${CALLER_ARN}" },
      "Action": [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "kms:DescribeKey"
      ],
      "Resource": "*"
    }
  ]
}
EOF
### step 3: attach the policy
aws kms put-key-policy \
  --key-id "$KEY_ID" \
  --policy-name default \
  --policy file://key-policy.json
### step 3: verify
aws kms get-key-policy --key-id "$KEY_ID" --policy-name default
### step 4: plaintext
echo -n "my-demo-secret-value" > plaintext.txt
cat plaintext.txt
### step 4: encrypt
aws kms encrypt \
  --key-id "$KEY_ID" \
  --plaintext fileb://plaintext.txt \
  --encryption-context Purpose=Lab,App=kms-demo \
  --query CiphertextBlob \
  --output text > ciphertext.b64
### step 4: decrypt
aws kms decrypt \
  --ciphertext-blob fileb://<(base64 --decode ciphertext.b64) \
  --encryption-context Purpose=Lab,App=kms-demo \
  --query Plaintext \
  --output text > decrypted.b64
### step 4: back to plaintext
base64 --decode decrypted.b64 > decrypted.txt
cat decrypted.txt
echo
### step 5: bucket name
export BUCKET_NAME="${LAB_PREFIX}-${ACCOUNT_ID}-${TS}"
echo "BUCKET_NAME=$BUCKET_NAME"
### step 5: create the bucket
if [ "$AWS_REGION" = "us-east-1" ]; then
  aws s3api create-bucket --bucket "$BUCKET_NAME"
else
  aws s3api create-bucket --bucket "$BUCKET_NAME" \
    --create-bucket-configuration LocationConstraint="$AWS_REGION"
fi
### step 5: upload with SSE-KMS
echo "hello from kms s3 lab" > hello.txt

aws s3api put-object \
  --bucket "$BUCKET_NAME" \
  --key "hello.txt" \
  --body hello.txt \
  --server-side-encryption aws:kms \
  --ssekms-key-id "$KEY_ALIAS"
### step 6: object encryption
aws s3api head-object \
  --bucket "$BUCKET_NAME" \
  --key "hello.txt" \
  --query '{SSE:ServerSideEncryption, KMSKeyId:SSEKMSKeyId}'
### step 6: download
aws s3api get-object --bucket "$BUCKET_NAME" --key "hello.txt" downloaded.txt
cat downloaded.txt
### cleanup: delete the object
aws s3api delete-object --bucket "$BUCKET_NAME" --key "hello.txt"
### cleanup: delete the bucket
aws s3api delete-bucket --bucket "$BUCKET_NAME"
### cleanup: delete the alias
aws kms delete-alias --alias-name "$KEY_ALIAS"
### cleanup: schedule key deletion
aws kms schedule-key-deletion --key-id "$KEY_ID" --pending-window-in-days 7
### cleanup: verify
aws kms describe-key --key-id "$KEY_ID" --query 'KeyMetadata.{KeyState:KeyState,DeletionDate:DeletionDate}'
