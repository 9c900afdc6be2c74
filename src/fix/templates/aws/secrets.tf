# The app's secrets, one Secrets Manager secret each, without values:
# Terraform never sees them (they would land in its state). Set each once:
#   aws secretsmanager put-secret-value --secret-id <arn> --secret-string '…'
resource "aws_secretsmanager_secret" "app" {
  #checkov:skip=CKV2_AWS_57:these are the app's own credentials (database URL, session key, third-party tokens); they rotate with their issuer, which no Lambda here can do
  for_each = toset(local.secret_names)

  name                    = "${local.name}/${each.key}"
  description             = "${each.key} for ${local.name}"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = 30
}
