output "url" {
  description = "The load balancer's address: point the app's domain at it (a CNAME or an alias record)."
  value       = aws_lb.app.dns_name
}

output "ecr_repository_url" {
  description = "Push the app's image here: docker push <url>:<image_tag>."
  value       = aws_ecr_repository.app.repository_url
}

output "secret_arns" {
  description = "The app's secrets, to fill with aws secretsmanager put-secret-value."
  value       = { for k, s in aws_secretsmanager_secret.app : k => s.arn }
}

output "backup_bucket" {
  description = "The off-site backup bucket (BACKUP_S3_BUCKET of the backup script)."
  value       = aws_s3_bucket.backups.bucket
}

output "log_group" {
  description = "The app's CloudWatch log group."
  value       = aws_cloudwatch_log_group.app.name
}
