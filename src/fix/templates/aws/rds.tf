# PostgreSQL on RDS: private subnets only, encrypted with the app's key,
# automated backups kept db_backup_retention_days, deletion protected, a
# final snapshot on destroy, TLS enforced. The master password is managed
# by RDS in Secrets Manager (never in Terraform or its state).
variable "db_instance_class" {
  description = "The database's instance class."
  type        = string
  default     = "db.t4g.small"
}

variable "db_allocated_storage" {
  description = "Storage in GiB (grows automatically up to four times this)."
  type        = number
  default     = 20
}

variable "db_backup_retention_days" {
  description = "How many days of automated backups (point-in-time recovery) RDS keeps."
  type        = number
  default     = 14
}

variable "db_multi_az" {
  description = "A standby in a second availability zone, failed over to automatically."
  type        = bool
  default     = true
}

variable "postgres_version" {
  description = "PostgreSQL major version."
  type        = string
  default     = "16"
}

variable "db_name" {
  description = "The database the app uses."
  type        = string
  default     = "app"
}

variable "db_username" {
  description = "The master user's name (its password is generated and kept by RDS in Secrets Manager)."
  type        = string
  default     = "app"
}

resource "aws_db_subnet_group" "db" {
  name_prefix = "${local.name}-"
  subnet_ids  = var.private_subnet_ids
}

resource "aws_security_group" "db" {
  name_prefix = "${local.name}-db-"
  description = "PostgreSQL of ${local.name}"
  vpc_id      = var.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "db_from_app" {
  security_group_id            = aws_security_group.db.id
  description                  = "PostgreSQL from the app's tasks"
  referenced_security_group_id = aws_security_group.app.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_vpc_security_group_egress_rule" "app_to_db" {
  security_group_id            = aws_security_group.app.id
  description                  = "To PostgreSQL"
  referenced_security_group_id = aws_security_group.db.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_db_parameter_group" "db" {
  name_prefix = "${local.name}-"
  family      = "postgres${var.postgres_version}"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }

  lifecycle {
    create_before_destroy = true
  }
}

data "aws_iam_policy_document" "rds_monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "rds_monitoring" {
  name_prefix        = "${substr(local.name, 0, 20)}-rdsmon-"
  assume_role_policy = data.aws_iam_policy_document.rds_monitoring_assume.json
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  role       = aws_iam_role.rds_monitoring.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "db" {
  identifier_prefix     = "${substr(local.name, 0, 30)}-"
  engine                = "postgres"
  engine_version        = var.postgres_version
  instance_class        = var.db_instance_class
  allocated_storage     = var.db_allocated_storage
  max_allocated_storage = var.db_allocated_storage * 4
  storage_type          = "gp3"
  db_name               = var.db_name
  username              = var.db_username

  manage_master_user_password   = true
  master_user_secret_kms_key_id = aws_kms_key.this.key_id

  db_subnet_group_name   = aws_db_subnet_group.db.name
  vpc_security_group_ids = [aws_security_group.db.id]
  parameter_group_name   = aws_db_parameter_group.db.name
  publicly_accessible    = false
  multi_az               = var.db_multi_az

  storage_encrypted       = true
  kms_key_id              = aws_kms_key.this.arn
  backup_retention_period = var.db_backup_retention_days
  copy_tags_to_snapshot   = true
  deletion_protection     = true
  skip_final_snapshot     = false
  # Fixed name: a second destroy would need the old snapshot deleted first.
  final_snapshot_identifier = "${local.name}-final"

  iam_database_authentication_enabled = true
  auto_minor_version_upgrade          = true
  enabled_cloudwatch_logs_exports     = ["postgresql", "upgrade"]
  monitoring_interval                 = 60
  monitoring_role_arn                 = aws_iam_role.rds_monitoring.arn
  performance_insights_enabled        = true
  performance_insights_kms_key_id     = aws_kms_key.this.arn
}

output "database_endpoint" {
  description = "host:port of PostgreSQL, for the DATABASE_URL secret (postgresql://USER:PASSWORD@HOST:PORT/DB?sslmode=require)."
  value       = aws_db_instance.db.endpoint
}

output "database_master_secret_arn" {
  description = "The Secrets Manager secret RDS keeps the master user's password in."
  value       = aws_db_instance.db.master_user_secret[0].secret_arn
}
