# Redis on ElastiCache: private subnets, a replica in a second zone with
# automatic failover, encrypted at rest with the app's key and in transit
# (TLS: REDIS_URL starts with rediss://), AUTH token required, daily
# snapshots.
variable "redis_node_type" {
  description = "The cache's node type."
  type        = string
  default     = "cache.t4g.small"
}

variable "redis_auth_token" {
  description = "The Redis AUTH token (16-128 characters; pass it as TF_VAR_redis_auth_token, never in a file). REDIS_URL carries it."
  type        = string
  sensitive   = true
}

resource "aws_elasticache_subnet_group" "redis" {
  name       = "${local.name}-redis"
  subnet_ids = var.private_subnet_ids
}

resource "aws_security_group" "redis" {
  name_prefix = "${local.name}-redis-"
  description = "Redis of ${local.name}"
  vpc_id      = var.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "redis_from_app" {
  security_group_id            = aws_security_group.redis.id
  description                  = "Redis from the app's tasks"
  referenced_security_group_id = aws_security_group.app.id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
}

resource "aws_vpc_security_group_egress_rule" "app_to_redis" {
  security_group_id            = aws_security_group.app.id
  description                  = "To Redis"
  referenced_security_group_id = aws_security_group.redis.id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
}

resource "aws_cloudwatch_log_group" "redis" {
  name              = "/elasticache/${local.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
}

resource "aws_elasticache_replication_group" "redis" {
  replication_group_id       = substr(local.name, 0, 40)
  description                = "Redis of ${local.name}"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = var.redis_node_type
  port                       = 6379
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  multi_az_enabled           = true
  subnet_group_name          = aws_elasticache_subnet_group.redis.name
  security_group_ids         = [aws_security_group.redis.id]

  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.this.arn
  transit_encryption_enabled = true
  auth_token                 = var.redis_auth_token
  snapshot_retention_limit   = 7
  auto_minor_version_upgrade = true

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.redis.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }
}

output "redis_endpoint" {
  description = "The primary endpoint, for the REDIS_URL secret (rediss://:TOKEN@HOST:6379)."
  value       = aws_elasticache_replication_group.redis.primary_endpoint_address
}
